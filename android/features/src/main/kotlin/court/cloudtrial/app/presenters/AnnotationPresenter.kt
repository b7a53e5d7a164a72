package court.cloudtrial.app.presenters

import court.cloudtrial.app.errors.AppError
import court.cloudtrial.app.errors.userMessage
import court.cloudtrial.app.model.Annotating
import court.cloudtrial.app.model.AnnotationTool
import court.cloudtrial.app.model.EvidenceMarks
import court.cloudtrial.app.model.Mark
import court.cloudtrial.app.model.MarkColour
import court.cloudtrial.app.model.MarkShape
import court.cloudtrial.app.model.PagePoint
import court.cloudtrial.app.services.AnnotationService
import court.cloudtrial.app.services.EvidenceAnnotation
import court.cloudtrial.app.services.HearingRoom
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import kotlin.math.abs

/** A mark this phone is drawing, or has committed ([id] once the server took it) and not yet seen come back. */
data class OwnStroke(val page: Int, val colour: MarkColour, val shape: MarkShape, val id: Long? = null)

data class AnnotationState(
    /** Committed marks, everyone's, every page. */
    val marks: List<Mark> = emptyList(),
    /** Others' strokes in progress. */
    val previews: List<Mark> = emptyList(),
    val annotating: Annotating = Annotating.NO,
    val mayDraw: Boolean = false,
    val tool: AnnotationTool = AnnotationTool.PEN,
    val colour: MarkColour = MarkColour.RED,
    /** Drawing mode: the finger draws instead of panning and zooming. */
    val drawingMode: Boolean = false,
    /** The stroke under the finger now. */
    val stroke: OwnStroke? = null,
    /** Committed by this phone, shown until the server's mark arrives. */
    val committing: OwnStroke? = null,
    /** 文字: where the text goes, while the text is typed. */
    val textAt: Pair<Int, PagePoint>? = null,
    val loaded: Boolean = false,
    val error: String? = null,
) {
    /** Show 申请圈注. */
    val canRequest: Boolean get() = loaded && annotating == Annotating.NO
    /** 已申请圈注，等待法官同意 */
    val waiting: Boolean get() = annotating == Annotating.REQUESTED
    /** The finger draws (the toolbar's tool is active). */
    val drawing: Boolean get() = mayDraw && drawingMode
    /** 撤销 applies to one's own latest mark. */
    val canUndo: Boolean get() = mayDraw

    fun marksOn(page: Int): List<Mark> = marks.filter { it.page == page }
    fun previewsOn(page: Int): List<Mark> = previews.filter { it.page == page }
}

/**
 * 圈注 over one evidence item in the viewer: everyone's marks and live strokes,
 * 申请圈注, the toolbar (tool, colour, 撤销) and the finger's stroke, in page
 * fractions (0..1). The view reports pointer positions already divided by the
 * page's size; everything else is decided here.
 *
 * @param myId this participant: its own live preview is drawn from [AnnotationState.stroke], not from the server's echo.
 */
