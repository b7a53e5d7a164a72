import CloudTrialCore
import CloudTrialFeatures
import Foundation

final class RustEvidenceService: EvidenceService, @unchecked Sendable {
    private let inner: HearingEvidence

    init(_ inner: HearingEvidence) {
        self.inner = inner
    }

    var sides: AsyncStream<[EvidenceSide]> {
        subscription(map: { $0.map { $0.toApp() } }) { inner.subscribeEvidence(listener: $0) }
    }

    var uploads: AsyncStream<[Upload]> {
        subscription(map: { $0.map { $0.toApp() } }) { inner.subscribeUploads(listener: $0) }
    }

    func currentUploads() -> [Upload] {
        inner.uploads().map { $0.toApp() }
    }

    func submitting() -> CloudTrialFeatures.Submitting {
        inner.submitting().toApp()
    }

    func follow(room: CloudTrialFeatures.HearingRoom) {
        guard let room = room as? RustHearingRoom else {
            preconditionFailure("a Rust-backed room is needed to follow its notices")
        }
        inner.follow(room: room.inner)
    }

    func check(details: NewEvidence) throws {
        try mapErrors { try inner.checkDetails(details: details.toCore()) }
    }

    func upload(path: String, details: NewEvidence) async throws -> Int64 {
        try await mapErrors { try await inner.uploadEvidence(path: path, details: details.toCore()) }
    }

    func pause(localId: Int64) throws {
        try mapErrors { try inner.pause(localId: localId) }
    }

    func resume(localId: Int64) throws {
        try mapErrors { try inner.resume(localId: localId) }
    }

    func refresh() async throws -> [EvidenceSide] {
        try await mapErrors { try await inner.refresh() }.map { $0.toApp() }
    }

    func file(
        evidenceId: String, kind: EvidenceFileKind, progress: @escaping @Sendable (CloudTrialFeatures.DownloadProgress) -> Void
    ) async throws -> String {
        let listener = SDKListener<CloudTrialCore.DownloadProgress> { progress($0.toApp()) }
        return try await mapErrors { try await inner.file(evidenceId: evidenceId, which: kind.toCore(), listener: listener) }
    }

    func giveOpinion(evidenceId: String, opinion: OpinionDraft) async throws -> Evidence {
        try await mapErrors { try await inner.giveOpinion(evidenceId: evidenceId, opinion: opinion.toCore()) }.toApp()
    }

    func withdraw(evidenceId: String) async throws -> Evidence {
        try await mapErrors { try await inner.withdraw(evidenceId: evidenceId) }.toApp()
    }
}
