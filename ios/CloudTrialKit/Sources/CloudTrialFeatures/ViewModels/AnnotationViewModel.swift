import Foundation
import Observation

/// A mark this phone is drawing, or has committed (`id` once the server took it) and not yet seen come back.
public struct OwnStroke: Equatable, Sendable {
    public var page: Int
    public var colour: MarkColour
    public var shape: MarkShape
    public var id: Int64?
}

public struct AnnotationState: Equatable, Sendable {
    /// Committed marks, everyone's, every page.
    public var marks: [Mark] = []
    /// Others' strokes in progress.
    public var previews: [Mark] = []
    public var annotating = Annotating.no
    public var mayDraw = false
    public var tool = AnnotationTool.pen
    public var colour = MarkColour.red
    /// Drawing mode: the finger draws instead of panning and zooming.
    public var drawingMode = false
    /// The stroke under the finger now.
    public var stroke: OwnStroke?
    /// Committed by this phone, shown until the server's mark arrives.
    public var committing: OwnStroke?
    /// 文字: where the text goes, while the text is typed.
    public var textAt: (page: Int, at: PagePoint)? {
        get { textPage.flatMap { page in textPoint.map { (page, $0) } } }
        set { textPage = newValue?.page; textPoint = newValue?.at }
    }
    private var textPage: Int?
    private var textPoint: PagePoint?
    public var loaded = false
    public var error: String?

    public init() {}

    /// Show 申请圈注.
    public var canRequest: Bool { loaded && annotating == .no }
    /// 已申请圈注，等待法官同意
    public var waiting: Bool { annotating == .requested }
    /// The finger draws (the toolbar's tool is active).
    public var drawing: Bool { mayDraw && drawingMode }
    /// 撤销 applies to one's own latest mark.
    public var canUndo: Bool { mayDraw }

    public func marks(on page: Int) -> [Mark] { marks.filter { $0.page == page } }
    public func previews(on page: Int) -> [Mark] { previews.filter { $0.page == page } }
}

/// 圈注 over one evidence item in the viewer: everyone's marks and live strokes,
/// 申请圈注, the toolbar (tool, colour, 撤销) and the finger's stroke, in page
/// fractions (0..1). The view reports touch positions already divided by the
/// page's size; everything else is decided here.
@MainActor
@Observable
public final class AnnotationViewModel {
    public static let maxInkPoints = 2000
    public static let maxTextCharacters = 60
    public static let nothingToUndo = "没有可撤销的圈注"

    public private(set) var state = AnnotationState()
    private let service: AnnotationService
    private let room: HearingRoom
    private let evidenceId: String
    /// This participant: its own live preview is drawn from `state.stroke`, not from the server's echo.
    private let myId: Int64?
    @ObservationIgnored private var session: EvidenceAnnotation?
    @ObservationIgnored private var task: Task<Void, Never>?

    public init(service: AnnotationService, room: HearingRoom, evidenceId: String, myId: Int64?) {
        self.service = service
        self.room = room
        self.evidenceId = evidenceId
        self.myId = myId
    }

    public func start() {
        guard session == nil else { return }
        do {
            let opened = try service.open(room: room, evidenceId: evidenceId)
            session = opened
            let updates = opened.updates
            task = Task { [weak self] in
                for await marks in updates {
                    self?.apply(marks)
                }
            }
        } catch {
            state.error = userMessage(error)
        }
    }

    private func apply(_ now: EvidenceMarks) {
        var s = state
        s.marks = now.marks
        s.previews = now.previews.filter { $0.authorId != myId }
        s.annotating = now.annotating
        s.mayDraw = now.mayDraw
        s.loaded = true
        // The judge withdrew the permission (or 休庭, a block) mid-stroke: the stroke goes.
        let dropped = !now.mayDraw && s.stroke != nil
        if !now.mayDraw {
            s.stroke = nil
            s.textAt = nil
        }
        if let c = s.committing, let id = c.id, now.marks.contains(where: { $0.id == id }) { s.committing = nil }
        state = s
        if dropped { abandon() }
    }

    /// 申请圈注
    public func request() {
        guarded { try await $0.request() }
    }

    public func chooseTool(_ tool: AnnotationTool) {
        dropStroke()
        var s = state
        s.tool = tool
        s.drawingMode = true
        s.stroke = nil
        s.textAt = nil
        state = s
    }

    public func chooseColour(_ colour: MarkColour) {
        state.colour = colour
        state.drawingMode = true
    }

    /// 浏览: back to panning and zooming the evidence.
    public func stopDrawing() {
        dropStroke()
        var s = state
        s.drawingMode = false
        s.stroke = nil
        s.textAt = nil
        state = s
    }

