package court.cloudtrial.app.services

import court.cloudtrial.app.model.EvidenceMarks
import court.cloudtrial.app.model.MarkColour
import court.cloudtrial.app.model.MarkShape
import kotlinx.coroutines.flow.Flow

/**
 * 圈注. Permission is per participant for the whole hearing (申请圈注, the
 * presiding judge's 通过/收回; judges and clerks need none); marks belong to
 * one evidence item. Both live in the hearing room, so an item's annotation
 * is opened over the room the participant is in.
 */
interface AnnotationService {
    /** 圈注 over [evidenceId] in [room]; close it when the viewer closes. */
    fun open(room: HearingRoom, evidenceId: String): EvidenceAnnotation
}

/** The marks over one evidence item, and drawing on it. Failures are `AppError`s. */
interface EvidenceAnnotation : AutoCloseable {
    /** The marks now, then every change (marks, others' strokes in progress, the judge's decision). */
    val updates: Flow<EvidenceMarks>

    fun current(): EvidenceMarks

    /** 申请圈注: asks the presiding judge. */
    suspend fun request()

    /** The stroke so far, while the finger moves: others see it live (throttled by the core; not stored). */
    fun preview(page: Int, colour: MarkColour, shape: MarkShape)

    /**
     * The stroke is given up without a mark (too small, the touch cancelled, the
     * viewer closed mid-stroke): whoever was shown it drops it. The next preview
     * starts a new stroke; nothing is sent when no preview of this one went out.
     */
    fun abandon()

    /** Commits a finished mark; returns its id. */
    suspend fun draw(page: Int, colour: MarkColour, shape: MarkShape): Long

    /** 撤销 this participant's latest mark on the item; its id, or null when there was none. */
    suspend fun undo(): Long?

    /** Takes a mark away: one's own (the presiding judge: any). */
    suspend fun remove(markId: Long)
}
