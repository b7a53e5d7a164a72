package court.cloudtrial.app.presenters

import court.cloudtrial.app.errors.userMessage
import court.cloudtrial.app.model.MySignature
import court.cloudtrial.app.model.RecordDocument
import court.cloudtrial.app.model.RecordEvent
import court.cloudtrial.app.model.RecordView
import court.cloudtrial.app.model.SignatureInfo
import court.cloudtrial.app.model.SigningRound
import court.cloudtrial.app.model.StrokePoint
import court.cloudtrial.app.services.HearingRoom
import court.cloudtrial.app.services.RecordService
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

data class RecordState(
    /** 笔录列表: every version seen, newest first. */
    val versions: List<RecordDocument> = emptyList(),
    /** 笔录详情: the version opened (null: the list). */
    val selected: Int? = null,
    val signing: SigningRound? = null,
    /** The clerk started signing and this participant has not signed: show 签名. */
    val mustSign: Boolean = false,
    /** The clerk started a round this participant must sign, not yet answered: it pops up over any tab. */
    val signPrompt: Boolean = false,
    val mySignatureInfo: SignatureInfo? = null,
    /** 笔录自动刷新 */
    val autoRefresh: Boolean = true,
    /** The signing pad is open, with what was drawn so far. */
    val signingPad: Boolean = false,
    val strokes: List<List<StrokePoint>> = emptyList(),
    val submitting: Boolean = false,
    /** 查看签名: the image, once asked for. */
    val mySignature: MySignature? = null,
    /** 下载签名笔录: the PDF downloaded (and checked against its hash by the core), to hand to a viewer. */
    val pdf: String? = null,
    val openingPdf: Boolean = false,
    val error: String? = null,
) {
    /** The signed record can be downloaded while its signing round stands (as on the web). */
    val pdfOffered: Boolean get() = signing?.open == true
    /** Everyone asked has signed: 下载签名笔录 rather than 下载笔录（签名未完成）. */
    val allSigned: Boolean get() = signing?.signers?.let { s -> s.isNotEmpty() && s.all { it.signature != null } } == true
    val latest: RecordDocument? get() = versions.firstOrNull()
    val detail: RecordDocument? get() = selected?.let { v -> versions.firstOrNull { it.version == v } }
}

/** 庭审笔录: the list and detail, kept current, signing with a finger, 查看签名. */
class RecordPresenter(private val record: RecordService, private val scope: CoroutineScope) {
    private val mutable = MutableStateFlow(RecordState())
    val state: StateFlow<RecordState> = mutable.asStateFlow()
    private var following: Job? = null
    private var room: HearingRoom? = null
    /** The signing round whose pop-up was answered (签名 or 稍后). */
    private var answeredRound: Long? = null

    /** Follows the record while in the room (笔录自动刷新), or fetches it once without a room. */
    fun start(room: HearingRoom?) {
        this.room = room
        if (room != null && state.value.autoRefresh) follow(room) else refresh()
    }

    private fun follow(room: HearingRoom) {
        following?.cancel()
        following = scope.launch {
            record.follow(room).collect { event ->
                when (event) {
                    is RecordEvent.View -> onView(event.view)
                    is RecordEvent.Version -> addVersion(event.document)
                    is RecordEvent.Failed -> mutable.update { it.copy(error = event.error.reason) }
                }
            }
        }
    }

    fun setAutoRefresh(on: Boolean) {
        mutable.update { it.copy(autoRefresh = on) }
        val room = room
        if (on && room != null) {
            follow(room)
        } else {
            following?.cancel()
            following = null
        }
    }

    /** 刷新 */
    fun refresh() {
        scope.launch {
            try {
                val view = record.fetch()
                val known = state.value.latest?.version ?: 0
                if (known > 0) record.versionsAfter(known).forEach(::addVersion)
                onView(view)
            } catch (e: Exception) {
                mutable.update { it.copy(error = e.userMessage()) }
            }
        }
    }

