package court.cloudtrial.app.services

import court.cloudtrial.app.model.DownloadProgress
import court.cloudtrial.app.model.Evidence
import court.cloudtrial.app.model.EvidenceFileKind
import court.cloudtrial.app.model.EvidenceSide
import court.cloudtrial.app.model.NewEvidence
import court.cloudtrial.app.model.OpinionDraft
import court.cloudtrial.app.model.Submitting
import court.cloudtrial.app.model.Upload
import kotlinx.coroutines.flow.Flow

/**
 * 证据材料. Uploads go through the core's queue: the file is copied, kept in
 * the local database and sent in resumable chunks, so an upload continues
 * after the app is killed, as soon as the service is opened again.
 */
interface EvidenceService : AutoCloseable {
    /** Both sides' evidence, grouped by side: now, then every change. */
    val sides: Flow<List<EvidenceSide>>

    /** This participant's uploads and their progress: now, then every change. */
    val uploads: Flow<List<Upload>>

    fun currentUploads(): List<Upload>

    /** Whether 上传证据 is offered now; read again on every [sides] update (a new hearing status sends one). */
    fun submitting(): Submitting

    /** Keeps [sides] current from the room's notices. */
    fun follow(room: HearingRoom)

    /** The form's rule, asked before the form closes: throws the reason a submission would be refused. */
    fun check(details: NewEvidence)

    /** Queues a local file (already copied out of the picker or share sheet); returns its local id. */
    suspend fun upload(path: String, details: NewEvidence): Long

    fun pause(localId: Long)

    fun resume(localId: Long)

    suspend fun refresh(): List<EvidenceSide>

    /** A local file for viewing (downloaded once, then cached); [progress] hears how much has arrived. */
    suspend fun file(evidenceId: String, kind: EvidenceFileKind, progress: (DownloadProgress) -> Unit = {}): String

    /** 质证 */
    suspend fun giveOpinion(evidenceId: String, opinion: OpinionDraft): Evidence

    suspend fun withdraw(evidenceId: String): Evidence
}
