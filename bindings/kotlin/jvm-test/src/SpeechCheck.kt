// Speech recognition through the bindings: the shell's microphone PCM goes
// in (here a real recording), and the others' room state carries the
// recognised sentence with the speaker's role and name.

import court.cloudtrial.core.*
import java.io.File
import java.nio.ByteBuffer
import java.nio.ByteOrder
import kotlin.concurrent.thread

private const val SAID = "甚至出现交易几乎停滞的情况"

/** 16 kHz 16-bit mono WAV samples. */
private fun readWav(path: String): ShortArray {
    val bytes = File(path).readBytes()
    var at = 12
    while (at + 8 <= bytes.size) {
        val id = String(bytes, at, 4, Charsets.US_ASCII)
        val size = ByteBuffer.wrap(bytes, at + 4, 4).order(ByteOrder.LITTLE_ENDIAN).int
        if (id == "data") {
            val data = ByteBuffer.wrap(bytes, at + 8, size).order(ByteOrder.LITTLE_ENDIAN)
            return ShortArray(size / 2) { data.short }
        }
        at += 8 + size + size % 2
    }
    error("no data in $path")
}

/** 48 kHz, as a phone's microphone would give it (linear steps between the 16 kHz samples). */
private fun to48k(samples: ShortArray): ShortArray = ShortArray(samples.size * 3) { i ->
    val a = samples[i / 3].toInt()
    val b = samples.getOrElse(i / 3 + 1) { 0 }.toInt()
    (a + (b - a) * (i % 3) / 3).toShort()
}

private fun characterErrorRate(reference: String, hypothesis: String): Double {
    val r = reference.filter { it.isLetterOrDigit() }
    val h = hypothesis.filter { it.isLetterOrDigit() }
    var previous = IntArray(h.length + 1) { it }
    for (i in r.indices) {
        val current = IntArray(h.length + 1)
        current[0] = i + 1
        for (j in h.indices) {
            current[j + 1] = minOf(previous[j] + if (r[i] == h[j]) 0 else 1, previous[j + 1] + 1, current[j] + 1)
        }
        previous = current
    }
    return previous[h.length].toDouble() / r.length
}

fun speechChecks(speaker: HearingRoom, listener: RoomRecorder, recording: String) {
    val media = speaker.startMedia(MediaSettings(160u, 120u, 15f, 150_000u, emptyList(), "", ""))
    val pcm = to48k(readWav(recording))
    val feeder = thread(name = "microphone") {
        // A second of quiet while the media connection comes up, the sentence, then quiet.
        val frames = 50 + pcm.size / 960 + 75
        val started = System.nanoTime()
        for (n in 0 until frames) {
            val buffer = ByteBuffer.allocate(960 * 2).order(ByteOrder.LITTLE_ENDIAN)
            for (i in 0 until 960) {
                val at = (n - 50) * 960 + i
                buffer.putShort(if (at in pcm.indices) pcm[at] else 0)
            }
            media.sendAudioFrame(buffer.array())
            // 20 ms a frame by the clock, as a microphone delivers them.
            val due = started + (n + 1) * 20_000_000L
            val wait = (due - System.nanoTime()) / 1_000_000
            if (wait > 0) Thread.sleep(wait)
        }
    }

    check("the defendant's sentence reaches the judge's panel: 被告 李四 and the words") {
        val state = listener.await("a recognised sentence", 120) { s -> s.speech.any { it.isFinal } }
        val line = state.speech.first { it.isFinal }
        expect(line.speakerLabel == "被告 李四") { line.speakerLabel }
        val cer = characterErrorRate(SAID, line.text)
        expect(cer <= 0.15) { "CER $cer: ${line.text}" }
    }

    feeder.join()
    media.stop()
    media.close()
}
