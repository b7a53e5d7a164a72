import CloudTrialFeatures
import SwiftUI

/// Connects the screens to the view models: 会议号登录 → 设备检测 → the hearing.
struct RootView: View {
    let environment: AppEnvironment
    @State private var login: LoginViewModel?
    /// Held here, not made in `body`: a redraw (entering the check sets `login` and
    /// `hearing`) would give the screen a new model that was never started, and
    /// its checks would say 检测中… for good.
    @State private var selfTest: SelfTestViewModel?
    @State private var hearing: LiveHearing?

    var body: some View {
        Group {
            switch environment.app.screen {
            case .login:
                if let login {
                    LoginScreen(model: login) { session in environment.app.loggedIn(session) }
                }
            case .selfTest:
                if let selfTest {
                    SelfTestScreen(model: selfTest) { environment.app.enterHearing() }
                }
            case .hearing:
                if let hearing {
                    LiveHearingView(hearing: hearing) { environment.app.left() }
                }
            }
        }
        .onChange(of: environment.app.screen, initial: true) { _, screen in
            switch screen {
            case let .login(number, notice):
                hearing?.close()
                hearing = nil
                selfTest = nil
                // One model per visit; a link with another number starts a fresh form.
                if login == nil || (number != nil && login?.state.meetingNumber != number) {
                    login = LoginViewModel(
                        auth: environment.services.auth,
                        meetingNumber: number,
                        notice: notice == .sessionExpired ? String(localized: "登录已失效，请重新登录") : nil
                    )
                }
            case let .selfTest(session):
                login = nil
                if selfTest == nil { selfTest = SelfTestViewModel(devices: IOSDeviceTester()) }
                // 登录后将直接入会: in the room (no camera or microphone yet) while the devices are checked.
                if hearing == nil { hearing = LiveHearing(services: environment.services, session: session) }
            case let .hearing(session):
                selfTest = nil
                if hearing == nil { hearing = LiveHearing(services: environment.services, session: session) }
                if let hearing { Task { await hearing.startMedia() } }
            }
        }
        .overlay(alignment: .top) {
            if let error = environment.startupError { ErrorBanner(message: error, dismiss: nil) }
        }
    }
}
