package court.cloudtrial.app.android

import android.Manifest
import android.content.Context
import android.content.pm.PackageManager
import android.net.Uri
import androidx.core.content.ContextCompat
import androidx.lifecycle.ProcessLifecycleOwner
import court.cloudtrial.app.BuildConfig
import court.cloudtrial.app.android.platform.AndroidDeviceTester
import court.cloudtrial.app.model.Session
import court.cloudtrial.app.presenters.AppPresenter
import court.cloudtrial.app.rust.RustCloudTrialServices
import court.cloudtrial.app.services.CloudTrialServices
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow

/**
 * The process-wide objects: the services (the only place the Rust-backed
 * implementation is chosen), the navigation presenter, and the live hearing,
 * which outlives the activity (the foreground service keeps it running).
 */
class AppGraph(private val context: Context) {
    val scope = CoroutineScope(SupervisorJob() + Dispatchers.Main.immediate)

    val services: CloudTrialServices by lazy {
        RustCloudTrialServices.enableLogging(if (BuildConfig.DEBUG) "debug" else "info")
        RustCloudTrialServices(BuildConfig.SERVER_URL, context.filesDir.path)
    }

    val app: AppPresenter by lazy { AppPresenter(services.auth, scope).also { it.start() } }

    val deviceTester by lazy { AndroidDeviceTester(context) }

    private val live = MutableStateFlow<LiveHearing?>(null)
    val liveHearing: StateFlow<LiveHearing?> = live.asStateFlow()

    /** Files shared into the app (分享 from a chat app), waiting for the evidence screen. */
    private val shared = MutableStateFlow<List<Uri>>(emptyList())
    val sharedFiles: StateFlow<List<Uri>> = shared.asStateFlow()

    fun share(uris: List<Uri>) {
        shared.value = shared.value + uris
    }

    /** The next file shared into the app, taken off the list. */
    fun takeNextShared(): Uri? = shared.value.firstOrNull()?.also { shared.value = shared.value.drop(1) }

    /**
     * Joins the hearing room, or returns the room already joined for this session:
     * the court sees the party present (登录后将直接入会) while the devices are
     * checked; no camera or microphone yet.
     */
    fun joinHearing(session: Session): LiveHearing {
        live.value?.let { if (it.session == session) return it else it.close() }
        val hearing = LiveHearing(context, session, services.hearing(), scope)
        live.value = hearing
        hearing.start()
        return hearing
    }

    /** Enters the hearing: joined, with camera and microphone (starting them again is harmless). */
    fun enterHearing(session: Session): LiveHearing {
        val hearing = joinHearing(session)
        val canCapture = listOf(Manifest.permission.CAMERA, Manifest.permission.RECORD_AUDIO)
            .any { ContextCompat.checkSelfPermission(context, it) == PackageManager.PERMISSION_GRANTED }
        if (canCapture) {
            // Camera and microphone run under the foreground service, so they go on in the background.
            HearingForegroundService.start(context)
        } else {
            // Nothing to capture: see and hear the others while the app is open.
            hearing.startMedia(ProcessLifecycleOwner.get())
        }
        return hearing
    }

    /** 退出庭审 */
    /** The room ended (removed, or entered on another device) or its media did (闭庭): no capture, no service. */
    fun hearingEnded() {
        live.value?.stopMedia()
        HearingForegroundService.stop(context)
    }

    fun leaveHearing() {
        live.value?.close()
        live.value = null
        HearingForegroundService.stop(context)
    }
}
