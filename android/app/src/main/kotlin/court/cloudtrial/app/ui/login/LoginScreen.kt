package court.cloudtrial.app.ui.login

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.Spacer
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.height
import androidx.compose.foundation.layout.imePadding
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.text.KeyboardActions
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.text.input.ImeAction
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import court.cloudtrial.app.R
import court.cloudtrial.app.presenters.LoginNotice
import court.cloudtrial.app.presenters.LoginState

/** What the login screen can be asked to do; the presenter does it. */
interface LoginActions {
    fun onMeetingNumber(value: String)
    fun onMobile(value: String)
    fun onCode(value: String)
    fun requestCode()
    fun login()
}

/** 会议号登录: meeting number (filled from the SMS link), mobile number, SMS code. */
@Composable
fun LoginScreen(state: LoginState, notice: LoginNotice?, actions: LoginActions) {
    Scaffold { padding ->
        Column(
            modifier = Modifier
                .fillMaxSize()
                .padding(padding)
                .imePadding()
                .verticalScroll(rememberScrollState())
                .padding(24.dp),
            verticalArrangement = Arrangement.spacedBy(12.dp),
        ) {
            Spacer(Modifier.height(24.dp))
            Text(stringResource(R.string.court_name) + " · " + stringResource(R.string.app_name), style = MaterialTheme.typography.titleMedium, color = MaterialTheme.colorScheme.primary)
            Text(stringResource(R.string.login_title), style = MaterialTheme.typography.headlineMedium)
            Text(stringResource(R.string.login_subtitle), style = MaterialTheme.typography.bodyMedium)
            if (notice == LoginNotice.SESSION_EXPIRED) {
                Text(stringResource(R.string.login_session_expired), color = MaterialTheme.colorScheme.error)
            }
            OutlinedTextField(
                value = state.meetingNumber,
                onValueChange = actions::onMeetingNumber,
                label = { Text(stringResource(R.string.login_meeting_number)) },
                supportingText = if (state.meetingNumberFromLink) ({ Text(stringResource(R.string.login_meeting_number_from_link)) }) else null,
                singleLine = true,
                keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Number, imeAction = ImeAction.Next),
                textStyle = MaterialTheme.typography.titleLarge,
                modifier = Modifier.fillMaxWidth(),
            )
            OutlinedTextField(
                value = state.mobile,
                onValueChange = actions::onMobile,
                label = { Text(stringResource(R.string.login_mobile)) },
                singleLine = true,
                keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Phone, imeAction = ImeAction.Next),
                modifier = Modifier.fillMaxWidth(),
            )
            Row(verticalAlignment = Alignment.CenterVertically, horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                OutlinedTextField(
                    value = state.code,
                    onValueChange = actions::onCode,
                    label = { Text(stringResource(R.string.login_code)) },
                    singleLine = true,
                    keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.NumberPassword, imeAction = ImeAction.Done),
                    keyboardActions = KeyboardActions(onDone = { actions.login() }),
                    // The code arrives through the SMS User Consent API (MainActivity) and fills this field.
                    modifier = Modifier.weight(1f),
                )
                OutlinedButton(onClick = actions::requestCode, enabled = state.canRequestCode) {
                    Text(
                        if (state.resendInSecs > 0) stringResource(R.string.login_resend_in, state.resendInSecs)
                        else stringResource(R.string.login_request_code),
                    )
                }
            }
            if (state.codeSent && state.error == null) {
                Text(stringResource(R.string.login_code_sent), style = MaterialTheme.typography.bodySmall)
            }
            state.error?.let { Text(it, color = MaterialTheme.colorScheme.error) }
            Button(onClick = actions::login, enabled = state.canLogin, modifier = Modifier.fillMaxWidth().height(52.dp)) {
                if (state.busy) CircularProgressIndicator(strokeWidth = 2.dp, modifier = Modifier.size(20.dp))
                else Text(stringResource(R.string.login_submit))
            }
        }
    }
}
