package court.cloudtrial.app.rust

import court.cloudtrial.app.model.DownloadProgress
import court.cloudtrial.app.model.Evidence
import court.cloudtrial.app.model.EvidenceFileKind
import court.cloudtrial.app.model.EvidenceSide
import court.cloudtrial.app.model.NewEvidence
import court.cloudtrial.app.model.OpinionDraft
import court.cloudtrial.app.model.Submitting
import court.cloudtrial.app.model.Upload
import court.cloudtrial.app.services.EvidenceService
import court.cloudtrial.app.services.HearingRoom
import court.cloudtrial.core.DownloadListener
import court.cloudtrial.core.EvidenceGroup
import court.cloudtrial.core.DownloadProgress as CoreDownloadProgress
import court.cloudtrial.core.EvidenceListener
import court.cloudtrial.core.HearingEvidence
import court.cloudtrial.core.UploadProgress
import court.cloudtrial.core.UploadsListener
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.callbackFlow
import kotlinx.coroutines.flow.conflate

class RustEvidenceService internal constructor(private val inner: HearingEvidence) : EvidenceService {
    override val sides: Flow<List<EvidenceSide>> = callbackFlow {
        val handle = inner.subscribeEvidence(object : EvidenceListener {
            override fun onUpdate(groups: List<EvidenceGroup>) {
                trySend(groups.map { it.toApp() })
            }
        })
        awaitClose {
            handle.cancel()
            handle.close()
        }
    }.conflate()

    override val uploads: Flow<List<Upload>> = callbackFlow {
        val handle = inner.subscribeUploads(object : UploadsListener {
            override fun onUpdate(uploads: List<UploadProgress>) {
                trySend(uploads.map { it.toApp() })
            }
        })
        awaitClose {
            handle.cancel()
            handle.close()
        }
    }.conflate()

    override fun currentUploads(): List<Upload> = inner.uploads().map { it.toApp() }

    override fun submitting(): Submitting = inner.submitting().toApp()

    override fun follow(room: HearingRoom) {
        require(room is RustHearingRoom) { "a Rust-backed room is needed to follow its notices" }
        inner.follow(room.inner)
    }

    override fun check(details: NewEvidence) = mapErrors { inner.checkDetails(details.toCore()) }

    override suspend fun upload(path: String, details: NewEvidence): Long = mapErrors { inner.uploadEvidence(path, details.toCore()) }

    override fun pause(localId: Long) = mapErrors { inner.pause(localId) }

    override fun resume(localId: Long) = mapErrors { inner.resume(localId) }

    override suspend fun refresh(): List<EvidenceSide> = mapErrors { inner.refresh() }.map { it.toApp() }

    override suspend fun file(evidenceId: String, kind: EvidenceFileKind, progress: (DownloadProgress) -> Unit): String {
        val tell = progress
        val listener = object : DownloadListener {
            override fun onProgress(progress: CoreDownloadProgress) = tell(progress.toApp())
        }
        return mapErrors { inner.file(evidenceId, kind.toCore(), listener) }
    }

    override suspend fun giveOpinion(evidenceId: String, opinion: OpinionDraft): Evidence =
        mapErrors { inner.giveOpinion(evidenceId, opinion.toCore()) }.toApp()

    override suspend fun withdraw(evidenceId: String): Evidence = mapErrors { inner.withdraw(evidenceId) }.toApp()

    override fun close() = inner.close()
}
