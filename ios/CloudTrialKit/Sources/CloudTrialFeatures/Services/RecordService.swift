import Foundation

/// 庭审笔录: read, follow, sign.
public protocol RecordService: AnyObject, Sendable {
    /// 刷新
    func fetch() async throws -> RecordView

    /// Versions saved after `after`, oldest first (the record list).
    func versionsAfter(_ after: Int) async throws -> [RecordDocument]

    /// 笔录自动刷新 while in the room: the record now, then each saved version (events: none is dropped).
    func follow(room: HearingRoom) -> AsyncStream<RecordEvent>

    /// Signs `read` (the version shown) with the strokes drawn on a `width`×`height` pad.
    func signWithStrokes(read: RecordDocument, strokes: [[StrokePoint]], width: Float, height: Float) async throws -> SignatureInfo

    /// 查看签名
    func mySignature() async throws -> MySignature?

    /// The signed record PDF, downloaded into the app's files.
    func signedPdf() async throws -> String
}
