package court.cloudtrial.app.model

/** 申请圈注: whether this participant may annotate a piece of evidence. */
sealed interface AnnotationPermission {
    /** The core of this build has no annotation yet. */
    data class Unavailable(val reason: String) : AnnotationPermission
    data object NotRequested : AnnotationPermission
    /** Asked; waiting for the judge. */
    data object Pending : AnnotationPermission
    data object Granted : AnnotationPermission
    data class Refused(val reason: String) : AnnotationPermission
}

/** A mark on a page of the evidence, in the page's coordinates (0..1 in both directions). */
data class AnnotationMark(
    val id: String,
    val authorLabel: String,
    val page: Int,
    val points: List<StrokePoint>,
    /** ARGB */
    val color: Long,
)
