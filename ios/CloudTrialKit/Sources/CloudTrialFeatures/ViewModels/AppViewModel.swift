import Foundation
import Observation

/// Why the login screen is shown with a message.
public enum LoginNotice: Sendable, Equatable {
    case sessionExpired
}

public enum Screen: Equatable, Sendable {
    /// 会议号登录, with the number from the SMS link when there is one.
    case login(meetingNumber: String?, notice: LoginNotice? = nil)
    /// 设备检测 before entering.
    case selfTest(Session)
    /// 视频庭审, 证据材料, 庭审笔录.
    case hearing(Session)
}

/// Where the app is: 会议号登录 until logged in, then the self-test, then the
/// hearing. A restarted app that is still logged in goes straight back into
/// its hearing (the manual: 登录后直接进入视频庭审页面; the check came with the
/// login). A link for another meeting number goes back to login with that
/// number filled in.
@MainActor
@Observable
public final class AppViewModel {
    public private(set) var screen: Screen = .login(meetingNumber: nil)
    private let auth: AuthService
    @ObservationIgnored private var linkNumber: String?
    @ObservationIgnored private var task: Task<Void, Never>?

    public init(auth: AuthService) {
        self.auth = auth
    }

    public func start() {
        guard task == nil else { return }
        if let session = auth.currentStatus().session { screen = .hearing(session) }
        let statuses = auth.sessionStatus
        task = Task { [weak self] in
            for await status in statuses {
                self?.onStatus(status)
            }
        }
    }

    public func stop() {
        task?.cancel()
        task = nil
    }

    private func onStatus(_ status: SessionStatus) {
        switch status {
        case .loggedOut:
            screen = .login(meetingNumber: linkNumber)
        case .expired:
            screen = .login(meetingNumber: linkNumber, notice: .sessionExpired)
        case let .loggedIn(session):
            if case .login = screen {
                if let linkNumber, linkNumber != session.meetingNumber { return }
                screen = .selfTest(session)
            }
        }
    }

    /// Opened from a link (Universal Links) or with a meeting number typed before: fills it in.
    public func openLink(_ url: String) {
        guard let number = AppLinks.meetingNumber(url) else { return }
        linkNumber = number
        if auth.currentStatus().session?.meetingNumber == number {
            if case .login = screen {} else { return }
        }
        screen = .login(meetingNumber: number)
    }

    /// The login screen logged in.
    public func loggedIn(_ session: Session) {
        linkNumber = nil
        screen = .selfTest(session)
    }

    /// 进入庭审 from the self-test.
    public func enterHearing() {
        if case let .selfTest(session) = screen { screen = .hearing(session) }
    }

    /// 退出 after the hearing: back to login with the same meeting number.
    public func left() {
        if case let .hearing(session) = screen { screen = .login(meetingNumber: session.meetingNumber) }
    }
}
