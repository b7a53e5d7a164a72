package court.cloudtrial.app.ui.selftest

import androidx.compose.foundation.background
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.aspectRatio
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.height
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.shape.RoundedCornerShape
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.draw.clip
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import court.cloudtrial.app.R
import court.cloudtrial.app.presenters.CheckStatus
import court.cloudtrial.app.presenters.SelfTestState

interface SelfTestActions {
    fun playTestSound()
    fun confirmSpeaker(heard: Boolean)
    fun enter()
    fun openPermissionSettings()
}

/** 设备检测: camera preview, microphone level, speaker test; then 进入庭审. */
@Composable
fun SelfTestScreen(
    state: SelfTestState,
    permissionsMissing: Boolean,
    actions: SelfTestActions,
    cameraPreview: @Composable (Modifier) -> Unit,
) {
    Scaffold { padding ->
        Column(
            Modifier.fillMaxSize().padding(padding).verticalScroll(rememberScrollState()).padding(20.dp),
            verticalArrangement = Arrangement.spacedBy(16.dp),
        ) {
            Text(stringResource(R.string.selftest_title), style = MaterialTheme.typography.headlineSmall)
            Text(stringResource(R.string.selftest_hint), style = MaterialTheme.typography.bodyMedium)
            if (permissionsMissing) {
                Card(Modifier.fillMaxWidth()) {
                    Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
                        Text(stringResource(R.string.permission_needed))
                        OutlinedButton(onClick = actions::openPermissionSettings) { Text(stringResource(R.string.permission_settings)) }
                    }
                }
            }
            CheckRow(stringResource(R.string.selftest_camera), state.camera, state.cameraError)
            Box(
                Modifier.fillMaxWidth().aspectRatio(3f / 4f).clip(RoundedCornerShape(12.dp)).background(Color.Black),
                contentAlignment = Alignment.Center,
            ) { cameraPreview(Modifier.fillMaxSize()) }

            CheckRow(stringResource(R.string.selftest_microphone), state.microphone, state.microphoneError)
            Text(stringResource(R.string.selftest_microphone_hint), style = MaterialTheme.typography.bodySmall)
            LinearProgressIndicator(progress = { state.microphoneLevel }, modifier = Modifier.fillMaxWidth().height(8.dp))

            Text(stringResource(R.string.selftest_speaker), style = MaterialTheme.typography.titleMedium)
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp), verticalAlignment = Alignment.CenterVertically) {
                OutlinedButton(onClick = actions::playTestSound, enabled = !state.speakerPlaying) {
                    Text(stringResource(if (state.speakerPlaying) R.string.selftest_playing else R.string.selftest_play))
                }
                OutlinedButton(onClick = { actions.confirmSpeaker(true) }) { Text(stringResource(R.string.selftest_heard)) }
                OutlinedButton(onClick = { actions.confirmSpeaker(false) }) { Text(stringResource(R.string.selftest_not_heard)) }
            }
            Button(onClick = actions::enter, modifier = Modifier.fillMaxWidth().height(52.dp)) {
                Text(stringResource(if (state.allWorking) R.string.selftest_enter else R.string.selftest_enter_anyway))
            }
        }
    }
}

@Composable
private fun CheckRow(title: String, status: CheckStatus, error: String?) {
    Row(verticalAlignment = Alignment.CenterVertically) {
        Text(title, style = MaterialTheme.typography.titleMedium, modifier = Modifier.weight(1f))
        val (label, color) = when (status) {
            CheckStatus.CHECKING -> R.string.selftest_checking to MaterialTheme.colorScheme.secondary
            CheckStatus.WORKING -> R.string.selftest_working to Color(0xFF2E7D32)
            CheckStatus.FAILED -> R.string.selftest_failed to MaterialTheme.colorScheme.error
        }
        Text(error ?: stringResource(label), color = color)
    }
}
