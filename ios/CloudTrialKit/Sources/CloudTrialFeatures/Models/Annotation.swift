import Foundation

/// 圈注: marks over a piece of evidence. A mark is on one page (1 for an
/// image; PDF pages from 1) and its points are fractions (0..1) of the page's
/// width and height, so every rendering of the page, at any size, puts it in
/// the same place.
public struct PagePoint: Equatable, Hashable, Sendable {
    public var x: Float
    public var y: Float

    public init(x: Float, y: Float) {
        self.x = x
        self.y = y
    }
}

/// The four pens of the toolbar.
public enum MarkColour: CaseIterable, Sendable, Equatable {
    case red, blue, green, orange
}

/// 画笔, 矩形, 椭圆, 箭头, 文字.
public enum MarkShape: Equatable, Sendable {
    case ink(points: [PagePoint])
    case rectangle(from: PagePoint, to: PagePoint)
    case ellipse(from: PagePoint, to: PagePoint)
    case arrow(from: PagePoint, to: PagePoint)
    case text(at: PagePoint, text: String)
}

/// The toolbar's tools, one per shape.
public enum AnnotationTool: CaseIterable, Sendable, Equatable {
    case pen, rectangle, ellipse, arrow, text
}

/// A mark over the evidence: committed (with an `id`) or still being drawn (a preview, no id).
public struct Mark: Equatable, Sendable {
    public var id: Int64?
    public var page: Int
    public var colour: MarkColour
    public var shape: MarkShape
    public var authorId: Int64
    /// "被告 李四": shown next to the mark.
    public var authorLabel: String

    public init(id: Int64?, page: Int, colour: MarkColour, shape: MarkShape, authorId: Int64, authorLabel: String) {
        self.id = id
        self.page = page
        self.colour = colour
        self.shape = shape
        self.authorId = authorId
        self.authorLabel = authorLabel
    }
}

/// Where this participant stands on annotating, for the whole hearing.
public enum Annotating: Sendable, Equatable {
    /// Show 申请圈注.
    case no
    /// 已申请圈注，等待法官同意
    case requested
    /// The presiding judge approved (通过), until 收回, 休庭/闭庭 or a block.
    case allowed
    /// Judges and clerks draw without asking.
    case court
}

/// The marks over one evidence item now, and whether this participant may draw.
public struct EvidenceMarks: Equatable, Sendable {
    public var marks: [Mark]
    /// Strokes being drawn right now (this participant's own included).
    public var previews: [Mark]
    public var annotating: Annotating
    public var mayDraw: Bool

    public init(marks: [Mark] = [], previews: [Mark] = [], annotating: Annotating = .no, mayDraw: Bool = false) {
        self.marks = marks
        self.previews = previews
        self.annotating = annotating
        self.mayDraw = mayDraw
    }
}
