package court.cloudtrial.app.model

enum class CameraFacing { FRONT, BACK }

/** What the camera produces and how it is sent (the court's STUN/TURN servers included). */
data class MediaSettings(
    val width: Int = 640,
    val height: Int = 480,
    val fps: Float = 15f,
    val bitrate: Int = 600_000,
    val iceServers: List<String> = emptyList(),
    val iceUsername: String = "",
    val iceCredential: String = "",
)

sealed interface MediaLink {
    data object Connecting : MediaLink
    data object Connected : MediaLink
    data object Reconnecting : MediaLink
    data class Stopped(val reason: String) : MediaLink
}

data class MediaStatus(
    val link: MediaLink,
    /** 音视频已连接, 重新连接中, ... */
    val label: String,
    val cameraOn: Boolean,
    val microphoneOn: Boolean,
    val rttMs: Int?,
    val sendKbps: Int,
    val receiveKbps: Int,
)

/** An I420 picture: Y (width × height), then U and V (each width/2 × height/2). */
class I420Frame(val width: Int, val height: Int, val data: ByteArray)

/** Receives the others' decoded media on the core's threads: keep it quick. */
interface RemoteMediaSink {
    /** [label] is 原告 张三, for the tile. */
    fun onVideo(participantId: Long, label: String, frame: I420Frame)
    /** 20 ms of 48 kHz mono, 16-bit little-endian PCM. */
    fun onAudio(participantId: Long, pcm: ByteArray)
}