    public func pointerDown(page: Int, x: Float, y: Float) {
        let s = state
        guard s.drawing else { return }
        let at = Self.point(x, y)
        let shape: MarkShape
        switch s.tool {
        case .text:
            state.textAt = (page, at)
            return
        case .pen: shape = .ink(points: [at])
        case .rectangle: shape = .rectangle(from: at, to: at)
        case .ellipse: shape = .ellipse(from: at, to: at)
        case .arrow: shape = .arrow(from: at, to: at)
        }
        state.stroke = OwnStroke(page: page, colour: s.colour, shape: shape)
    }

    public func pointerMove(x: Float, y: Float) {
        guard var stroke = state.stroke else { return }
        let at = Self.point(x, y)
        switch stroke.shape {
        case let .ink(points):
            if points.count < Self.maxInkPoints && points.last != at { stroke.shape = .ink(points: points + [at]) }
        case let .rectangle(from, _): stroke.shape = .rectangle(from: from, to: at)
        case let .ellipse(from, _): stroke.shape = .ellipse(from: from, to: at)
        case let .arrow(from, _): stroke.shape = .arrow(from: from, to: at)
        case .text: break
        }
        state.stroke = stroke
        // Live for the others; the core throttles. A refusal here shows on commit.
        try? session?.preview(page: stroke.page, colour: stroke.colour, shape: stroke.shape)
    }

    public func pointerUp() {
        guard let stroke = state.stroke else { return }
        guard Self.big(stroke.shape) else {
            // A tap, or a shape dragged back to where it began: no mark, and the others stop seeing it.
            dropStroke()
            return
        }
        state.stroke = nil
        commit(stroke)
    }

    /// The touch was cancelled (the system took the gesture, the page went away): the stroke is given up.
    public func pointerCancel() {
        dropStroke()
    }

    /// 文字: the typed text goes where the finger touched.
    public func placeText(_ text: String) {
        guard let (page, at) = state.textAt else { return }
        state.textAt = nil
        let trimmed = String(text.trimmingCharacters(in: .whitespacesAndNewlines).prefix(Self.maxTextCharacters))
        guard !trimmed.isEmpty else { return }
        commit(OwnStroke(page: page, colour: state.colour, shape: .text(at: at, text: trimmed)))
    }

    public func cancelText() {
        state.textAt = nil
    }

    private func commit(_ stroke: OwnStroke) {
        state.committing = stroke
        guard let session else { return }
        Task {
            do {
                let id = try await session.draw(page: stroke.page, colour: stroke.colour, shape: stroke.shape)
                if state.committing == stroke {
                    let arrived = state.marks.contains { $0.id == id }
                    var committed = stroke
                    committed.id = id
                    state.committing = arrived ? nil : committed
                }
            } catch {
                state.error = userMessage(error)
                state.committing = nil
            }
        }
    }

    /// 撤销
    public func undo() {
        guarded { [weak self] session in
            if try await session.undo() == nil { self?.state.error = Self.nothingToUndo }
        }
    }

    public func dismissError() {
        state.error = nil
    }

    public func stop() {
        // The viewer closes mid-stroke: the others must not keep a stroke that will never end.
        dropStroke()
        task?.cancel()
        task = nil
        session?.close()
        session = nil
    }

    /// The stroke under the finger ends without a mark.
    private func dropStroke() {
        guard state.stroke != nil else { return }
        state.stroke = nil
        abandon()
    }

    /// Tells the core the stroke was given up; it clears what the others were shown of it, if anything.
    private func abandon() {
        // Not connected: nothing more to do, the server clears the stroke of a drawer who drops or comes back.
        try? session?.abandon()
    }

    private func guarded(_ action: @escaping (EvidenceAnnotation) async throws -> Void) {
        guard let session else { return }
        Task {
            do { try await action(session) } catch { state.error = userMessage(error) }
        }
    }

    private static func point(_ x: Float, _ y: Float) -> PagePoint {
        PagePoint(x: min(max(x, 0), 1), y: min(max(y, 0), 1))
    }

    /// A tap is not a mark: a line needs two points, a box some size.
    private static func big(_ shape: MarkShape) -> Bool {
        func far(_ a: PagePoint, _ b: PagePoint) -> Bool { abs(b.x - a.x) + abs(b.y - a.y) > 0.005 }
        switch shape {
        case let .ink(points): return points.count > 1
        case let .rectangle(from, to), let .ellipse(from, to), let .arrow(from, to): return far(from, to)
        case let .text(_, text): return !text.trimmingCharacters(in: .whitespaces).isEmpty
        }
    }
}
