import Foundation

/// 圈注. Permission is per participant for the whole hearing (申请圈注, the
/// presiding judge's 通过/收回; judges and clerks need none); marks belong to
/// one evidence item. Both live in the hearing room, so an item's annotation
/// is opened over the room the participant is in.
public protocol AnnotationService: AnyObject, Sendable {
    /// 圈注 over `evidenceId` in `room`; close it when the viewer closes.
    func open(room: HearingRoom, evidenceId: String) throws -> EvidenceAnnotation
}

/// The marks over one evidence item, and drawing on it. Failures are `AppError`s.
public protocol EvidenceAnnotation: AnyObject, Sendable {
    /// The marks now, then every change (marks, others' strokes in progress, the judge's decision).
    var updates: AsyncStream<EvidenceMarks> { get }

    func current() -> EvidenceMarks

    /// 申请圈注: asks the presiding judge.
    func request() async throws

    /// The stroke so far, while the finger moves: others see it live (throttled by the core; not stored).
    func preview(page: Int, colour: MarkColour, shape: MarkShape) throws

    /// The stroke is given up without a mark (too small, the touch cancelled, the
    /// viewer closed mid-stroke): whoever was shown it drops it. The next preview
    /// starts a new stroke; nothing is sent when no preview of this one went out.
    func abandon() throws

    /// Commits a finished mark; returns its id.
    func draw(page: Int, colour: MarkColour, shape: MarkShape) async throws -> Int64

    /// 撤销 this participant's latest mark on the item; its id, or nil when there was none.
    func undo() async throws -> Int64?

    /// Takes a mark away: one's own (the presiding judge: any).
    func remove(markId: Int64) async throws

    func close()
}
