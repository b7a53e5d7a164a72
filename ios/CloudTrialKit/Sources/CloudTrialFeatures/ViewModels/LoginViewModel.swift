import Foundation
import Observation

public struct LoginState: Equatable, Sendable {
    public var meetingNumber = ""
    public var mobile = ""
    public var code = ""
    /// Filled from the SMS link: the field shows it and the user only adds the mobile number.
    public var meetingNumberFromLink = false
    /// Seconds until 获取验证码 may be pressed again (0: now).
    public var resendInSecs = 0
    public var codeSent = false
    public var busy = false
    /// The core's Chinese reason, shown under the form.
    public var error: String?
    /// Set once logged in: the app goes on to the self-test and the hearing.
    public var session: Session?

    public init() {}

    public var canRequestCode: Bool { !busy && resendInSecs == 0 && !meetingNumber.isEmpty && !mobile.isEmpty }
    public var canLogin: Bool { !busy && codeSent && code.count == 6 }
}

/// 会议号登录: meeting number (from the SMS link when opened from it), mobile number, SMS code.
@MainActor
@Observable
public final class LoginViewModel {
    public private(set) var state = LoginState()
    private let auth: AuthService
    @ObservationIgnored private var countdown: Task<Void, Never>?

    public init(auth: AuthService, meetingNumber: String? = nil, notice: String? = nil) {
        self.auth = auth
        state.meetingNumber = meetingNumber ?? ""
        state.meetingNumberFromLink = meetingNumber != nil
        state.error = notice
    }

    /// The app was opened from a link: a landing link fills in the meeting number.
    @discardableResult
    public func openedFromLink(_ url: String) -> Bool {
        guard let number = AppLinks.meetingNumber(url) else { return false }
        state.meetingNumber = number
        state.meetingNumberFromLink = true
        state.error = nil
        return true
    }

    public func meetingNumberChanged(_ value: String) {
        state.meetingNumber = String(value.filter { $0.isASCII && $0.isNumber }.prefix(8))
        state.meetingNumberFromLink = false
        state.error = nil
    }

    public func mobileChanged(_ value: String) {
        state.mobile = String(value.filter { $0.isASCII && $0.isNumber }.prefix(11))
        state.error = nil
    }

    /// Typed, or filled by the system's one-time-code suggestion above the keyboard
    /// (`textContentType(.oneTimeCode)`): six digits log in at once.
    public func codeChanged(_ value: String) {
        let digits = String(value.filter { $0.isASCII && $0.isNumber }.prefix(6))
        let autofilled = digits.count == 6 && state.code.count < 5
        state.code = digits
        state.error = nil
        if autofilled && state.canLogin { login() }
    }

    /// A whole login SMS (pasted): takes its code and logs in.
    public func smsReceived(_ message: String) {
        guard let code = LoginCodes.fromSms(message) else { return }
        state.code = code
        state.error = nil
        if state.canLogin { login() }
    }

    /// 获取验证码
    public func requestCode() {
        let s = state
        guard s.canRequestCode else { return }
        state.busy = true
        state.error = nil
        Task {
            do {
                let sent = try await auth.requestLoginCode(meetingNumber: s.meetingNumber, mobile: s.mobile)
                // One update: no state where the code is sent but 获取验证码 looks ready again.
                var next = state
                next.busy = false
                next.codeSent = true
                next.resendInSecs = sent.resendAfterSecs
                state = next
                startCountdown()
            } catch {
                state.busy = false
                state.error = userMessage(error)
            }
        }
    }

    /// 登录
    public func login() {
        let s = state
        guard s.canLogin else { return }
        state.busy = true
        state.error = nil
        Task {
            do {
                let session = try await auth.login(meetingNumber: s.meetingNumber, mobile: s.mobile, code: s.code)
                countdown?.cancel()
                var next = state
                next.busy = false
                next.session = session
                next.resendInSecs = 0
                state = next
            } catch {
                var next = state
                next.busy = false
                next.code = ""
                next.error = userMessage(error)
                state = next
            }
        }
    }

    private func startCountdown() {
        countdown?.cancel()
        countdown = Task { [weak self] in
            while let self, self.state.resendInSecs > 0 {
                try? await Task.sleep(nanoseconds: 1_000_000_000)
                if Task.isCancelled { return }
                self.state.resendInSecs = max(self.state.resendInSecs - 1, 0)
            }
        }
    }
}
