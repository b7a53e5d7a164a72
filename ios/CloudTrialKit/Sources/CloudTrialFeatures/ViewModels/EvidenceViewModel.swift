import Foundation
import Observation

public struct EvidenceRow: Equatable, Sendable, Identifiable {
    public var evidence: Evidence
    public var mine: Bool
    /// 质证: a party's opinion on another side's evidence.
    public var canGiveOpinion: Bool

    public var id: String { evidence.id }
}

public struct EvidenceSideRows: Equatable, Sendable, Identifiable {
    public var sideLabel: String
    public var rows: [EvidenceRow]

    public var id: String { sideLabel }
}

/// What the full-screen viewer shows.
public enum Viewer: Equatable, Sendable {
    case image(evidenceId: String, title: String, path: String)
    case pdf(evidenceId: String, title: String, path: String)
    /// Audio, video and documents: handed to Quick Look.
    case external(evidenceId: String, title: String, path: String, mediaType: String)

    public var evidenceId: String {
        switch self {
        case let .image(id, _, _), let .pdf(id, _, _), let .external(id, _, _, _): return id
        }
    }

    public var title: String {
        switch self {
        case let .image(_, title, _), let .pdf(_, title, _), let .external(_, title, _, _): return title
        }
    }

    public var path: String {
        switch self {
        case let .image(_, _, path), let .pdf(_, _, path), let .external(_, _, path, _): return path
        }
    }
}

/// A picked file before it is submitted: the form fills the title and marks counter-evidence.
public struct PendingUpload: Equatable, Sendable {
    public var path: String
    public var fileName: String
    public var title: String
    public var purpose = ""
    public var counter = false
}

public struct EvidenceState: Equatable, Sendable {
    public var sides: [EvidenceSideRows] = []
    /// This participant's uploads with their progress, newest last.
    public var uploads: [Upload] = []
    /// 上传证据 is shown only while `.open`; after 闭庭 a party reads why.
    public var submitting = Submitting.notForRole
    /// A file picked from the photo library or Files, waiting for 标题 and 反证 before it is queued.
    public var pending: PendingUpload?
    public var opening: String?
    /// How much of the file being opened has arrived, when its size is known.
    public var openingPercent: Int?
    public var viewer: Viewer?
    public var error: String?

    public init() {}

    public var uploading: Bool { uploads.contains { $0.status == .queued || $0.status == .uploading } }
}

/// 证据材料: both sides' lists with 反, viewing, 质证, and uploads from the photo library or Files.
@MainActor
@Observable
public final class EvidenceViewModel {
    public private(set) var state = EvidenceState()
    private let evidence: EvidenceService
    @ObservationIgnored private var tasks: [Task<Void, Never>] = []

    public init(evidence: EvidenceService) {
        self.evidence = evidence
    }

    public func start(room: HearingRoom?) {
        guard tasks.isEmpty else { return }
        if let room { evidence.follow(room: room) }
        let sides = evidence.sides
        tasks.append(Task { [weak self] in
            for await list in sides {
                guard let self else { return }
                self.state.sides = list.map { side in EvidenceSideRows(sideLabel: side.sideLabel, rows: side.items.map(self.row)) }
                self.state.submitting = self.evidence.submitting()
            }
        })
        let uploads = evidence.uploads
        tasks.append(Task { [weak self] in
            for await list in uploads {
                self?.state.uploads = list
            }
        })
    }

    private func row(_ e: Evidence) -> EvidenceRow {
        EvidenceRow(evidence: e, mine: e.mine, canGiveOpinion: e.mayGiveOpinion)
    }

    /// A file from the photo picker or Files, copied to `path`.
    public func picked(path: String, fileName: String, counter: Bool = false) {
        // A file picked after 闭庭: the form would only be refused.
        if case let .closed(reason) = state.submitting {
            state.error = reason
            return
        }
        let stem = (fileName as NSString).deletingPathExtension
        state.pending = PendingUpload(path: path, fileName: fileName, title: stem.isEmpty ? fileName : stem, counter: counter)
        state.error = nil
    }

