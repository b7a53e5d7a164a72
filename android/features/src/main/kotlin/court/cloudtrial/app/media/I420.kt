package court.cloudtrial.app.media

import court.cloudtrial.app.model.I420Frame

/**
 * Picture conversions between the camera, the core and the screen, in plain
 * Kotlin so they are tested on the JVM: camera planes (with their strides)
 * to the core's packed I420, rotation to upright, and I420 to ARGB pixels
 * for a bitmap.
 */
object I420 {
    /**
     * Packs a YUV 4:2:0 image given as three planes with row and pixel strides
     * (Android's YUV_420_888) into I420, cropped to even dimensions.
     */
    fun fromPlanes(
        width: Int, height: Int,
        y: ByteArray, yRowStride: Int,
        u: ByteArray, v: ByteArray, uvRowStride: Int, uvPixelStride: Int,
    ): I420Frame {
        val w = width and 1.inv()
        val h = height and 1.inv()
        val out = ByteArray(w * h * 3 / 2)
        for (row in 0 until h) System.arraycopy(y, row * yRowStride, out, row * w, w)
        val cw = w / 2
        val ch = h / 2
        var uAt = w * h
        var vAt = w * h + cw * ch
        for (row in 0 until ch) {
            val base = row * uvRowStride
            for (col in 0 until cw) {
                out[uAt++] = u[base + col * uvPixelStride]
                out[vAt++] = v[base + col * uvPixelStride]
            }
        }
        return I420Frame(w, h, out)
    }

    /** The frame turned clockwise by [degrees] (0, 90, 180, 270), as the camera's rotation asks. */
    fun rotate(frame: I420Frame, degrees: Int): I420Frame {
        val d = ((degrees % 360) + 360) % 360
        if (d == 0) return frame
        val w = frame.width
        val h = frame.height
        val (ow, oh) = if (d == 180) w to h else h to w
        val out = ByteArray(frame.data.size)
        rotatePlane(frame.data, 0, w, h, out, 0, d)
        rotatePlane(frame.data, w * h, w / 2, h / 2, out, ow * oh, d)
        rotatePlane(frame.data, w * h + (w / 2) * (h / 2), w / 2, h / 2, out, ow * oh + (ow / 2) * (oh / 2), d)
        return I420Frame(ow, oh, out)
    }

    private fun rotatePlane(src: ByteArray, from: Int, w: Int, h: Int, dst: ByteArray, to: Int, degrees: Int) {
        for (y in 0 until h) for (x in 0 until w) {
            val value = src[from + y * w + x]
            val at = when (degrees) {
                90 -> x * h + (h - 1 - y)
                180 -> (h - 1 - y) * w + (w - 1 - x)
                else -> (w - 1 - x) * h + y
            }
            dst[to + at] = value
        }
    }

    /** ARGB pixels (BT.601, limited range) for a bitmap of the frame's size; [out] is reused when big enough. */
    fun toArgb(frame: I420Frame, out: IntArray = IntArray(frame.width * frame.height)): IntArray {
        val w = frame.width
        val h = frame.height
        val data = frame.data
        val uBase = w * h
        val vBase = uBase + (w / 2) * (h / 2)
        for (row in 0 until h) {
            val uvRow = (row / 2) * (w / 2)
            for (col in 0 until w) {
                val yy = ((data[row * w + col].toInt() and 0xff) - 16).coerceAtLeast(0) * 1192
                val u = (data[uBase + uvRow + col / 2].toInt() and 0xff) - 128
                val v = (data[vBase + uvRow + col / 2].toInt() and 0xff) - 128
                val r = ((yy + 1634 * v) shr 10).coerceIn(0, 255)
                val g = ((yy - 833 * v - 400 * u) shr 10).coerceIn(0, 255)
                val b = ((yy + 2066 * u) shr 10).coerceIn(0, 255)
                out[row * w + col] = (0xff shl 24) or (r shl 16) or (g shl 8) or b
            }
        }
        return out
    }
}
