package court.cloudtrial.app.rust

import court.cloudtrial.app.model.Annotating
import court.cloudtrial.app.model.EvidenceMarks
import court.cloudtrial.app.model.Mark
import court.cloudtrial.app.model.MarkColour
import court.cloudtrial.app.model.MarkShape
import court.cloudtrial.app.model.PagePoint
import court.cloudtrial.app.services.AnnotationService
import court.cloudtrial.app.services.EvidenceAnnotation
import court.cloudtrial.app.services.HearingRoom
import court.cloudtrial.core.AnnotationSession
import court.cloudtrial.core.EvidenceMarksListener
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.callbackFlow
import kotlinx.coroutines.flow.conflate
import court.cloudtrial.core.Annotating as CoreAnnotating
import court.cloudtrial.core.EvidenceMark as CoreMark
import court.cloudtrial.core.EvidenceMarks as CoreMarks
import court.cloudtrial.core.MarkColour as CoreColour
import court.cloudtrial.core.MarkPoint as CorePoint
import court.cloudtrial.core.MarkShape as CoreShape

/** 圈注 through the bindings: one `AnnotationSession` of the core per opened evidence item. */
class RustAnnotationService internal constructor() : AnnotationService {
    override fun open(room: HearingRoom, evidenceId: String): EvidenceAnnotation {
        require(room is RustHearingRoom) { "a Rust-backed room is needed to annotate" }
        return RustEvidenceAnnotation(room.inner.annotation(evidenceId))
    }
}

class RustEvidenceAnnotation internal constructor(private val inner: AnnotationSession) : EvidenceAnnotation {
    /** States, not events: a slow collector gets the newest. */
    override val updates: Flow<EvidenceMarks> = callbackFlow {
        val handle = inner.subscribe(object : EvidenceMarksListener {
            override fun onUpdate(marks: CoreMarks) {
                trySend(marks.toApp())
            }
        })
        awaitClose {
            handle.cancel()
            handle.close()
        }
    }.conflate()

    override fun current(): EvidenceMarks = inner.marks().toApp()

    override suspend fun request() = mapErrors { inner.request() }

    override fun preview(page: Int, colour: MarkColour, shape: MarkShape) =
        mapErrors { inner.preview(page.toUInt(), colour.toCore(), shape.toCore()) }

    override fun abandon() = mapErrors { inner.abandon() }

    override suspend fun draw(page: Int, colour: MarkColour, shape: MarkShape): Long =
        mapErrors { inner.draw(page.toUInt(), colour.toCore(), shape.toCore()) }

    override suspend fun undo(): Long? = mapErrors { inner.undo() }

    override suspend fun remove(markId: Long) = mapErrors { inner.remove(markId) }

    override fun close() = inner.close()
}

internal fun CoreMarks.toApp() = EvidenceMarks(
    marks = marks.map { it.toApp() },
    previews = previews.map { it.toApp() },
    annotating = when (annotating) {
        CoreAnnotating.NO -> Annotating.NO
        CoreAnnotating.REQUESTED -> Annotating.REQUESTED
        CoreAnnotating.ALLOWED -> Annotating.ALLOWED
        CoreAnnotating.COURT -> Annotating.COURT
    },
    mayDraw = mayDraw,
)

internal fun CoreMark.toApp() = Mark(id, page.toInt(), colour.toApp(), shape.toApp(), authorId, authorLabel)

internal fun CoreColour.toApp() = when (this) {
    CoreColour.RED -> MarkColour.RED
    CoreColour.BLUE -> MarkColour.BLUE
    CoreColour.GREEN -> MarkColour.GREEN
    CoreColour.ORANGE -> MarkColour.ORANGE
}

internal fun MarkColour.toCore() = when (this) {
    MarkColour.RED -> CoreColour.RED
    MarkColour.BLUE -> CoreColour.BLUE
    MarkColour.GREEN -> CoreColour.GREEN
    MarkColour.ORANGE -> CoreColour.ORANGE
}

private fun CorePoint.toApp() = PagePoint(x, y)
private fun PagePoint.toCore() = CorePoint(x, y)

internal fun CoreShape.toApp(): MarkShape = when (this) {
    is CoreShape.Ink -> MarkShape.Ink(points.map { it.toApp() })
    is CoreShape.Rectangle -> MarkShape.Rectangle(from.toApp(), to.toApp())
    is CoreShape.Ellipse -> MarkShape.Ellipse(from.toApp(), to.toApp())
    is CoreShape.Arrow -> MarkShape.Arrow(from.toApp(), to.toApp())
    is CoreShape.Text -> MarkShape.Text(at.toApp(), text)
}

internal fun MarkShape.toCore(): CoreShape = when (this) {
    is MarkShape.Ink -> CoreShape.Ink(points.map { it.toCore() })
    is MarkShape.Rectangle -> CoreShape.Rectangle(from.toCore(), to.toCore())
    is MarkShape.Ellipse -> CoreShape.Ellipse(from.toCore(), to.toCore())
    is MarkShape.Arrow -> CoreShape.Arrow(from.toCore(), to.toCore())
    is MarkShape.Text -> CoreShape.Text(at.toCore(), text)
}
