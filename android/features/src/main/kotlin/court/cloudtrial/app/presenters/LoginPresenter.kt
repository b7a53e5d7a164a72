package court.cloudtrial.app.presenters

import court.cloudtrial.app.errors.userMessage
import court.cloudtrial.app.links.AppLinks
import court.cloudtrial.app.links.LoginCodes
import court.cloudtrial.app.model.Session
import court.cloudtrial.app.services.AuthService
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

data class LoginState(
    val meetingNumber: String = "",
    val mobile: String = "",
    val code: String = "",
    /** Filled from the SMS link: the field shows it and the user only adds the mobile number. */
    val meetingNumberFromLink: Boolean = false,
    /** Seconds until 获取验证码 may be pressed again (0: now). */
    val resendInSecs: Int = 0,
    val codeSent: Boolean = false,
    val busy: Boolean = false,
    /** The core's Chinese reason, shown under the form. */
    val error: String? = null,
    /** Set once logged in: the app goes on to the self-test and the hearing. */
    val session: Session? = null,
) {
    val canRequestCode: Boolean get() = !busy && resendInSecs == 0 && meetingNumber.isNotBlank() && mobile.isNotBlank()
    val canLogin: Boolean get() = !busy && codeSent && code.length == 6
}

/** 会议号登录: meeting number (from the SMS link when opened from it), mobile number, SMS code. */
class LoginPresenter(
    private val auth: AuthService,
    private val scope: CoroutineScope,
    initialMeetingNumber: String? = null,
    notice: String? = null,
) {
    private val mutable = MutableStateFlow(
        LoginState(
            meetingNumber = initialMeetingNumber.orEmpty(),
            meetingNumberFromLink = initialMeetingNumber != null,
            error = notice,
        ),
    )
    val state: StateFlow<LoginState> = mutable.asStateFlow()
    private var countdown: Job? = null

    /** The app was opened from a link: a landing link fills in the meeting number. */
    fun openedFromLink(url: String): Boolean {
        val number = AppLinks.meetingNumber(url) ?: return false
        mutable.update { it.copy(meetingNumber = number, meetingNumberFromLink = true, error = null) }
        return true
    }

    fun onMeetingNumberChanged(value: String) =
        mutable.update { it.copy(meetingNumber = value.filter(Char::isDigit).take(8), meetingNumberFromLink = false, error = null) }

    fun onMobileChanged(value: String) = mutable.update { it.copy(mobile = value.filter(Char::isDigit).take(11), error = null) }

    fun onCodeChanged(value: String) = mutable.update { it.copy(code = value.filter(Char::isDigit).take(6), error = null) }

    /** The SMS the user agreed to share (SMS User Consent API): fills the code and logs in. */
    fun onSmsReceived(message: String) {
        val code = LoginCodes.fromSms(message) ?: return
        onCodeChanged(code)
        if (state.value.canLogin) login()
    }

    /** 获取验证码 */
    fun requestCode() {
        val s = state.value
        if (!s.canRequestCode) return
        mutable.update { it.copy(busy = true, error = null) }
        scope.launch {
            try {
                val sent = auth.requestLoginCode(s.meetingNumber, s.mobile)
                // One update: no state where the code is sent but 获取验证码 looks ready again.
                mutable.update { it.copy(busy = false, codeSent = true, resendInSecs = sent.resendAfterSecs) }
                startCountdown(sent.resendAfterSecs)
            } catch (e: Exception) {
                mutable.update { it.copy(busy = false, error = e.userMessage()) }
            }
        }
    }

    /** 登录 */
    fun login() {
        val s = state.value
        if (!s.canLogin) return
        mutable.update { it.copy(busy = true, error = null) }
        scope.launch {
            try {
                val session = auth.login(s.meetingNumber, s.mobile, s.code)
                countdown?.cancel()
                mutable.update { it.copy(busy = false, session = session, resendInSecs = 0) }
            } catch (e: Exception) {
                mutable.update { it.copy(busy = false, code = "", error = e.userMessage()) }
            }
        }
    }

    private fun startCountdown(seconds: Int) {
        countdown?.cancel()
        mutable.update { it.copy(resendInSecs = seconds) }
        countdown = scope.launch {
            while (state.value.resendInSecs > 0) {
                delay(1_000)
                mutable.update { it.copy(resendInSecs = (it.resendInSecs - 1).coerceAtLeast(0)) }
            }
        }
    }
}
