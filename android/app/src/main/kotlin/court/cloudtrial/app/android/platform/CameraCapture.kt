package court.cloudtrial.app.android.platform

import android.content.Context
import android.util.Size
import androidx.camera.core.CameraSelector
import androidx.camera.core.ImageAnalysis
import androidx.camera.core.ImageProxy
import androidx.camera.core.resolutionselector.ResolutionSelector
import androidx.camera.core.resolutionselector.ResolutionStrategy
import androidx.camera.lifecycle.ProcessCameraProvider
import androidx.core.content.ContextCompat
import androidx.lifecycle.Lifecycle
import androidx.lifecycle.LifecycleOwner
import court.cloudtrial.app.media.I420
import court.cloudtrial.app.model.CameraFacing
import court.cloudtrial.app.model.I420Frame
import java.util.concurrent.Executors

/**
 * The phone's camera (CameraX) as raw I420 frames for the core's media
 * session: 640×480 or the closest size, upright, at most [fps] a second.
 * Encoding happens in Rust.
 */
class CameraCapture(
    private val context: Context,
    private val owner: LifecycleOwner,
    private val fps: Int = 15,
    private val onFrame: (I420Frame) -> Unit,
) {
    private val executor = Executors.newSingleThreadExecutor { Thread(it, "camera-frames") }
    private var provider: ProcessCameraProvider? = null
    private var analysis: ImageAnalysis? = null
    private var lastFrameNs = 0L
    /** The camera last asked for; null once stopped. A provider that comes late binds only that. */
    private var wanted: CameraFacing? = null

    fun start(facing: CameraFacing) {
        wanted = facing
        val future = ProcessCameraProvider.getInstance(context)
        future.addListener({
            if (wanted != facing || owner.lifecycle.currentState == Lifecycle.State.DESTROYED) return@addListener
            val cameras = future.get()
            provider = cameras
            bind(cameras, facing)
        }, ContextCompat.getMainExecutor(context))
    }

    private fun bind(cameras: ProcessCameraProvider, facing: CameraFacing) {
        val selector = when {
            facing == CameraFacing.BACK && cameras.hasCamera(CameraSelector.DEFAULT_BACK_CAMERA) -> CameraSelector.DEFAULT_BACK_CAMERA
            cameras.hasCamera(CameraSelector.DEFAULT_FRONT_CAMERA) -> CameraSelector.DEFAULT_FRONT_CAMERA
            else -> CameraSelector.DEFAULT_BACK_CAMERA
        }
        val useCase = ImageAnalysis.Builder()
            .setResolutionSelector(
                ResolutionSelector.Builder()
                    .setResolutionStrategy(ResolutionStrategy(Size(640, 480), ResolutionStrategy.FALLBACK_RULE_CLOSEST_LOWER_THEN_HIGHER))
                    .build(),
            )
            .setBackpressureStrategy(ImageAnalysis.STRATEGY_KEEP_ONLY_LATEST)
            .setOutputImageFormat(ImageAnalysis.OUTPUT_IMAGE_FORMAT_YUV_420_888)
            .build()
        useCase.setAnalyzer(executor) { image -> image.use(::deliver) }
        analysis?.let { cameras.unbind(it) }
        analysis = useCase
        cameras.bindToLifecycle(owner, selector, useCase)
    }

    private fun deliver(image: ImageProxy) {
        val now = System.nanoTime()
        if (now - lastFrameNs < 1_000_000_000L / fps) return
        lastFrameNs = now
        val (y, u, v) = image.planes
        val frame = I420.fromPlanes(
            image.width, image.height,
            y.buffer.toByteArray(), y.rowStride,
            u.buffer.toByteArray(), v.buffer.toByteArray(), u.rowStride, u.pixelStride,
        )
        onFrame(I420.rotate(frame, image.imageInfo.rotationDegrees))
    }

    private fun java.nio.ByteBuffer.toByteArray(): ByteArray {
        rewind()
        return ByteArray(remaining()).also { get(it) }
    }

    fun stop() {
        wanted = null
        val cameras = provider ?: return
        analysis?.let { cameras.unbind(it) }
        analysis = null
    }

    /** Stops for good: the frame thread ends too. */
    fun close() {
        stop()
        executor.shutdown()
    }
}
