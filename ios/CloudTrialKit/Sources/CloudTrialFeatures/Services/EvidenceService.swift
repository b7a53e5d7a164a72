import Foundation

/// 证据材料. Uploads go through the core's queue: the file is copied, kept in
/// the local database and sent in resumable chunks, so an upload continues
/// after the app is killed, as soon as the service is opened again.
public protocol EvidenceService: AnyObject, Sendable {
    /// Both sides' evidence, grouped by side: now, then every change.
    var sides: AsyncStream<[EvidenceSide]> { get }

    /// This participant's uploads and their progress: now, then every change.
    var uploads: AsyncStream<[Upload]> { get }

    func currentUploads() -> [Upload]

    /// Whether 上传证据 is offered now; read again on every `sides` update (a new hearing status sends one).
    func submitting() -> Submitting

    /// Keeps `sides` current from the room's notices.
    func follow(room: HearingRoom)

    /// The form's rule, asked before the form closes: throws the reason a submission would be refused.
    func check(details: NewEvidence) throws

    /// Queues a local file (already copied out of the picker); returns its local id.
    func upload(path: String, details: NewEvidence) async throws -> Int64

    func pause(localId: Int64) throws

    func resume(localId: Int64) throws

    @discardableResult
    func refresh() async throws -> [EvidenceSide]

    /// A local file for viewing (downloaded once, then cached); `progress` hears how much has arrived
    /// (on the core's threads).
    func file(evidenceId: String, kind: EvidenceFileKind, progress: @escaping @Sendable (DownloadProgress) -> Void) async throws -> String

    /// 质证
    func giveOpinion(evidenceId: String, opinion: OpinionDraft) async throws -> Evidence

    func withdraw(evidenceId: String) async throws -> Evidence
}
