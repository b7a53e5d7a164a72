import Foundation

/// 会议号登录. Failures are `AppError`s with the core's Chinese reason.
public protocol AuthService: AnyObject, Sendable {
    /// The session now, then every change (login, logout, the server ending it).
    /// Each access is a new subscription; it ends when the consuming task is cancelled.
    var sessionStatus: AsyncStream<SessionStatus> { get }

    func currentStatus() -> SessionStatus

    /// Step one: the server texts a code to the mobile number it has for this meeting.
    func requestLoginCode(meetingNumber: String, mobile: String) async throws -> LoginCodeSent

    /// Step two: the code from the SMS. The session is kept, so a restarted app is still logged in.
    func login(meetingNumber: String, mobile: String, code: String) async throws -> Session

    func hearingInfo() async throws -> HearingInfo

    func logout() async throws
}
