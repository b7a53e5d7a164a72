package court.cloudtrial.app.rust

import court.cloudtrial.app.model.CameraFacing
import court.cloudtrial.app.model.I420Frame
import court.cloudtrial.app.model.MediaSettings
import court.cloudtrial.app.model.MediaStatus
import court.cloudtrial.app.model.RemoteMediaSink
import court.cloudtrial.app.model.RoomSnapshot
import court.cloudtrial.app.services.HearingRoom
import court.cloudtrial.app.services.MediaCall
import court.cloudtrial.core.MediaState
import court.cloudtrial.core.MediaStateListener
import court.cloudtrial.core.RemoteMediaListener
import court.cloudtrial.core.RemoteSender
import court.cloudtrial.core.RoomState
import court.cloudtrial.core.RoomStateListener
import court.cloudtrial.core.VideoFrame
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.callbackFlow
import kotlinx.coroutines.flow.conflate
import court.cloudtrial.core.HearingRoom as CoreHearingRoom
import court.cloudtrial.core.MediaCall as CoreMediaCall

class RustHearingRoom internal constructor(internal val inner: CoreHearingRoom) : HearingRoom {
    /** States, not events: a slow collector gets the newest. */
    override val snapshots: Flow<RoomSnapshot> = callbackFlow {
        val handle = inner.subscribe(object : RoomStateListener {
            override fun onUpdate(state: RoomState) {
                trySend(state.toApp())
            }
        })
        awaitClose {
            handle.cancel()
            handle.close()
        }
    }.conflate()

    override fun current(): RoomSnapshot = inner.state().toApp()

    override fun networkChanged() = inner.networkChanged()

    override fun startMedia(settings: MediaSettings): MediaCall = RustMediaCall(mapErrors { inner.startMedia(settings.toCore()) })

    override fun leave() = inner.leave()

    override fun close() = inner.close()
}

class RustMediaCall internal constructor(private val inner: CoreMediaCall) : MediaCall {
    override val status: Flow<MediaStatus> = callbackFlow {
        val handle = inner.subscribe(object : MediaStateListener {
            override fun onUpdate(state: MediaState) {
                trySend(state.toApp())
            }
        })
        awaitClose {
            handle.cancel()
            handle.close()
        }
    }.conflate()

    override fun current(): MediaStatus = inner.state().toApp()

    override fun sendVideo(frame: I420Frame) = mapErrors {
        inner.sendVideoFrame(VideoFrame(frame.width.toUInt(), frame.height.toUInt(), frame.data))
    }

    override fun sendAudio(pcm: ByteArray) = mapErrors { inner.sendAudioFrame(pcm) }

    override fun setRemoteSink(sink: RemoteMediaSink) = inner.setRemoteListener(object : RemoteMediaListener {
        override fun onVideoFrame(from: RemoteSender, frame: VideoFrame) =
            sink.onVideo(from.participantId, from.label, I420Frame(frame.width.toInt(), frame.height.toInt(), frame.data))

        override fun onAudioFrame(from: RemoteSender, pcm: ByteArray) = sink.onAudio(from.participantId, pcm)
    })

    override fun setCameraEnabled(on: Boolean) = inner.setCameraEnabled(on)

    override fun setMicrophoneEnabled(on: Boolean) = inner.setMicrophoneEnabled(on)

    override fun setCameraFacing(facing: CameraFacing) = inner.setCameraFacing(facing.toCore())

    override fun networkChanged() = inner.networkChanged()

    override fun stop() = inner.stop()

    override fun close() = inner.close()
}
