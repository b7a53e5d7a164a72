package court.cloudtrial.app.rust

import court.cloudtrial.app.model.HearingInfo
import court.cloudtrial.app.model.LoginCodeSent
import court.cloudtrial.app.model.Session
import court.cloudtrial.app.model.SessionStatus
import court.cloudtrial.app.services.AuthService
import court.cloudtrial.core.CloudTrialClient
import court.cloudtrial.core.DeviceKind
import court.cloudtrial.core.SessionState
import court.cloudtrial.core.SessionStateListener
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.callbackFlow
import kotlinx.coroutines.flow.conflate

class RustAuthService(private val client: CloudTrialClient, private val device: DeviceKind = DeviceKind.ANDROID) : AuthService {
    override val sessionStatus: Flow<SessionStatus> = callbackFlow {
        val handle = client.subscribeSession(object : SessionStateListener {
            override fun onUpdate(state: SessionState) {
                trySend(state.toApp())
            }
        })
        awaitClose {
            handle.cancel()
            handle.close()
        }
    }.conflate()

    override fun currentStatus(): SessionStatus = client.sessionState().toApp()

    override suspend fun requestLoginCode(meetingNumber: String, mobile: String): LoginCodeSent =
        mapErrors { client.requestLoginCode(meetingNumber.trim(), mobile.trim()) }.toApp()

    override suspend fun login(meetingNumber: String, mobile: String, code: String): Session =
        mapErrors { client.login(meetingNumber.trim(), mobile.trim(), code.trim(), device) }.toApp()

    override suspend fun hearingInfo(): HearingInfo = mapErrors { client.hearingDetails() }.toApp()

    override suspend fun logout() = mapErrors { client.logout() }
}
