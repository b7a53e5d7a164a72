// Media through the bindings: the shell's raw frames go in, the others'
// decoded frames come back, labelled with role and name.

import court.cloudtrial.core.*
import java.nio.ByteBuffer
import java.nio.ByteOrder
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.atomic.AtomicInteger
import kotlin.concurrent.thread
import kotlin.math.PI
import kotlin.math.abs
import kotlin.math.sin

/** A solid I420 picture of one colour (given as Y, U, V). */
private fun solidFrame(width: Int, height: Int, y: Int, u: Int, v: Int): VideoFrame {
    val data = ByteArray(width * height * 3 / 2)
    data.fill(y.toByte(), 0, width * height)
    data.fill(u.toByte(), width * height, width * height * 5 / 4)
    data.fill(v.toByte(), width * height * 5 / 4, data.size)
    return VideoFrame(width.toUInt(), height.toUInt(), data)
}

/** 20 ms of a sine tone as 16-bit little-endian PCM. */
private fun tone(frame: Int, frequency: Double): ByteArray {
    val buffer = ByteBuffer.allocate(960 * 2).order(ByteOrder.LITTLE_ENDIAN)
    for (i in 0 until 960) {
        val t = (frame * 960 + i) / 48000.0
        buffer.putShort((sin(2 * PI * frequency * t) * 8000).toInt().toShort())
    }
    return buffer.array()
}

private class Received : RemoteMediaListener {
    val frames = AtomicInteger()
    val audio = AtomicInteger()
    val labels = ConcurrentHashMap.newKeySet<String>()
    @Volatile var meanU = 0
    @Volatile var meanV = 0

    override fun onVideoFrame(from: RemoteSender, frame: VideoFrame) {
        labels.add(from.label)
        val plane = frame.width.toInt() * frame.height.toInt()
        var u = 0L
        var v = 0L
        for (i in 0 until plane / 4) {
            u += frame.data[plane + i].toInt() and 0xff
            v += frame.data[plane + plane / 4 + i].toInt() and 0xff
        }
        meanU = (u / (plane / 4)).toInt()
        meanV = (v / (plane / 4)).toInt()
        frames.incrementAndGet()
    }

    override fun onAudioFrame(from: RemoteSender, pcm: ByteArray) {
        if (pcm.size == 1920) audio.incrementAndGet()
    }
}

fun mediaChecks(judge: HearingRoom, defendant: HearingRoom) {
    val settings = MediaSettings(160u, 120u, 15f, 150_000u, emptyList(), "", "")
    val judgeMedia = judge.startMedia(settings)
    val defendantMedia = defendant.startMedia(settings)
    val atDefendant = Received()
    defendantMedia.setRemoteListener(atDefendant)
    val atJudge = Received()
    judgeMedia.setRemoteListener(atJudge)
    // Red from the judge, blue from the defendant (BT.601 YUV).
    val red = solidFrame(160, 120, 76, 90, 218)
    val blue = solidFrame(160, 120, 58, 207, 117)
    val running = java.util.concurrent.atomic.AtomicBoolean(true)
    val feeder = thread(name = "synthetic-camera") {
        var n = 0
        while (running.get()) {
            judgeMedia.sendAudioFrame(tone(n, 440.0))
            defendantMedia.sendAudioFrame(tone(n, 880.0))
            if (n % 3 == 0) {
                judgeMedia.sendVideoFrame(red)
                defendantMedia.sendVideoFrame(blue)
            }
            n++
            Thread.sleep(20)
        }
    }

    check("raw I420 in, decoded frames out: the defendant sees the judge's red picture, labelled") {
        val deadline = System.currentTimeMillis() + 30_000
        while (atDefendant.frames.get() < 15 && System.currentTimeMillis() < deadline) Thread.sleep(50)
        expect(atDefendant.frames.get() >= 15) { "only ${atDefendant.frames.get()} frames; media ${defendantMedia.state()}" }
        expect(abs(atDefendant.meanU - 90) < 8 && abs(atDefendant.meanV - 218) < 8) { "U ${atDefendant.meanU} V ${atDefendant.meanV}" }
        expect(atDefendant.labels == setOf("审判长 王法官")) { "${atDefendant.labels}" }
        expect(atDefendant.audio.get() > 20) { "audio frames ${atDefendant.audio.get()}" }
    }

    check("and the judge sees the defendant's blue") {
        val deadline = System.currentTimeMillis() + 30_000
        while (atJudge.frames.get() < 15 && System.currentTimeMillis() < deadline) Thread.sleep(50)
        expect(abs(atJudge.meanU - 207) < 8 && abs(atJudge.meanV - 117) < 8) { "U ${atJudge.meanU} V ${atJudge.meanV}" }
        expect(judgeMedia.state().connectionLabel == "音视频已连接") { judgeMedia.state().connectionLabel }
    }

    check("a malformed frame is refused with InvalidInput") {
        try {
            judgeMedia.sendVideoFrame(VideoFrame(161u, 120u, ByteArray(10)))
            throw AssertionError("no exception")
        } catch (e: ClientException.InvalidInput) {
            expect(e.reason.contains("161x120")) { e.reason }
        }
    }

    running.set(false)
    feeder.join()
    judgeMedia.stop()
    defendantMedia.stop()
    judgeMedia.close()
    defendantMedia.close()
}
