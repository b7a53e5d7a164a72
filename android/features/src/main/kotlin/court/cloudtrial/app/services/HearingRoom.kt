package court.cloudtrial.app.services

import court.cloudtrial.app.model.CameraFacing
import court.cloudtrial.app.model.I420Frame
import court.cloudtrial.app.model.MediaSettings
import court.cloudtrial.app.model.MediaStatus
import court.cloudtrial.app.model.RemoteMediaSink
import court.cloudtrial.app.model.RoomSnapshot
import kotlinx.coroutines.flow.Flow

/** A live connection to the hearing room; it reconnects by itself. Close it to leave. */
interface HearingRoom : AutoCloseable {
    /** The room now, then every change. */
    val snapshots: Flow<RoomSnapshot>

    fun current(): RoomSnapshot

    /** The phone's network changed (Wi-Fi → 4G): reconnect at once instead of waiting for a timeout. */
    fun networkChanged()

    /** Starts this participant's camera and microphone in the hearing. */
    fun startMedia(settings: MediaSettings): MediaCall

    /** Leaves the room; it stops reconnecting. */
    fun leave()
}

/** Live audio and video. The platform feeds raw camera frames and microphone PCM; the core encodes and sends. */
interface MediaCall : AutoCloseable {
    val status: Flow<MediaStatus>

    fun current(): MediaStatus

    /** One camera frame; dropped while the camera is off or the encoder is busy. */
    fun sendVideo(frame: I420Frame)

    /** 20 ms of 48 kHz mono 16-bit little-endian PCM (1920 bytes). */
    fun sendAudio(pcm: ByteArray)

    fun setRemoteSink(sink: RemoteMediaSink)

    fun setCameraEnabled(on: Boolean)

    fun setMicrophoneEnabled(on: Boolean)

    fun setCameraFacing(facing: CameraFacing)

    fun networkChanged()

    fun stop()
}
