package court.cloudtrial.app.presenters

import court.cloudtrial.app.errors.AppError
import court.cloudtrial.app.errors.userMessage
import court.cloudtrial.app.model.Evidence
import court.cloudtrial.app.model.EvidenceFileKind
import court.cloudtrial.app.model.NewEvidence
import court.cloudtrial.app.model.OpinionDraft
import court.cloudtrial.app.model.Submitting
import court.cloudtrial.app.model.Upload
import court.cloudtrial.app.model.UploadStatus
import court.cloudtrial.app.services.EvidenceService
import court.cloudtrial.app.services.HearingRoom
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

data class EvidenceRow(
    val evidence: Evidence,
    val mine: Boolean,
    /** 质证: a party's opinion on another side's evidence. */
    val canGiveOpinion: Boolean,
)

data class EvidenceSideRows(val sideLabel: String, val rows: List<EvidenceRow>)

/** What the full-screen viewer shows. */
sealed interface Viewer {
    val evidenceId: String
    val title: String
    data class Image(override val evidenceId: String, override val title: String, val path: String) : Viewer
    data class Pdf(override val evidenceId: String, override val title: String, val path: String) : Viewer
    /** Audio, video and documents: handed to another app. */
    data class External(override val evidenceId: String, override val title: String, val path: String, val mediaType: String) : Viewer
}

data class EvidenceState(
    val sides: List<EvidenceSideRows> = emptyList(),
    /** This participant's uploads with their progress, newest last. */
    val uploads: List<Upload> = emptyList(),
    /** 上传证据 is shown only while [Submitting.Open]; after 闭庭 a party reads why. */
    val submitting: Submitting = Submitting.NotForRole,
    /** A file shared into the app or picked, waiting for 标题 and 反证 before it is queued. */
    val pending: PendingUpload? = null,
    val opening: String? = null,
    /** How much of the file being opened has arrived, when its size is known. */
    val openingPercent: Int? = null,
    val viewer: Viewer? = null,
    val error: String? = null,
) {
    val uploading: Boolean get() = uploads.any { it.status == UploadStatus.QUEUED || it.status == UploadStatus.UPLOADING }
}

/** A picked file before it is submitted: the form fills the title and marks counter-evidence. */
data class PendingUpload(
    val path: String,
    val fileName: String,
    val title: String,
    val purpose: String = "",
    val counter: Boolean = false,
)