class AnnotationPresenter(
    private val service: AnnotationService,
    private val room: HearingRoom,
    private val evidenceId: String,
    private val scope: CoroutineScope,
    private val myId: Long? = null,
) {
    private val mutable = MutableStateFlow(AnnotationState())
    val state: StateFlow<AnnotationState> = mutable.asStateFlow()
    private var session: EvidenceAnnotation? = null
    private var job: Job? = null

    fun start() {
        if (session != null) return
        val opened = try {
            service.open(room, evidenceId)
        } catch (e: Exception) {
            mutable.update { it.copy(error = e.userMessage()) }
            return
        }
        session = opened
        job = scope.launch {
            try {
                opened.updates.collect(::apply)
            } catch (e: AppError) {
                mutable.update { it.copy(error = e.userMessage()) }
            }
        }
    }

    private fun apply(now: EvidenceMarks) {
        var dropped = false
        mutable.update { s ->
            dropped = !now.mayDraw && s.stroke != null
            s.copy(
                marks = now.marks,
                previews = now.previews.filter { it.authorId != myId },
                annotating = now.annotating,
                mayDraw = now.mayDraw,
                loaded = true,
                // The judge withdrew the permission (or 休庭, a block) mid-stroke: the stroke goes.
                stroke = if (now.mayDraw) s.stroke else null,
                textAt = if (now.mayDraw) s.textAt else null,
                committing = s.committing?.takeIf { c -> c.id == null || now.marks.none { it.id == c.id } },
            )
        }
        if (dropped) abandon()
    }

    /** 申请圈注 */
    fun request() = guarded { session().request() }

    fun chooseTool(tool: AnnotationTool) {
        dropStroke()
        mutable.update { it.copy(tool = tool, drawingMode = true, textAt = null) }
    }

    fun chooseColour(colour: MarkColour) = mutable.update { it.copy(colour = colour, drawingMode = true) }

    /** Back to panning and zooming the evidence. */
    fun stopDrawing() {
        dropStroke()
        mutable.update { it.copy(drawingMode = false, textAt = null) }
    }

    fun pointerDown(page: Int, x: Float, y: Float) {
        val s = state.value
        if (!s.drawing) return
        val at = point(x, y)
        if (s.tool == AnnotationTool.TEXT) {
            mutable.update { it.copy(textAt = page to at) }
            return
        }
        val shape = when (s.tool) {
            AnnotationTool.PEN -> MarkShape.Ink(listOf(at))
            AnnotationTool.RECTANGLE -> MarkShape.Rectangle(at, at)
            AnnotationTool.ELLIPSE -> MarkShape.Ellipse(at, at)
            AnnotationTool.ARROW, AnnotationTool.TEXT -> MarkShape.Arrow(at, at)
        }
        mutable.update { it.copy(stroke = OwnStroke(page, s.colour, shape)) }
    }

    fun pointerMove(x: Float, y: Float) {
        val stroke = state.value.stroke ?: return
        val at = point(x, y)
        val shape = when (val shape = stroke.shape) {
            is MarkShape.Ink -> if (shape.points.size < MAX_INK_POINTS && shape.points.last() != at) MarkShape.Ink(shape.points + at) else shape
            is MarkShape.Rectangle -> shape.copy(to = at)
            is MarkShape.Ellipse -> shape.copy(to = at)
            is MarkShape.Arrow -> shape.copy(to = at)
            is MarkShape.Text -> shape
        }
        val moved = stroke.copy(shape = shape)
        mutable.update { if (it.stroke != null) it.copy(stroke = moved) else it }
        // Live for the others; the core throttles. A refusal here shows on commit.
        runCatching { session?.preview(moved.page, moved.colour, moved.shape) }
    }

    fun pointerUp() {
        val stroke = state.value.stroke ?: return
        if (!big(stroke.shape)) {
            // A tap, or a shape dragged back to where it began: no mark, and the others stop seeing it.
            dropStroke()
            return
        }
        mutable.update { it.copy(stroke = null) }
        commit(stroke)
    }

    /** The touch was cancelled (the system took the gesture, the page went away): the stroke is given up. */
    fun pointerCancel() = dropStroke()

    /** 文字: the typed text goes where the finger touched. */
    fun placeText(text: String) {
        val (page, at) = state.value.textAt ?: return
        mutable.update { it.copy(textAt = null) }
        val trimmed = text.trim().take(MAX_TEXT_CHARS)
        if (trimmed.isEmpty()) return
        commit(OwnStroke(page, state.value.colour, MarkShape.Text(at, trimmed)))
    }

    fun cancelText() = mutable.update { it.copy(textAt = null) }

    private fun commit(stroke: OwnStroke) {
        mutable.update { it.copy(committing = stroke) }
        scope.launch {
            try {
                val id = session().draw(stroke.page, stroke.colour, stroke.shape)
                mutable.update { s ->
                    val arrived = s.marks.any { it.id == id }
                    if (s.committing == stroke) s.copy(committing = if (arrived) null else stroke.copy(id = id)) else s
                }
            } catch (e: Exception) {
                mutable.update { it.copy(error = e.userMessage(), committing = null) }
            }
        }
    }

    /** 撤销 */
    fun undo() = guarded {
        if (session().undo() == null) mutable.update { it.copy(error = NOTHING_TO_UNDO) }
    }

    fun dismissError() = mutable.update { it.copy(error = null) }

    fun stop() {
        // The viewer closes mid-stroke: the others must not keep a stroke that will never end.
        dropStroke()
        job?.cancel()
        job = null
        session?.close()
        session = null
    }

    /** The stroke under the finger ends without a mark. */
    private fun dropStroke() {
        if (state.value.stroke == null) return
        mutable.update { it.copy(stroke = null) }
        abandon()
    }

    /** Tells the core the stroke was given up; it clears what the others were shown of it, if anything. */
    private fun abandon() {
        // Not connected: nothing more to do, the server clears the stroke of a drawer who drops or comes back.
        runCatching { session?.abandon() }
    }

    private fun session(): EvidenceAnnotation = session ?: throw IllegalStateException("the annotation presenter is not started")

    private fun guarded(block: suspend () -> Unit) {
        scope.launch {
            try {
                block()
            } catch (e: Exception) {
                mutable.update { it.copy(error = e.userMessage()) }
            }
        }
    }

    companion object {
        const val MAX_INK_POINTS = 2000
        const val MAX_TEXT_CHARS = 60
        const val NOTHING_TO_UNDO = "没有可撤销的圈注"

        private fun point(x: Float, y: Float) = PagePoint(x.coerceIn(0f, 1f), y.coerceIn(0f, 1f))

        /** A tap is not a mark: a line needs two points, a box some size. */
        private fun big(shape: MarkShape): Boolean = when (shape) {
            is MarkShape.Ink -> shape.points.size > 1
            is MarkShape.Rectangle -> abs(shape.to.x - shape.from.x) + abs(shape.to.y - shape.from.y) > 0.005f
            is MarkShape.Ellipse -> abs(shape.to.x - shape.from.x) + abs(shape.to.y - shape.from.y) > 0.005f
            is MarkShape.Arrow -> abs(shape.to.x - shape.from.x) + abs(shape.to.y - shape.from.y) > 0.005f
            is MarkShape.Text -> shape.text.isNotBlank()
        }
    }
}
