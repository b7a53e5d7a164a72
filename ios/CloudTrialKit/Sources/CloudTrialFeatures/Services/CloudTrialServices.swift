import Foundation

/// Every service of the app, for one court server. The app builds the
/// Rust-backed one once (its composition root) and hands protocols down;
/// tests build it against a real server or use fakes.
public protocol CloudTrialServices: AnyObject, Sendable {
    var auth: AuthService { get }

    /// After login: the services of the hearing the session belongs to. Throws `AppError.notLoggedIn` before.
    func hearing() throws -> HearingServices

    func close()
}

/// The services of one hearing; closed on logout.
public protocol HearingServices: AnyObject, Sendable {
    /// 视频庭审: enters the room (登录后直接进入).
    func enterRoom() throws -> HearingRoom

    var evidence: EvidenceService { get }
    var record: RecordService { get }
    var annotation: AnnotationService { get }

    func close()
}
