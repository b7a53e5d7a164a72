package court.cloudtrial.app.presenters

import court.cloudtrial.app.links.AppLinks
import court.cloudtrial.app.model.Session
import court.cloudtrial.app.model.SessionStatus
import court.cloudtrial.app.services.AuthService
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.launch

/** Why the login screen is shown with a message. */
enum class LoginNotice { SESSION_EXPIRED }

sealed interface Screen {
    /** 会议号登录, with the number from the SMS link when there is one. */
    data class Login(val meetingNumber: String?, val notice: LoginNotice? = null) : Screen
    /** 设备检测 before entering. */
    data class SelfTest(val session: Session) : Screen
    /** 视频庭审, 证据材料, 庭审笔录. */
    data class Hearing(val session: Session) : Screen
}

/**
 * Where the app is: 会议号登录 until logged in, then the self-test, then the
 * hearing. A restarted app that is still logged in goes straight back into
 * its hearing (the manual: 登录后直接进入视频庭审页面; the check came with the
 * login). A link for another meeting number goes back to login with that
 * number filled in.
 */
class AppPresenter(private val auth: AuthService, private val scope: CoroutineScope) {
    private val mutable = MutableStateFlow<Screen>(Screen.Login(null))
    val screen: StateFlow<Screen> = mutable.asStateFlow()
    private var linkNumber: String? = null
    private var job: Job? = null

    fun start() {
        if (job != null) return
        (auth.currentStatus() as? SessionStatus.LoggedIn)?.let { mutable.value = Screen.Hearing(it.session) }
        job = scope.launch { auth.sessionStatus.collect(::onStatus) }
    }

    private fun onStatus(status: SessionStatus) {
        mutable.value = when (status) {
            is SessionStatus.LoggedOut -> Screen.Login(linkNumber)
            is SessionStatus.Expired -> Screen.Login(linkNumber, LoginNotice.SESSION_EXPIRED)
            is SessionStatus.LoggedIn -> when (val current = mutable.value) {
                is Screen.Login ->
                    if (linkNumber != null && linkNumber != status.session.meetingNumber) current
                    else Screen.SelfTest(status.session)
                else -> current
            }
        }
    }

    /** Opened from a link (App Links) or with a meeting number typed before: fills it in. */
    fun openLink(url: String) {
        val number = AppLinks.meetingNumber(url) ?: return
        linkNumber = number
        val current = mutable.value
        val session = (auth.currentStatus() as? SessionStatus.LoggedIn)?.session
        if (session?.meetingNumber == number && current !is Screen.Login) return
        mutable.value = Screen.Login(number)
    }

    /** The login screen logged in. */
    fun loggedIn(session: Session) {
        linkNumber = null
        mutable.value = Screen.SelfTest(session)
    }

    /** 进入庭审 from the self-test. */
    fun enterHearing() {
        val current = mutable.value
        if (current is Screen.SelfTest) mutable.value = Screen.Hearing(current.session)
    }

    /** 退出 after the hearing: back to login with the same meeting number. */
    fun left() {
        val current = mutable.value
        if (current is Screen.Hearing) mutable.value = Screen.Login(current.session.meetingNumber)
    }
}
