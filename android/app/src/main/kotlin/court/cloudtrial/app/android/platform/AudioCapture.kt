package court.cloudtrial.app.android.platform

import android.Manifest
import android.media.AudioFormat
import android.media.AudioRecord
import android.media.MediaRecorder
import android.media.audiofx.AcousticEchoCanceler
import android.media.audiofx.AutomaticGainControl
import android.media.audiofx.NoiseSuppressor
import android.os.Process
import androidx.annotation.RequiresPermission
import kotlin.concurrent.thread

/**
 * The microphone as 20 ms frames of 48 kHz mono 16-bit PCM for the core
 * (which encodes Opus). The voice-communication source, with the platform's
 * echo canceller, noise suppressor and gain control when the phone has them,
 * so the speaker's sound is not sent back to the court.
 */
class AudioCapture(private val onFrame: (ByteArray) -> Unit) {
    private var record: AudioRecord? = null
    private var worker: Thread? = null
    private val effects = mutableListOf<android.media.audiofx.AudioEffect>()
    @Volatile private var running = false
    @Volatile private var muted = false

    @RequiresPermission(Manifest.permission.RECORD_AUDIO)
    fun start() {
        if (running) return
        val minimum = AudioRecord.getMinBufferSize(SAMPLE_RATE, AudioFormat.CHANNEL_IN_MONO, AudioFormat.ENCODING_PCM_16BIT)
        val recorder = AudioRecord.Builder()
            .setAudioSource(MediaRecorder.AudioSource.VOICE_COMMUNICATION)
            .setAudioFormat(
                AudioFormat.Builder()
                    .setSampleRate(SAMPLE_RATE)
                    .setChannelMask(AudioFormat.CHANNEL_IN_MONO)
                    .setEncoding(AudioFormat.ENCODING_PCM_16BIT)
                    .build(),
            )
            .setBufferSizeInBytes(maxOf(minimum, FRAME_BYTES * 8))
            .build()
        val session = recorder.audioSessionId
        if (AcousticEchoCanceler.isAvailable()) AcousticEchoCanceler.create(session)?.let { it.enabled = true; effects += it }
        if (NoiseSuppressor.isAvailable()) NoiseSuppressor.create(session)?.let { it.enabled = true; effects += it }
        if (AutomaticGainControl.isAvailable()) AutomaticGainControl.create(session)?.let { it.enabled = true; effects += it }
        record = recorder
        running = true
        recorder.startRecording()
        worker = thread(name = "microphone") {
            Process.setThreadPriority(Process.THREAD_PRIORITY_URGENT_AUDIO)
            val silence = ByteArray(FRAME_BYTES)
            while (running) {
                val frame = ByteArray(FRAME_BYTES)
                var filled = 0
                while (filled < FRAME_BYTES && running) {
                    val n = recorder.read(frame, filled, FRAME_BYTES - filled)
                    if (n <= 0) break
                    filled += n
                }
                if (filled == FRAME_BYTES) onFrame(if (muted) silence else frame)
            }
        }
    }

    fun setMuted(on: Boolean) {
        muted = on
    }

    fun stop() {
        running = false
        worker?.join(500)
        worker = null
        record?.let {
            runCatching { it.stop() }
            it.release()
        }
        record = null
        effects.forEach { it.release() }
        effects.clear()
    }

    companion object {
        const val SAMPLE_RATE = 48_000
        /** 20 ms: 960 samples of 2 bytes. */
        const val FRAME_BYTES = 1920
    }
}
