package court.cloudtrial.app.services

import court.cloudtrial.app.model.MySignature
import court.cloudtrial.app.model.RecordDocument
import court.cloudtrial.app.model.RecordEvent
import court.cloudtrial.app.model.RecordView
import court.cloudtrial.app.model.SignatureInfo
import court.cloudtrial.app.model.StrokePoint
import kotlinx.coroutines.flow.Flow

/** 庭审笔录: read, follow, sign. */
interface RecordService : AutoCloseable {
    /** 刷新 */
    suspend fun fetch(): RecordView

    /** Versions saved after [after], oldest first (the record list). */
    suspend fun versionsAfter(after: Int): List<RecordDocument>

    /** 笔录自动刷新 while in the room: the record now, then each saved version. */
    fun follow(room: HearingRoom): Flow<RecordEvent>

    /** Signs [read] (the version shown) with the strokes drawn on a [width]×[height] pad. */
    suspend fun signWithStrokes(read: RecordDocument, strokes: List<List<StrokePoint>>, width: Float, height: Float): SignatureInfo

    /** 查看签名 */
    suspend fun mySignature(): MySignature?

    /** The signed record PDF, downloaded into the app's files. */
    suspend fun signedPdf(): String
}
