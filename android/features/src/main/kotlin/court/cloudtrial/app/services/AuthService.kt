package court.cloudtrial.app.services

import court.cloudtrial.app.model.HearingInfo
import court.cloudtrial.app.model.LoginCodeSent
import court.cloudtrial.app.model.Session
import court.cloudtrial.app.model.SessionStatus
import kotlinx.coroutines.flow.Flow

/** 会议号登录. Failures are [court.cloudtrial.app.errors.AppError]s with the core's Chinese reason. */
interface AuthService {
    /** The session now, then every change (login, logout, the server ending it). */
    val sessionStatus: Flow<SessionStatus>

    fun currentStatus(): SessionStatus

    /** Step one: the server texts a code to the mobile number it has for this meeting. */
    suspend fun requestLoginCode(meetingNumber: String, mobile: String): LoginCodeSent

    /** Step two: the code from the SMS. The session is kept, so a restarted app is still logged in. */
    suspend fun login(meetingNumber: String, mobile: String, code: String): Session

    suspend fun hearingInfo(): HearingInfo

    suspend fun logout()
}
