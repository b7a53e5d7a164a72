package court.cloudtrial.app.android.platform

import android.media.AudioAttributes
import android.media.AudioFormat
import android.media.AudioTrack
import android.os.Process
import java.util.ArrayDeque
import kotlin.concurrent.thread

/**
 * The others' voices: 20 ms PCM frames per participant, mixed and played as
 * voice communication (so the echo canceller knows them). Each participant
 * has a short queue; a late frame is played late, a pile-up is cut to the
 * newest 200 ms so the hearing never drifts behind.
 */
class AudioPlayout {
    private val queues = HashMap<Long, ArrayDeque<ByteArray>>()
    private var track: AudioTrack? = null
    private var worker: Thread? = null
    @Volatile private var running = false

    fun play(participantId: Long, pcm: ByteArray) {
        if (pcm.size != AudioCapture.FRAME_BYTES) return
        synchronized(queues) {
            val queue = queues.getOrPut(participantId) { ArrayDeque() }
            queue.addLast(pcm)
            while (queue.size > MAX_QUEUED) queue.removeFirst()
        }
    }

    fun start() {
        if (running) return
        val format = AudioFormat.Builder()
            .setSampleRate(AudioCapture.SAMPLE_RATE)
            .setChannelMask(AudioFormat.CHANNEL_OUT_MONO)
            .setEncoding(AudioFormat.ENCODING_PCM_16BIT)
            .build()
        val attributes = AudioAttributes.Builder()
            .setUsage(AudioAttributes.USAGE_VOICE_COMMUNICATION)
            .setContentType(AudioAttributes.CONTENT_TYPE_SPEECH)
            .build()
        val minimum = AudioTrack.getMinBufferSize(AudioCapture.SAMPLE_RATE, AudioFormat.CHANNEL_OUT_MONO, AudioFormat.ENCODING_PCM_16BIT)
        val player = AudioTrack.Builder()
            .setAudioAttributes(attributes)
            .setAudioFormat(format)
            .setBufferSizeInBytes(maxOf(minimum, AudioCapture.FRAME_BYTES * 4))
            .setTransferMode(AudioTrack.MODE_STREAM)
            .build()
        track = player
        running = true
        player.play()
        worker = thread(name = "speaker") {
            Process.setThreadPriority(Process.THREAD_PRIORITY_URGENT_AUDIO)
            val mixed = ShortArray(AudioCapture.FRAME_BYTES / 2)
            val out = ByteArray(AudioCapture.FRAME_BYTES)
            while (running) {
                val frames = synchronized(queues) { queues.values.mapNotNull { it.pollFirst() } }
                mix(frames, mixed)
                for (i in mixed.indices) {
                    out[2 * i] = mixed[i].toInt().toByte()
                    out[2 * i + 1] = (mixed[i].toInt() shr 8).toByte()
                }
                // A blocking write paces this loop at real time.
                player.write(out, 0, out.size)
            }
        }
    }

    private fun mix(frames: List<ByteArray>, into: ShortArray) {
        for (i in into.indices) {
            var sum = 0
            for (f in frames) sum += (f[2 * i].toInt() and 0xff) or (f[2 * i + 1].toInt() shl 8)
            into[i] = sum.coerceIn(Short.MIN_VALUE.toInt(), Short.MAX_VALUE.toInt()).toShort()
        }
    }

    fun stop() {
        running = false
        worker?.join(500)
        worker = null
        track?.let {
            runCatching { it.stop() }
            it.release()
        }
        track = null
        synchronized(queues) { queues.clear() }
    }

    private companion object {
        const val MAX_QUEUED = 10
    }
}