/** 证据材料: both sides' lists with 反, viewing, 质证, and uploads from the album, files or another app. */
class EvidencePresenter(
    private val evidence: EvidenceService,
    private val scope: CoroutineScope,
) {
    private val mutable = MutableStateFlow(EvidenceState())
    val state: StateFlow<EvidenceState> = mutable.asStateFlow()
    private val jobs = mutableListOf<Job>()

    fun start(room: HearingRoom?) {
        if (jobs.isNotEmpty()) return
        room?.let(evidence::follow)
        jobs += scope.launch {
            evidence.sides.collect { sides ->
                val rows = sides.map { side -> EvidenceSideRows(side.sideLabel, side.items.map(::row)) }
                mutable.update { it.copy(sides = rows, submitting = evidence.submitting()) }
            }
        }
        jobs += scope.launch { evidence.uploads.collect { uploads -> mutable.update { it.copy(uploads = uploads) } } }
    }

    private fun row(e: Evidence): EvidenceRow {
        return EvidenceRow(e, e.mine, e.mayGiveOpinion)
    }

    /** A file from the Photo Picker, the file picker or the share sheet, copied to [path]. */
    fun picked(path: String, fileName: String, counter: Boolean = false) {
        // A file shared into the app after 闭庭: the form would only be refused.
        (state.value.submitting as? Submitting.Closed)?.let { closed ->
            mutable.update { it.copy(error = closed.reason) }
            return
        }
        val title = fileName.substringBeforeLast('.').ifBlank { fileName }
        mutable.update { it.copy(pending = PendingUpload(path, fileName, title, counter = counter), error = null) }
    }

    fun editPending(title: String? = null, purpose: String? = null, counter: Boolean? = null) = mutable.update { s ->
        val p = s.pending ?: return@update s
        s.copy(pending = p.copy(title = title ?: p.title, purpose = purpose ?: p.purpose, counter = counter ?: p.counter))
    }

    fun cancelPending() = mutable.update { it.copy(pending = null) }

    /** 提交: queues the pending file; progress follows in [EvidenceState.uploads]. */
    fun submitPending() {
        val p = state.value.pending ?: return
        val details = NewEvidence(title = p.title.trim(), purpose = p.purpose.trim(), counter = p.counter)
        // Asked before the form closes: refused after, the party would fill it in again.
        try {
            evidence.check(details)
        } catch (e: Exception) {
            mutable.update { it.copy(error = e.userMessage()) }
            return
        }
        mutable.update { it.copy(pending = null, error = null) }
        scope.launch {
            try {
                evidence.upload(p.path, details)
            } catch (e: Exception) {
                mutable.update { it.copy(error = e.userMessage()) }
            }
        }
    }

    fun pause(localId: Long) = guarded { evidence.pause(localId) }

    fun resume(localId: Long) = guarded { evidence.resume(localId) }

    /** 刷新 */
    fun refresh() {
        scope.launch {
            try {
                evidence.refresh()
            } catch (e: Exception) {
                mutable.update { it.copy(error = e.userMessage()) }
            }
        }
    }

    /** Opens an item full screen: the best file this participant may see. */
    fun open(id: String) {
        val item = state.value.sides.flatMap { it.rows }.firstOrNull { it.evidence.id == id } ?: return
        mutable.update { it.copy(opening = id, openingPercent = null, error = null) }
        scope.launch {
            var last: Exception? = null
            for (kind in kindsToView(item)) {
                try {
                    val path = evidence.file(id, kind) { progress ->
                        mutable.update { if (it.opening == id) it.copy(openingPercent = progress.percent) else it }
                    }
                    val e = item.evidence
                    val viewer = when {
                        e.isImage || kind == EvidenceFileKind.PREVIEW -> Viewer.Image(id, e.title, path)
                        e.isPdf -> Viewer.Pdf(id, e.title, path)
                        else -> Viewer.External(id, e.title, path, e.mediaType)
                    }
                    mutable.update { it.copy(opening = null, openingPercent = null, viewer = viewer) }
                    return@launch
                } catch (e: AppError.Forbidden) {
                    last = e
                } catch (e: Exception) {
                    last = e
                    break
                }
            }
            mutable.update { it.copy(opening = null, openingPercent = null, error = last?.userMessage()) }
        }
    }

    private fun kindsToView(row: EvidenceRow): List<EvidenceFileKind> {
        val e = row.evidence
        return when {
            row.mine || e.originalReleased -> listOf(EvidenceFileKind.ORIGINAL, EvidenceFileKind.PREVIEW)
            e.isImage -> listOf(EvidenceFileKind.COPY, EvidenceFileKind.PREVIEW)
            else -> listOfNotNull(EvidenceFileKind.ORIGINAL, EvidenceFileKind.PREVIEW.takeIf { e.hasPreview })
        }
    }

    fun closeViewer() = mutable.update { it.copy(viewer = null) }

    /** 质证意见: 真实性, 合法性, 关联性. */
    fun giveOpinion(id: String, opinion: OpinionDraft) {
        scope.launch {
            try {
                evidence.giveOpinion(id, opinion)
                evidence.refresh()
            } catch (e: Exception) {
                mutable.update { it.copy(error = e.userMessage()) }
            }
        }
    }

    fun dismissError() = mutable.update { it.copy(error = null) }

    private fun guarded(action: () -> Unit) {
        try {
            action()
        } catch (e: Exception) {
            mutable.update { it.copy(error = e.userMessage()) }
        }
    }

    fun stop() {
        jobs.forEach { it.cancel() }
        jobs.clear()
    }
}
