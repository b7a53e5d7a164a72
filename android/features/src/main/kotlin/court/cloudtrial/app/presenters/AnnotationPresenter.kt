package court.cloudtrial.app.presenters

import court.cloudtrial.app.errors.userMessage
import court.cloudtrial.app.model.AnnotationMark
import court.cloudtrial.app.model.AnnotationPermission
import court.cloudtrial.app.model.StrokePoint
import court.cloudtrial.app.services.AnnotationService
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

data class AnnotationState(
    val permission: AnnotationPermission = AnnotationPermission.NotRequested,
    val marks: List<AnnotationMark> = emptyList(),
    /** The stroke being drawn, in page coordinates. */
    val drawing: List<StrokePoint> = emptyList(),
    val page: Int = 0,
    val error: String? = null,
) {
    /** Show 申请圈注. */
    val canRequest: Boolean get() = permission is AnnotationPermission.NotRequested || permission is AnnotationPermission.Refused
    val canDraw: Boolean get() = permission is AnnotationPermission.Granted
    /** Hide the annotation tools altogether. */
    val available: Boolean get() = permission !is AnnotationPermission.Unavailable
}

/** 申请圈注 and drawing on one piece of evidence in the viewer. */
class AnnotationPresenter(
    private val annotation: AnnotationService,
    private val evidenceId: String,
    private val scope: CoroutineScope,
    private val color: Long = 0xFFE53935,
) {
    private val mutable = MutableStateFlow(AnnotationState())
    val state: StateFlow<AnnotationState> = mutable.asStateFlow()
    private val jobs = mutableListOf<Job>()

    fun start() {
        if (jobs.isNotEmpty()) return
        jobs += scope.launch { annotation.permission(evidenceId).collect { p -> mutable.update { it.copy(permission = p) } } }
        jobs += scope.launch { annotation.marks(evidenceId).collect { m -> mutable.update { it.copy(marks = m) } } }
    }

    fun setPage(page: Int) = mutable.update { it.copy(page = page, drawing = emptyList()) }

    /** 申请圈注 */
    fun request() = launchGuarded { annotation.requestPermission(evidenceId) }

    fun strokeStarted(x: Float, y: Float) {
        if (state.value.canDraw) mutable.update { it.copy(drawing = listOf(StrokePoint(x, y))) }
    }

    fun strokeMoved(x: Float, y: Float) {
        if (state.value.canDraw) mutable.update { it.copy(drawing = it.drawing + StrokePoint(x, y)) }
    }

    fun strokeEnded() {
        val s = state.value
        if (!s.canDraw || s.drawing.size < 2) {
            mutable.update { it.copy(drawing = emptyList()) }
            return
        }
        mutable.update { it.copy(drawing = emptyList()) }
        launchGuarded { annotation.draw(evidenceId, s.page, s.drawing, color) }
    }

    /** 撤销 */
    fun undo() = launchGuarded { annotation.undo(evidenceId) }

    fun dismissError() = mutable.update { it.copy(error = null) }

    private fun launchGuarded(block: suspend () -> Unit) {
        scope.launch {
            try {
                block()
            } catch (e: Exception) {
                mutable.update { it.copy(error = e.userMessage()) }
            }
        }
    }

    fun stop() {
        jobs.forEach { it.cancel() }
        jobs.clear()
    }
}
