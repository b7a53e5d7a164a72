package court.cloudtrial.app.services

/**
 * Every service of the app, for one court server. The Android app builds the
 * Rust-backed one once (in its Application) and hands interfaces down; tests
 * build it against a real server or use fakes.
 */
interface CloudTrialServices : AutoCloseable {
    val auth: AuthService

    /** After login: the services of the hearing the session belongs to. Throws `AppError.NotLoggedIn` before. */
    fun hearing(): HearingServices
}

/** The services of one hearing; closed on logout. */
interface HearingServices : AutoCloseable {
    /** 视频庭审: enters the room (登录后直接进入). */
    fun enterRoom(): HearingRoom

    val evidence: EvidenceService
    val record: RecordService
    val annotation: AnnotationService
}
