package court.cloudtrial.app.rust

import court.cloudtrial.app.errors.AppError
import court.cloudtrial.app.model.SessionStatus
import court.cloudtrial.app.services.AnnotationService
import court.cloudtrial.app.services.AuthService
import court.cloudtrial.app.services.CloudTrialServices
import court.cloudtrial.app.services.EvidenceService
import court.cloudtrial.app.services.HearingRoom
import court.cloudtrial.app.services.HearingServices
import court.cloudtrial.app.services.RecordService
import court.cloudtrial.core.CloudTrialClient
import court.cloudtrial.core.DeviceKind
import court.cloudtrial.core.initLogging

/**
 * The app's services backed by the Rust core, for one court server. The only
 * place that creates generated objects; everything above sees interfaces.
 *
 * @param dataDir a directory the app owns (Android: `context.filesDir`); the
 *   session and the upload queue live there, so both survive the app being killed.
 */
class RustCloudTrialServices(
    baseUrl: String,
    dataDir: String,
    private val device: DeviceKind = DeviceKind.ANDROID,
) : CloudTrialServices {
    private val client: CloudTrialClient = mapErrors { CloudTrialClient(baseUrl, dataDir) }
    override val auth: AuthService = RustAuthService(client, device)
    private var current: Pair<Long, RustHearingServices>? = null

    /** One set per session: a second call gives the same services (one upload queue, one record follower). */
    @Synchronized
    override fun hearing(): HearingServices {
        val session = (client.sessionState().toApp() as? SessionStatus.LoggedIn)?.session
            ?: throw AppError.NotLoggedIn("请先登录")
        current?.let { (participant, services) -> if (participant == session.participantId) return services }
        current?.second?.close()
        val services = RustHearingServices(client, device)
        current = session.participantId to services
        return services
    }

    @Synchronized
    override fun close() {
        current?.second?.close()
        current = null
        client.close()
    }

    companion object {
        /** The core's logs on standard error (logcat on Android). `filter` as RUST_LOG, e.g. "info". */
        fun enableLogging(filter: String = "info") = initLogging(filter)
    }
}

private class RustHearingServices(private val client: CloudTrialClient, private val device: DeviceKind) : HearingServices {
    override val evidence: EvidenceService = RustEvidenceService(mapErrors { client.evidence() })
    override val record: RecordService = RustRecordService(mapErrors { client.record() })

    /** 圈注: an item's annotation is opened over the room (see [RustAnnotationService]). */
    override val annotation: AnnotationService = RustAnnotationService()

    override fun enterRoom(): HearingRoom = RustHearingRoom(mapErrors { client.joinHearing(device) })

    override fun close() {
        evidence.close()
        record.close()
    }
}
