package court.cloudtrial.app.android.platform

import android.graphics.Bitmap
import court.cloudtrial.app.media.I420
import court.cloudtrial.app.model.I420Frame
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import java.util.concurrent.ConcurrentHashMap

/** A tile's newest picture; [sequence] changes with every frame so the view redraws. */
class TileFrame(val bitmap: Bitmap, val sequence: Long)

/**
 * Decoded pictures (the others' from the core, this phone's own from the
 * camera) turned into bitmaps per participant, for the tiles. Two bitmaps per
 * tile are reused in turn, so a cheap phone does not allocate one per frame.
 */
class VideoRenderer {
    private class Slot {
        val flow = MutableStateFlow<TileFrame?>(null)
        var bitmaps = arrayOfNulls<Bitmap>(2)
        var pixels = IntArray(0)
        var sequence = 0L
    }

    private val slots = ConcurrentHashMap<Long, Slot>()

    fun frames(participantId: Long): StateFlow<TileFrame?> = slots.getOrPut(participantId) { Slot() }.flow

    /** Called on the core's or the camera's thread. */
    fun show(participantId: Long, frame: I420Frame) {
        val slot = slots.getOrPut(participantId) { Slot() }
        synchronized(slot) {
            val size = frame.width * frame.height
            if (slot.pixels.size != size) slot.pixels = IntArray(size)
            I420.toArgb(frame, slot.pixels)
            val index = (slot.sequence % 2).toInt()
            var bitmap = slot.bitmaps[index]
            if (bitmap == null || bitmap.width != frame.width || bitmap.height != frame.height) {
                bitmap = Bitmap.createBitmap(frame.width, frame.height, Bitmap.Config.ARGB_8888)
                slot.bitmaps[index] = bitmap
            }
            bitmap.setPixels(slot.pixels, 0, frame.width, 0, 0, frame.width, frame.height)
            slot.sequence++
            slot.flow.value = TileFrame(bitmap, slot.sequence)
        }
    }
}
