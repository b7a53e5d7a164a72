import CloudTrialCore
import CloudTrialFeatures
import Foundation

/// The app's services backed by the Rust core, for one court server. The only
/// place that creates generated objects; everything above sees protocols.
///
/// `dataDir` is a directory the app owns (Application Support); the session
/// and the upload queue live there, so both survive the app being killed.
public final class RustCloudTrialServices: CloudTrialServices, @unchecked Sendable {
    public let auth: AuthService
    private let client: CloudTrialClient
    private let device: DeviceKind
    private let lock = NSLock()
    private var current: (participantId: Int64, services: RustHearingServices)?

    public init(baseUrl: String, dataDir: String) throws {
        client = try mapErrors { try CloudTrialClient(baseUrl: baseUrl, dataDir: dataDir) }
        device = .iphone
        auth = RustAuthService(client: client, device: device)
    }

    /// The core's logs on standard error (the Xcode console). `filter` as RUST_LOG, e.g. "info".
    public static func enableLogging(_ filter: String = "info") {
        initLogging(filter: filter)
    }

    /// One set per session: a second call gives the same services (one upload queue, one record follower).
    public func hearing() throws -> HearingServices {
        guard let session = client.sessionState().toApp().session else {
            throw AppError.notLoggedIn(reason: "请先登录")
        }
        lock.lock()
        defer { lock.unlock() }
        if let current, current.participantId == session.participantId { return current.services }
        current?.services.close()
        let services = try RustHearingServices(client: client, device: device)
        current = (session.participantId, services)
        return services
    }

    public func close() {
        lock.lock()
        defer { lock.unlock() }
        current?.services.close()
        current = nil
    }
}

final class RustHearingServices: HearingServices, @unchecked Sendable {
    let evidence: EvidenceService
    let record: RecordService
    /// 圈注: an item's annotation is opened over the room (see `RustAnnotationService`).
    let annotation: AnnotationService = RustAnnotationService()
    private let client: CloudTrialClient
    private let device: DeviceKind

    init(client: CloudTrialClient, device: DeviceKind) throws {
        self.client = client
        self.device = device
        evidence = RustEvidenceService(try mapErrors { try client.evidence() })
        record = RustRecordService(try mapErrors { try client.record() })
    }

    func enterRoom() throws -> CloudTrialFeatures.HearingRoom {
        RustHearingRoom(try mapErrors { try client.joinHearing(device: device) })
    }

    /// The core objects go with the last reference to them (Swift owns them).
    func close() {}
}
