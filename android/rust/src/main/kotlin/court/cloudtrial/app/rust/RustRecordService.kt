package court.cloudtrial.app.rust

import court.cloudtrial.app.model.MySignature
import court.cloudtrial.app.model.RecordDocument
import court.cloudtrial.app.model.RecordEvent
import court.cloudtrial.app.model.RecordView
import court.cloudtrial.app.model.SignatureInfo
import court.cloudtrial.app.model.StrokePoint
import court.cloudtrial.app.services.HearingRoom
import court.cloudtrial.app.services.RecordService
import court.cloudtrial.core.ClientException
import court.cloudtrial.core.HearingRecord
import court.cloudtrial.core.RecordListener
import court.cloudtrial.core.RecordVersion
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.callbackFlow
import court.cloudtrial.core.RecordView as CoreRecordView

class RustRecordService internal constructor(private val inner: HearingRecord) : RecordService {
    override suspend fun fetch(): RecordView = mapErrors { inner.fetch() }.toApp()

    override suspend fun versionsAfter(after: Int): List<RecordDocument> =
        mapErrors { inner.versionsAfter(after.toUInt()) }.map { it.toApp() }

    /** Events, not states: every saved version is delivered, so the buffer is unbounded. */
    override fun follow(room: HearingRoom): Flow<RecordEvent> {
        require(room is RustHearingRoom) { "a Rust-backed room is needed to follow the record" }
        return callbackFlow {
            val handle = inner.follow(room.inner, object : RecordListener {
                override fun onView(view: CoreRecordView) {
                    trySend(RecordEvent.View(view.toApp()))
                }

                override fun onVersion(version: RecordVersion) {
                    trySend(RecordEvent.Version(version.toApp()))
                }

                override fun onError(error: ClientException) {
                    trySend(RecordEvent.Failed(error.toAppError()))
                }
            })
            awaitClose {
                handle.cancel()
                handle.close()
            }
        }.buffer(Channel.UNLIMITED)
    }

    override suspend fun signWithStrokes(read: RecordDocument, strokes: List<List<StrokePoint>>, width: Float, height: Float): SignatureInfo =
        mapErrors { inner.signWithStrokes(read.toCore(), strokes.map { s -> s.map { it.toCore() } }, width, height) }.toApp()

    override suspend fun mySignature(): MySignature? = mapErrors { inner.mySignature() }?.toApp()

    override suspend fun signedPdf(): String = mapErrors { inner.signedPdf() }

    override fun close() = inner.close()
}
