package court.cloudtrial.app.services

import court.cloudtrial.app.errors.AppError
import court.cloudtrial.app.model.AnnotationMark
import court.cloudtrial.app.model.AnnotationPermission
import court.cloudtrial.app.model.StrokePoint
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.flowOf

/**
 * 申请圈注 and annotation on a piece of evidence.
 *
 * SEAM: the core's annotation capability is being built; until it lands
 * this build uses [UnavailableAnnotationService]. The Rust-backed
 * implementation (`RustAnnotationService`, wrapping the bindings'
 * annotation API) replaces it in `RustCloudTrialServices` without any change
 * to the presenter or the views.
 */
interface AnnotationService {
    /** Whether this participant may annotate [evidenceId]: now, then every change (the judge's decision). */
    fun permission(evidenceId: String): Flow<AnnotationPermission>

    /** 申请圈注: asks the judge. */
    suspend fun requestPermission(evidenceId: String)

    /** Everyone's marks on [evidenceId]: now, then every change. */
    fun marks(evidenceId: String): Flow<List<AnnotationMark>>

    /** Draws one stroke on [page], in page coordinates (0..1). */
    suspend fun draw(evidenceId: String, page: Int, points: List<StrokePoint>, color: Long)

    /** Takes back this participant's last mark. */
    suspend fun undo(evidenceId: String)
}

/** The annotation service of a build whose core has no annotation: says so, and refuses. */
class UnavailableAnnotationService(private val reason: String = "本庭暂未开通圈注功能") : AnnotationService {
    override fun permission(evidenceId: String): Flow<AnnotationPermission> = flowOf(AnnotationPermission.Unavailable(reason))

    override suspend fun requestPermission(evidenceId: String) = throw AppError.Unavailable(reason)

    override fun marks(evidenceId: String): Flow<List<AnnotationMark>> = flowOf(emptyList())

    override suspend fun draw(evidenceId: String, page: Int, points: List<StrokePoint>, color: Long) = throw AppError.Unavailable(reason)

    override suspend fun undo(evidenceId: String) = throw AppError.Unavailable(reason)
}
