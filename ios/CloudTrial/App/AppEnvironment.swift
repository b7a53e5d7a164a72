import CloudTrialFeatures
import CloudTrialRust
import Foundation
import Observation

/// The composition root: the one place that picks the Rust-backed services
/// (the only import of CloudTrialRust in the app). Views get view models and
/// protocols from here, never the services' implementations.
@MainActor
@Observable
final class AppEnvironment {
    static let shared = AppEnvironment()

    let services: CloudTrialServices
    let app: AppViewModel
    /// Set when the core could not start (no data directory, a bad server URL in the build).
    let startupError: String?

    private init() {
        let baseUrl = Bundle.main.object(forInfoDictionaryKey: "CloudTrialServerURL") as? String ?? "https://wsyj.tjcourt.gov.cn"
        #if DEBUG
        RustCloudTrialServices.enableLogging("info")
        #endif
        var made: CloudTrialServices
        var failure: String?
        do {
            made = try RustCloudTrialServices(baseUrl: baseUrl, dataDir: Self.dataDirectory().path)
        } catch {
            failure = userMessage(error)
            made = UnavailableServices(reason: failure ?? "")
        }
        services = made
        startupError = failure
        app = AppViewModel(auth: made.auth)
        app.start()
    }

    /// Application Support/CloudTrial: the session, the upload queue and cached evidence.
    /// Kept out of iCloud backups (it is the court's data, and can be fetched again).
    static func dataDirectory() throws -> URL {
        var url = try FileManager.default.url(for: .applicationSupportDirectory, in: .userDomainMask, appropriateFor: nil, create: true)
            .appendingPathComponent("CloudTrial", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        var values = URLResourceValues()
        values.isExcludedFromBackup = true
        try? url.setResourceValues(values)
        return url
    }
}

/// What the app runs on when the core cannot start: every call says why.
private final class UnavailableServices: CloudTrialServices, AuthService, @unchecked Sendable {
    let reason: String
    init(reason: String) { self.reason = reason }
    var auth: AuthService { self }
    func hearing() throws -> HearingServices { throw AppError.server(reason: reason) }
    func close() {}
    var sessionStatus: AsyncStream<SessionStatus> { AsyncStream { $0.yield(.loggedOut) } }
    func currentStatus() -> SessionStatus { .loggedOut }
    func requestLoginCode(meetingNumber: String, mobile: String) async throws -> LoginCodeSent { throw AppError.server(reason: reason) }
    func login(meetingNumber: String, mobile: String, code: String) async throws -> Session { throw AppError.server(reason: reason) }
    func hearingInfo() async throws -> HearingInfo { throw AppError.server(reason: reason) }
    func logout() async throws {}
}
