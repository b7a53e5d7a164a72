package court.cloudtrial.app.model

/**
 * 圈注: marks over a piece of evidence. A mark is on one page (1 for an
 * image; PDF pages from 1) and its points are fractions (0..1) of the page's
 * width and height, so every rendering of the page, at any size, puts it in
 * the same place.
 */
data class PagePoint(val x: Float, val y: Float)

/** The four pens of the toolbar. */
enum class MarkColour { RED, BLUE, GREEN, ORANGE }

/** 画笔, 矩形, 椭圆, 箭头, 文字. */
sealed interface MarkShape {
    data class Ink(val points: List<PagePoint>) : MarkShape
    data class Rectangle(val from: PagePoint, val to: PagePoint) : MarkShape
    data class Ellipse(val from: PagePoint, val to: PagePoint) : MarkShape
    data class Arrow(val from: PagePoint, val to: PagePoint) : MarkShape
    data class Text(val at: PagePoint, val text: String) : MarkShape
}

/** The toolbar's tools, one per shape. */
enum class AnnotationTool { PEN, RECTANGLE, ELLIPSE, ARROW, TEXT }

/** A mark over the evidence: committed (with an [id]) or still being drawn (a preview, no id). */
data class Mark(
    val id: Long?,
    val page: Int,
    val colour: MarkColour,
    val shape: MarkShape,
    val authorId: Long,
    /** "被告 李四": shown next to the mark. */
    val authorLabel: String,
)

/** Where this participant stands on annotating, for the whole hearing. */
enum class Annotating {
    /** Show 申请圈注. */
    NO,
    /** 已申请圈注，等待法官同意 */
    REQUESTED,
    /** The presiding judge approved (通过), until 收回, 休庭/闭庭 or a block. */
    ALLOWED,
    /** Judges and clerks draw without asking. */
    COURT,
}

/** The marks over one evidence item now, and whether this participant may draw. */
data class EvidenceMarks(
    val marks: List<Mark> = emptyList(),
    /** Strokes being drawn right now (this participant's own included). */
    val previews: List<Mark> = emptyList(),
    val annotating: Annotating = Annotating.NO,
    val mayDraw: Boolean = false,
)
