import Foundation
import Observation

public struct RecordState: Equatable, Sendable {
    /// 笔录列表: every version seen, newest first.
    public var versions: [RecordDocument] = []
    /// 笔录详情: the version opened (nil: the list).
    public var selected: Int?
    public var signing: SigningRound?
    /// The clerk started signing and this participant has not signed: show 签名.
    public var mustSign = false
    /// The clerk started a round this participant must sign, not yet answered: it pops up over any tab.
    public var signPrompt = false
    public var mySignatureInfo: SignatureInfo?
    /// 笔录自动刷新
    public var autoRefresh = true
    /// The signing pad is open, with what was drawn so far.
    public var signingPad = false
    public var strokes: [[StrokePoint]] = []
    public var submitting = false
    /// 查看签名: the image, once asked for.
    public var mySignature: MySignature?
    /// 下载签名笔录: the PDF downloaded (and checked against its hash by the core), to hand to a viewer.
    public var pdf: String?
    public var openingPdf = false
    public var error: String?

    public init() {}

    /// The signed record can be downloaded while its signing round stands (as on the web).
    public var pdfOffered: Bool { signing?.open == true }
    /// Everyone asked has signed: 下载签名笔录 rather than 下载笔录（签名未完成）.
    public var allSigned: Bool {
        guard let signers = signing?.signers, !signers.isEmpty else { return false }
        return signers.allSatisfy { $0.signature != nil }
    }

    public var latest: RecordDocument? { versions.first }
    public var detail: RecordDocument? { selected.flatMap { v in versions.first { $0.version == v } } }
}

/// 庭审笔录: the list and detail, kept current, signing with a finger, 查看签名.
@MainActor
@Observable
public final class RecordViewModel {
    public private(set) var state = RecordState()
    private let record: RecordService
    @ObservationIgnored private var following: Task<Void, Never>?
    @ObservationIgnored private var room: HearingRoom?
    /// The signing round whose pop-up was answered (签名 or 稍后).
    @ObservationIgnored private var answeredRound: Int64?

    public init(record: RecordService) {
        self.record = record
    }

    /// Follows the record while in the room (笔录自动刷新), or fetches it once without a room.
    public func start(room: HearingRoom?) {
        self.room = room
        if let room, state.autoRefresh { follow(room) } else { refresh() }
    }

    private func follow(_ room: HearingRoom) {
        following?.cancel()
        let events = record.follow(room: room)
        following = Task { [weak self] in
            for await event in events {
                guard let self else { return }
                switch event {
                case let .view(view): self.onView(view)
                case let .version(document): self.addVersion(document)
                case let .failed(error): self.state.error = error.reason
                }
            }
        }
    }

    public func setAutoRefresh(_ on: Bool) {
        state.autoRefresh = on
        if on, let room {
            follow(room)
        } else {
            following?.cancel()
            following = nil
        }
    }

    /// 刷新
    public func refresh() {
        Task {
            do {
                let view = try await record.fetch()
                let known = state.latest?.version ?? 0
                if known > 0 {
                    for document in try await record.versionsAfter(known) { addVersion(document) }
                }
                onView(view)
            } catch {
                state.error = userMessage(error)
            }
        }
    }

    private func onView(_ view: RecordView) {
        if let latest = view.latest { addVersion(latest) }
        var next = state
        next.signing = view.signing
        next.mustSign = view.mustSign
        next.signPrompt = view.mustSign && view.signing != nil && view.signing?.id != answeredRound
        next.mySignatureInfo = view.mySignature
        // Nothing left to sign (signed, here or on another device, or the round withdrawn): the pad closes.
        next.signingPad = state.signingPad && view.mustSign
        state = next
    }

    private func addVersion(_ document: RecordDocument) {
        guard !state.versions.contains(where: { $0.version == document.version }) else { return }
        state.versions = (state.versions + [document]).sorted { $0.version > $1.version }
    }

    public func select(_ version: Int?) {
        state.selected = version
    }

    /// 签名: opens the pad on the version to sign.
    public func openSigningPad() {
        answeredRound = state.signing?.id
        var next = state
        next.signingPad = true
        next.signPrompt = false
        next.strokes = []
        next.error = nil
        state = next
    }

    /// 稍后签名: the pop-up goes; the banner in 庭审笔录 stays until signed.
    public func dismissSignPrompt() {
        answeredRound = state.signing?.id
        state.signPrompt = false
    }

    public func closeSigningPad() {
        var next = state
        next.signingPad = false
        next.strokes = []
        state = next
    }

    /// A finger touched the pad: a new stroke.
    public func strokeStarted(x: Float, y: Float) {
        state.strokes.append([StrokePoint(x: x, y: y)])
    }

    /// The finger moved: extends the current stroke.
    public func strokeMoved(x: Float, y: Float) {
        guard !state.strokes.isEmpty else { return }
        state.strokes[state.strokes.count - 1].append(StrokePoint(x: x, y: y))
    }

    /// 重写
    public func clearStrokes() {
        state.strokes = []
    }

    /// 确认签名: signs the version the signing round froze, with the strokes drawn on a `width`×`height` pad.
    public func submitSignature(width: Float, height: Float) {
        let s = state
        guard let round = s.signing, let read = s.versions.first(where: { $0.version == round.version }),
              !s.strokes.isEmpty, !s.submitting else { return }
        state.submitting = true
        state.error = nil
        Task {
            do {
                let info = try await record.signWithStrokes(read: read, strokes: s.strokes, width: width, height: height)
                var next = state
                next.submitting = false
                next.signingPad = false
                next.strokes = []
                next.mustSign = false
                next.signPrompt = false
                next.mySignatureInfo = info
                state = next
            } catch {
                state.submitting = false
                state.error = userMessage(error)
            }
        }
    }

    /// 查看签名
    public func showMySignature() {
        Task {
            do { state.mySignature = try await record.mySignature() } catch { state.error = userMessage(error) }
        }
    }

    public func hideMySignature() {
        state.mySignature = nil
    }

    /// 下载签名笔录: the record PDF with every signature given so far.
    public func openSignedPdf() {
        guard !state.openingPdf else { return }
        state.openingPdf = true
        state.error = nil
        Task {
            do {
                let path = try await record.signedPdf()
                var next = state
                next.openingPdf = false
                next.pdf = path
                state = next
            } catch {
                state.openingPdf = false
                state.error = userMessage(error)
            }
        }
    }

    /// The viewer was closed.
    public func closePdf() {
        state.pdf = nil
    }

    public func dismissError() {
        state.error = nil
    }

    public func stop() {
        following?.cancel()
        following = nil
    }
}
