package court.cloudtrial.app.model

data class RecordHeader(
    val caseNumber: String,
    val caseTitle: String,
    val time: String,
    val place: String,
    val judges: List<String>,
    val clerk: String,
    val present: List<String>,
)

data class RecordParagraph(val speaker: String, val text: String)

/** One saved version of the 笔录; signing passes it back unchanged. */
data class RecordDocument(
    val hearingId: Long,
    val version: Int,
    val header: RecordHeader,
    val paragraphs: List<RecordParagraph>,
    val sha256: String,
    /** 书记员 李书记 */
    val savedBy: String,
    val savedAtMs: Long,
)

data class SignatureInfo(
    val id: Long,
    val signer: Person,
    val version: Int,
    val versionSha256: String,
    val imageSha256: String,
    val signedAtMs: Long,
    val inApp: Boolean,
)

data class Signer(val person: Person, val signature: SignatureInfo?)

/** 发起签名: the frozen version and who must sign it. */
data class SigningRound(val id: Long, val version: Int, val versionSha256: String, val open: Boolean, val signers: List<Signer>)

data class RecordView(
    val latest: RecordDocument?,
    val signing: SigningRound?,
    /** Show 签名 now. */
    val mustSign: Boolean,
    val mySignature: SignatureInfo?,
)

sealed interface RecordEvent {
    /** The record now: first, after a reconnection, and when signing changes. */
    data class View(val view: RecordView) : RecordEvent
    /** A newly saved version; every one arrives, in order. */
    data class Version(val document: RecordDocument) : RecordEvent
    data class Failed(val error: court.cloudtrial.app.errors.AppError) : RecordEvent
}

data class StrokePoint(val x: Float, val y: Float)

/** 查看签名: the participant's own signature image (PNG). */
class MySignature(val info: SignatureInfo, val png: ByteArray)
