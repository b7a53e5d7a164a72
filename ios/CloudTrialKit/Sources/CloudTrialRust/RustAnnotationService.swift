import CloudTrialCore
import CloudTrialFeatures
import Foundation

/// 圈注 through the bindings: one `AnnotationSession` of the core per opened evidence item.
final class RustAnnotationService: AnnotationService, @unchecked Sendable {
    func open(room: CloudTrialFeatures.HearingRoom, evidenceId: String) throws -> EvidenceAnnotation {
        guard let room = room as? RustHearingRoom else {
            throw AppError.invalidInput(reason: "圈注需要在庭审中进行")
        }
        return RustEvidenceAnnotation(room.inner.annotation(evidenceId: evidenceId))
    }
}

final class RustEvidenceAnnotation: EvidenceAnnotation, @unchecked Sendable {
    private let lock = NSLock()
    private var open: AnnotationSession?

    init(_ inner: AnnotationSession) {
        open = inner
    }

    private var inner: AnnotationSession? {
        lock.lock()
        defer { lock.unlock() }
        return open
    }

    private func session() throws -> AnnotationSession {
        guard let inner else { throw AppError.invalidInput(reason: "圈注已关闭") }
        return inner
    }

    /// States, not events: a slow reader gets the newest.
    var updates: AsyncStream<CloudTrialFeatures.EvidenceMarks> {
        guard let inner else { return AsyncStream { $0.finish() } }
        return subscription(map: { $0.toApp() }) { inner.subscribe(listener: $0) }
    }

    func current() -> CloudTrialFeatures.EvidenceMarks {
        inner?.marks().toApp() ?? CloudTrialFeatures.EvidenceMarks()
    }

    func request() async throws {
        let session = try session()
        try await mapErrors { try await session.request() }
    }

    func preview(page: Int, colour: CloudTrialFeatures.MarkColour, shape: CloudTrialFeatures.MarkShape) throws {
        let session = try session()
        try mapErrors { try session.preview(page: UInt32(page), colour: colour.toCore(), shape: shape.toCore()) }
    }

    func abandon() throws {
        let session = try session()
        try mapErrors { try session.abandon() }
    }

    func draw(page: Int, colour: CloudTrialFeatures.MarkColour, shape: CloudTrialFeatures.MarkShape) async throws -> Int64 {
        let session = try session()
        return try await mapErrors { try await session.draw(page: UInt32(page), colour: colour.toCore(), shape: shape.toCore()) }
    }

    func undo() async throws -> Int64? {
        let session = try session()
        return try await mapErrors { try await session.undo() }
    }

    func remove(markId: Int64) async throws {
        let session = try session()
        try await mapErrors { try await session.remove(markId: markId) }
    }

    /// Drops the core's session (the Swift object is its one owner).
    func close() {
        lock.lock()
        open = nil
        lock.unlock()
    }
}