    public func editPending(title: String? = nil, purpose: String? = nil, counter: Bool? = nil) {
        guard var p = state.pending else { return }
        if let title { p.title = title }
        if let purpose { p.purpose = purpose }
        if let counter { p.counter = counter }
        state.pending = p
    }

    public func cancelPending() {
        state.pending = nil
    }

    /// 提交: queues the pending file; progress follows in `state.uploads`.
    public func submitPending() {
        guard let p = state.pending else { return }
        let details = NewEvidence(
            title: p.title.trimmingCharacters(in: .whitespacesAndNewlines),
            purpose: p.purpose.trimmingCharacters(in: .whitespacesAndNewlines),
            counter: p.counter
        )
        // Asked before the form closes: refused after, the party would fill it in again.
        do {
            try evidence.check(details: details)
        } catch {
            state.error = userMessage(error)
            return
        }
        state.pending = nil
        state.error = nil
        Task {
            do {
                _ = try await evidence.upload(path: p.path, details: details)
            } catch {
                state.error = userMessage(error)
            }
        }
    }

    public func pause(_ localId: Int64) {
        do { try evidence.pause(localId: localId) } catch { state.error = userMessage(error) }
    }

    public func resume(_ localId: Int64) {
        do { try evidence.resume(localId: localId) } catch { state.error = userMessage(error) }
    }

    /// 刷新
    public func refresh() {
        Task {
            do { try await evidence.refresh() } catch { state.error = userMessage(error) }
        }
    }

    /// Opens an item full screen: the best file this participant may see.
    public func open(_ id: String) {
        guard let row = state.sides.flatMap(\.rows).first(where: { $0.evidence.id == id }) else { return }
        state.opening = id
        state.openingPercent = nil
        state.error = nil
        Task {
            var last: Error?
            for kind in kindsToView(row) {
                do {
                    let path = try await evidence.file(evidenceId: id, kind: kind) { progress in
                        Task { @MainActor in self.arrived(progress, opening: id) }
                    }
                    let e = row.evidence
                    let viewer: Viewer
                    if e.isImage || kind == .preview {
                        viewer = .image(evidenceId: id, title: e.title, path: path)
                    } else if e.isPdf {
                        viewer = .pdf(evidenceId: id, title: e.title, path: path)
                    } else {
                        viewer = .external(evidenceId: id, title: e.title, path: path, mediaType: e.mediaType)
                    }
                    state.opening = nil
                    state.openingPercent = nil
                    state.viewer = viewer
                    return
                } catch AppError.forbidden(let reason) {
                    last = AppError.forbidden(reason: reason)
                } catch {
                    last = error
                    break
                }
            }
            state.opening = nil
            state.openingPercent = nil
            state.error = last.map(userMessage)
        }
    }

    /// Reports hop to the main actor one by one, and may arrive out of order: the bar never goes back.
    private func arrived(_ progress: DownloadProgress, opening id: String) {
        guard state.opening == id, let percent = progress.percent else { return }
        state.openingPercent = max(state.openingPercent ?? 0, percent)
    }

    private func kindsToView(_ row: EvidenceRow) -> [EvidenceFileKind] {
        let e = row.evidence
        if row.mine || e.originalReleased { return [.original, .preview] }
        if e.isImage { return [.copy, .preview] }
        return e.hasPreview ? [.original, .preview] : [.original]
    }

    public func closeViewer() {
        state.viewer = nil
    }

    /// 质证意见: 真实性, 合法性, 关联性.
    public func giveOpinion(_ id: String, _ opinion: OpinionDraft) {
        Task {
            do {
                _ = try await evidence.giveOpinion(evidenceId: id, opinion: opinion)
                try await evidence.refresh()
            } catch {
                state.error = userMessage(error)
            }
        }
    }

    public func dismissError() {
        state.error = nil
    }

    public func stop() {
        tasks.forEach { $0.cancel() }
        tasks.removeAll()
    }
}
