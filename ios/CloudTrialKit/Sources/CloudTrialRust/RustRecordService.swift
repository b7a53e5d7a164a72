import CloudTrialCore
import CloudTrialFeatures
import Foundation

final class RustRecordService: RecordService, @unchecked Sendable {
    private let inner: HearingRecord

    init(_ inner: HearingRecord) {
        self.inner = inner
    }

    func fetch() async throws -> CloudTrialFeatures.RecordView {
        try await mapErrors { try await inner.fetch() }.toApp()
    }

    func versionsAfter(_ after: Int) async throws -> [RecordDocument] {
        try await mapErrors { try await inner.versionsAfter(after: UInt32(after)) }.map { $0.toApp() }
    }

    /// Events, not states: every saved version is delivered, so the buffer is unbounded.
    func follow(room: CloudTrialFeatures.HearingRoom) -> AsyncStream<RecordEvent> {
        guard let room = room as? RustHearingRoom else {
            preconditionFailure("a Rust-backed room is needed to follow the record")
        }
        let (stream, continuation) = AsyncStream<RecordEvent>.makeStream(bufferingPolicy: .unbounded)
        let handle = inner.follow(room: room.inner, listener: RecordForwarder(continuation))
        continuation.onTermination = { _ in handle.cancel() }
        return stream
    }

    func signWithStrokes(read: RecordDocument, strokes: [[CloudTrialFeatures.StrokePoint]], width: Float, height: Float) async throws -> CloudTrialFeatures.SignatureInfo {
        let points = strokes.map { $0.map { CloudTrialCore.StrokePoint(x: $0.x, y: $0.y) } }
        return try await mapErrors {
            try await inner.signWithStrokes(read: read.toCore(), strokes: points, width: width, height: height)
        }.toApp()
    }

    func mySignature() async throws -> CloudTrialFeatures.MySignature? {
        try await mapErrors { try await inner.mySignature() }.map { $0.toApp() }
    }

    func signedPdf() async throws -> String {
        try await mapErrors { try await inner.signedPdf() }
    }
}

private final class RecordForwarder: RecordListener, @unchecked Sendable {
    private let continuation: AsyncStream<RecordEvent>.Continuation

    init(_ continuation: AsyncStream<RecordEvent>.Continuation) {
        self.continuation = continuation
    }

    func onView(view: CloudTrialCore.RecordView) {
        continuation.yield(.view(view.toApp()))
    }

    func onVersion(version: RecordVersion) {
        continuation.yield(.version(version.toApp()))
    }

    func onError(error: ClientError) {
        continuation.yield(.failed(error.appError))
    }
}
