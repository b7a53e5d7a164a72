package court.cloudtrial.app.android

import android.Manifest
import android.content.Context
import android.content.pm.PackageManager
import androidx.core.content.ContextCompat
import androidx.lifecycle.LifecycleOwner
import court.cloudtrial.app.android.platform.AudioCapture
import court.cloudtrial.app.android.platform.AudioPlayout
import court.cloudtrial.app.android.platform.AudioRouting
import court.cloudtrial.app.android.platform.CameraCapture
import court.cloudtrial.app.android.platform.NetworkMonitor
import court.cloudtrial.app.android.platform.VideoRenderer
import court.cloudtrial.app.model.I420Frame
import court.cloudtrial.app.model.MediaSettings
import court.cloudtrial.app.model.RemoteMediaSink
import court.cloudtrial.app.model.Session
import court.cloudtrial.app.presenters.AnnotationPresenter
import court.cloudtrial.app.presenters.EvidencePresenter
import court.cloudtrial.app.presenters.HearingPresenter
import court.cloudtrial.app.presenters.RecordPresenter
import court.cloudtrial.app.services.HearingServices
import court.cloudtrial.app.services.MediaCall
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.distinctUntilChanged
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.launch

/**
 * The hearing this phone is in: the room, the presenters of its three tabs,
 * and the platform's camera, microphone, speaker and network feeding them.
 * Lives in [AppGraph], so it keeps running while the activity is gone (the
 * [HearingForegroundService] holds the process and owns the camera's lifecycle).
 */
class LiveHearing(
    private val context: Context,
    val session: Session,
    private val services: HearingServices,
    private val scope: CoroutineScope,
) : AutoCloseable {
    private val room = services.enterRoom()
    val hearing = HearingPresenter(room, scope)
    val record = RecordPresenter(services.record, scope)
    private val evidenceState = MutableStateFlow<EvidencePresenter?>(null)
    /** Ready once the participant's name is known (质证 needs to know which evidence is theirs). */
    val evidence: StateFlow<EvidencePresenter?> = evidenceState.asStateFlow()

    val video = VideoRenderer()
    private val playout = AudioPlayout()
    private val routing = AudioRouting(context)
    private val network = NetworkMonitor(context) { hearing.networkChanged() }
    private var camera: CameraCapture? = null
    private var microphone: AudioCapture? = null
    private var media: MediaCall? = null
    private val jobs = mutableListOf<Job>()

    fun start() {
        hearing.start()
        record.start(room)
        network.start()
        evidenceState.value = EvidencePresenter(services.evidence, scope).also { it.start(room) }
    }

    /** 圈注 over one piece of evidence in the viewer, in this hearing's room. */
    fun annotation(evidenceId: String) = AnnotationPresenter(services.annotation, room, evidenceId, scope, session.participantId)

    private fun granted(permission: String) =
        ContextCompat.checkSelfPermission(context, permission) == PackageManager.PERMISSION_GRANTED

    /**
     * Starts camera and microphone into the core's media session; called by the
     * foreground service with its lifecycle, so the camera keeps running in the background.
     */
    fun startMedia(owner: LifecycleOwner) {
        if (media != null) return
        val call = hearing.startMedia(MediaSettings()) ?: return
        media = call
        call.setRemoteSink(object : RemoteMediaSink {
            override fun onVideo(participantId: Long, label: String, frame: I420Frame) = video.show(participantId, frame)
            override fun onAudio(participantId: Long, pcm: ByteArray) = playout.play(participantId, pcm)
        })
        routing.start()
        playout.start()
        if (granted(Manifest.permission.RECORD_AUDIO)) {
            microphone = AudioCapture { pcm -> call.sendAudio(pcm) }.also { it.start() }
        } else {
            hearing.toggleMicrophone()
        }
        if (granted(Manifest.permission.CAMERA)) {
            val capture = CameraCapture(context, owner) { frame ->
                video.show(session.participantId, frame)
                runCatching { call.sendVideo(frame) }
            }
            camera = capture
            jobs += scope.launch {
                hearing.state.map { it.cameraOn to it.facing }.distinctUntilChanged().collect { (on, facing) ->
                    if (on) capture.start(facing) else capture.stop()
                }
            }
        } else {
            hearing.toggleCamera()
        }
        jobs += scope.launch {
            hearing.state.map { it.microphoneOn }.distinctUntilChanged().collect { on -> microphone?.setMuted(!on) }
        }
    }

    /** Camera, microphone and playout off (the room has ended); the screens stay. */
    fun stopMedia() {
        jobs.forEach { it.cancel() }
        jobs.clear()
        camera?.stop()
        microphone?.stop()
        playout.stop()
        routing.stop()
    }

    override fun close() {
        stopMedia()
        camera?.close()
        network.stop()
        record.stop()
        evidenceState.value?.stop()
        hearing.leave()
        media = null
    }
}
