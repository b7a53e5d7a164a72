package court.cloudtrial.app.android.platform

import android.Manifest
import android.content.Context
import android.media.AudioAttributes
import android.media.AudioFormat
import android.media.AudioTrack
import androidx.annotation.RequiresPermission
import court.cloudtrial.app.errors.AppError
import court.cloudtrial.app.services.DeviceTester
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.callbackFlow
import kotlinx.coroutines.flow.filterNotNull
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import kotlin.math.PI
import kotlin.math.sin

/**
 * The self-test's devices: frames counted from the preview's camera (the
 * screen binds CameraX and reports here), the microphone through the same
 * capture the hearing uses, and a test melody through voice-communication
 * audio, where the hearing's sound will come out.
 */
class AndroidDeviceTester(private val context: Context) : DeviceTester {
    private val frames = MutableStateFlow(0L)
    private val cameraError = MutableStateFlow<String?>(null)

    /** A new preview: this check starts from no frames and no failure (the tester lives as long as the app). */
    fun previewStarting() {
        frames.value = 0
        cameraError.value = null
    }

    /** The preview's analyzer saw a frame. */
    fun cameraFrame() {
        frames.value = frames.value + 1
    }

    /** The preview's camera could not open. */
    fun cameraFailed(reason: String) {
        cameraError.value = reason
    }

    override fun cameraFrames(): Flow<Long> = callbackFlow {
        val counting = launch { frames.collect { trySend(it) } }
        val failing = launch { cameraError.filterNotNull().collect { close(AppError.Media(it)) } }
        awaitClose {
            counting.cancel()
            failing.cancel()
        }
    }

    @RequiresPermission(Manifest.permission.RECORD_AUDIO)
    override fun microphone(): Flow<ByteArray> = callbackFlow {
        val capture = AudioCapture { pcm -> trySend(pcm) }
        try {
            capture.start()
        } catch (e: Exception) {
            close(AppError.Media("无法打开麦克风"))
        }
        awaitClose { capture.stop() }
    }

    override suspend fun playTestSound() = withContext(Dispatchers.IO) {
        val rate = 48_000
        val notes = listOf(523.25, 659.25, 783.99, 1046.5)
        val samples = ShortArray(rate * 2)
        for (i in samples.indices) {
            val note = notes[(i * notes.size) / samples.size]
            val envelope = 1.0 - ((i % (samples.size / notes.size)).toDouble() / (samples.size / notes.size))
            samples[i] = (sin(2 * PI * note * i / rate) * 9000 * envelope).toInt().toShort()
        }
        val track = AudioTrack.Builder()
            .setAudioAttributes(
                AudioAttributes.Builder()
                    .setUsage(AudioAttributes.USAGE_VOICE_COMMUNICATION)
                    .setContentType(AudioAttributes.CONTENT_TYPE_SONIFICATION)
                    .build(),
            )
            .setAudioFormat(AudioFormat.Builder().setSampleRate(rate).setChannelMask(AudioFormat.CHANNEL_OUT_MONO).setEncoding(AudioFormat.ENCODING_PCM_16BIT).build())
            .setBufferSizeInBytes(samples.size * 2)
            .setTransferMode(AudioTrack.MODE_STATIC)
            .build()
        try {
            track.write(samples, 0, samples.size)
            track.play()
            Thread.sleep(2_100)
        } finally {
            runCatching { track.stop() }
            track.release()
        }
    }
}
