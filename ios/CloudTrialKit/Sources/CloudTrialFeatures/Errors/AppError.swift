import Foundation

/// The app's errors. Services throw these, never the generated bindings'
/// `ClientError`; `reason` is a sentence in Chinese from the core, shown to the
/// user as it is. The Rust-backed services convert in one place
/// (`CloudTrialRust/ErrorMapping.swift`).
public enum AppError: Error, Equatable, Sendable, LocalizedError {
    case network(reason: String)
    case invalidCode(reason: String)
    case locked(reason: String)
    case rateLimited(reason: String)
    /// The server ended the session: back to 会议号登录.
    case sessionExpired(reason: String)
    case notLoggedIn(reason: String)
    case forbidden(reason: String)
    /// 您已被屏蔽，请等待法官传唤
    case blocked(reason: String)
    case invalidInput(reason: String)
    case server(reason: String)
    /// Camera, microphone or the media connection.
    case media(reason: String)

    public var reason: String {
        switch self {
        case let .network(reason), let .invalidCode(reason), let .locked(reason), let .rateLimited(reason),
             let .sessionExpired(reason), let .notLoggedIn(reason), let .forbidden(reason), let .blocked(reason),
             let .invalidInput(reason), let .server(reason), let .media(reason):
            return reason
        }
    }

    public var errorDescription: String? { reason }
}

/// The sentence to show for any failure: the core's own words, or a generic one for a bug.
public func userMessage(_ error: Error) -> String {
    if let error = error as? AppError { return error.reason }
    return "操作失败，请稍后重试"
}
