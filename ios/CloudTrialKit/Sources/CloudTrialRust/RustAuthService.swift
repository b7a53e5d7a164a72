import CloudTrialCore
import CloudTrialFeatures

final class RustAuthService: AuthService, @unchecked Sendable {
    private let client: CloudTrialClient
    private let device: DeviceKind

    init(client: CloudTrialClient, device: DeviceKind) {
        self.client = client
        self.device = device
    }

    var sessionStatus: AsyncStream<SessionStatus> {
        subscription(map: { $0.toApp() }) { client.subscribeSession(listener: $0) }
    }

    func currentStatus() -> SessionStatus {
        client.sessionState().toApp()
    }

    func requestLoginCode(meetingNumber: String, mobile: String) async throws -> CloudTrialFeatures.LoginCodeSent {
        try await mapErrors {
            try await client.requestLoginCode(meetingNumber: meetingNumber.trimmed, mobile: mobile.trimmed)
        }.toApp()
    }

    func login(meetingNumber: String, mobile: String, code: String) async throws -> Session {
        try await mapErrors {
            try await client.login(meetingNumber: meetingNumber.trimmed, mobile: mobile.trimmed, code: code.trimmed, device: device)
        }.toApp()
    }

    func hearingInfo() async throws -> HearingInfo {
        try await mapErrors { try await client.hearingDetails() }.toApp()
    }

    func logout() async throws {
        try await mapErrors { try await client.logout() }
    }
}

extension String {
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
