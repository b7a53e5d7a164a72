package court.cloudtrial.app.model

/** What the party says about a file they submit. */
data class NewEvidence(
    val title: String,
    val description: String = "",
    /** 证明目的 */
    val purpose: String = "",
    /** 反证 */
    val counter: Boolean = false,
    /** For counter-evidence: the evidence it answers. */
    val answers: String? = null,
)

enum class UploadStatus { QUEUED, UPLOADING, PAUSED, SUBMITTED, FAILED }

data class Upload(
    val localId: Long,
    val title: String,
    val fileName: String,
    val mediaType: String,
    val counter: Boolean,
    val bytesSent: Long,
    val total: Long,
    val percent: Int,
    val status: UploadStatus,
    /** 排队中 / 上传中 / 已暂停 / 已提交 / 失败 */
    val statusLabel: String,
    val reason: String?,
    val evidenceId: String?,
)

data class Position(val accept: Boolean, /** 认可 / 有异议 */ val label: String, val reason: String)

/** 质证意见 */
data class Opinion(
    val byName: String,
    val byRoleLabel: String,
    val sideLabel: String,
    val authenticity: Position,
    val legality: Position,
    val relevance: Position,
)

data class Evidence(
    val id: String,
    val submitterName: String,
    val submitterRole: Role,
    /** 原告 / 被告 / 第三人 … */
    val sideLabel: String,
    val title: String,
    val description: String,
    val purpose: String,
    val counter: Boolean,
    /** 反 on counter-evidence. */
    val badge: String?,
    val answers: String?,
    val fileName: String,
    val mediaType: String,
    /** 图片 / PDF文档 / 文档 / 音频 / 视频 */
    val kindLabel: String,
    val size: Long,
    val hasPreview: Boolean,
    val originalReleased: Boolean,
    val submittedAtMs: Long,
    val withdrawn: Boolean,
    val opinions: List<Opinion>,
    /** Submitted by the logged-in participant (the core compares ids: two parties may share a name). */
    val mine: Boolean,
    /** 质证 is offered: the core's copy of the server's rule. */
    val mayGiveOpinion: Boolean,
) {
    val isImage: Boolean get() = mediaType.startsWith("image/")
    val isPdf: Boolean get() = mediaType == "application/pdf"
}

/** Whether 上传证据 is offered now. */
sealed interface Submitting {
    data object Open : Submitting
    /** A party, once the hearing takes no more evidence: why. */
    data class Closed(val reason: String) : Submitting
    /** Only parties submit evidence. */
    data object NotForRole : Submitting
}

/** One side's evidence list. */
data class EvidenceSide(val sideLabel: String, val items: List<Evidence>)

enum class EvidenceFileKind { ORIGINAL, COPY, PREVIEW, THUMBNAIL }

/** How much of a file being opened has arrived. */
data class DownloadProgress(val bytesReceived: Long, val total: Long?, val percent: Int?)

data class PositionDraft(val accept: Boolean, val reason: String = "")

/** 质证: 真实性, 合法性, 关联性. */
data class OpinionDraft(
    val authenticity: PositionDraft,
    val legality: PositionDraft,
    val relevance: PositionDraft,
)