    private fun onView(view: RecordView) {
        view.latest?.let(::addVersion)
        val prompt = view.mustSign && view.signing != null && view.signing.id != answeredRound
        // Nothing left to sign (signed, here or on another device, or the round withdrawn): the pad closes.
        mutable.update {
            it.copy(
                signing = view.signing,
                mustSign = view.mustSign,
                signPrompt = prompt,
                mySignatureInfo = view.mySignature,
                signingPad = it.signingPad && view.mustSign,
            )
        }
    }

    private fun addVersion(document: RecordDocument) = mutable.update { s ->
        if (s.versions.any { it.version == document.version }) s
        else s.copy(versions = (s.versions + document).sortedByDescending { it.version })
    }

    fun select(version: Int?) = mutable.update { it.copy(selected = version) }

    /** 签名: opens the pad on the version to sign. */
    fun openSigningPad() {
        answeredRound = state.value.signing?.id
        mutable.update { it.copy(signingPad = true, signPrompt = false, strokes = emptyList(), error = null) }
    }

    /** 稍后签名: the pop-up goes; the banner in 庭审笔录 stays until signed. */
    fun dismissSignPrompt() {
        answeredRound = state.value.signing?.id
        mutable.update { it.copy(signPrompt = false) }
    }

    fun closeSigningPad() = mutable.update { it.copy(signingPad = false, strokes = emptyList()) }

    /** A finger touched the pad: a new stroke. */
    fun strokeStarted(x: Float, y: Float) = mutable.update { it.copy(strokes = it.strokes + listOf(listOf(StrokePoint(x, y)))) }

    /** The finger moved: extends the current stroke. */
    fun strokeMoved(x: Float, y: Float) = mutable.update { s ->
        if (s.strokes.isEmpty()) s else s.copy(strokes = s.strokes.dropLast(1) + listOf(s.strokes.last() + StrokePoint(x, y)))
    }

    /** 重写 */
    fun clearStrokes() = mutable.update { it.copy(strokes = emptyList()) }

    /** 确认签名: signs the version the signing round froze, with the strokes drawn on a [width]×[height] pad. */
    fun submitSignature(width: Float, height: Float) {
        val s = state.value
        val round = s.signing ?: return
        val read = s.versions.firstOrNull { it.version == round.version } ?: return
        if (s.strokes.isEmpty() || s.submitting) return
        mutable.update { it.copy(submitting = true, error = null) }
        scope.launch {
            try {
                val info = record.signWithStrokes(read, s.strokes, width, height)
                mutable.update { it.copy(submitting = false, signingPad = false, strokes = emptyList(), mustSign = false, signPrompt = false, mySignatureInfo = info) }
            } catch (e: Exception) {
                mutable.update { it.copy(submitting = false, error = e.userMessage()) }
            }
        }
    }

    /** 查看签名 */
    fun showMySignature() {
        scope.launch {
            try {
                mutable.update { it.copy(mySignature = record.mySignature()) }
            } catch (e: Exception) {
                mutable.update { it.copy(error = e.userMessage()) }
            }
        }
    }

    fun hideMySignature() = mutable.update { it.copy(mySignature = null) }

    /** 下载签名笔录: the record PDF with every signature given so far. */
    fun openSignedPdf() {
        if (state.value.openingPdf) return
        mutable.update { it.copy(openingPdf = true, error = null) }
        scope.launch {
            try {
                val path = record.signedPdf()
                mutable.update { it.copy(openingPdf = false, pdf = path) }
            } catch (e: Exception) {
                mutable.update { it.copy(openingPdf = false, error = e.userMessage()) }
            }
        }
    }

    /** The PDF went to a viewer. */
    fun pdfShown() = mutable.update { it.copy(pdf = null) }

    fun dismissError() = mutable.update { it.copy(error = null) }

    fun stop() {
        following?.cancel()
        following = null
    }
}
