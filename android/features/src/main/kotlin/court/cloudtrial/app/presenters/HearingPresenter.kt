package court.cloudtrial.app.presenters

import court.cloudtrial.app.errors.userMessage
import court.cloudtrial.app.model.CameraFacing
import court.cloudtrial.app.model.MediaLink
import court.cloudtrial.app.model.MediaSettings
import court.cloudtrial.app.model.MediaStatus
import court.cloudtrial.app.model.RoomConnection
import court.cloudtrial.app.model.RoomSnapshot
import court.cloudtrial.app.services.HearingRoom
import court.cloudtrial.app.services.MediaCall
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

/** One participant's picture; the view draws [label] (原告 张三) at its bottom left. */
data class Tile(val participantId: Long, val label: String, val isMe: Boolean, val muted: Boolean)

/** A line of the recognition panel: 原告 张三 00:12 and the words. */
data class RecognitionLine(val segment: Long, val speakerLabel: String, val time: String, val text: String, val isFinal: Boolean)

/** The network indicator; the view shows 网络良好 / 网络一般 / 网络较差. */
enum class NetworkQuality { UNKNOWN, GOOD, FAIR, POOR }

/** Why the hearing screen ended. */
sealed interface RoomEnd {
    /** The participant entered from another device. */
    data object Replaced : RoomEnd
    data class Ended(val reason: String) : RoomEnd
}

data class HearingState(
    /** 已连接, 重新连接中, … from the core. */
    val connectionLabel: String = "",
    /** Show 重新连接中 over the tiles. */
    val reconnecting: Boolean = false,
    /** 未开庭, 庭审中, 休庭, 已闭庭 */
    val phaseLabel: String? = null,
    /** 您已被屏蔽，请等待法官传唤: show only this. */
    val blockedMessage: String? = null,
    /** 您已被法官静音: the judge turned this participant's microphone off for the room. */
    val mutedByJudge: Boolean = false,
    val ended: RoomEnd? = null,
    /** Everyone on one screen, in the court's order; this participant included. */
    val tiles: List<Tile> = emptyList(),
    /** The tile shown large after a double tap; a second double tap restores. */
    val enlarged: Long? = null,
    /** The panel's text while it has no lines (语音识别暂未开始). */
    val recognitionMessage: String? = null,
    val recognition: List<RecognitionLine> = emptyList(),
    val network: NetworkQuality = NetworkQuality.UNKNOWN,
    /** 音视频已连接, … once media started. */
    val mediaLabel: String? = null,
    /** Media stopped for good (闭庭): no pictures, camera and microphone off; [mediaLabel] says why. */
    val mediaEnded: Boolean = false,
    val cameraOn: Boolean = true,
    val microphoneOn: Boolean = true,
    val facing: CameraFacing = CameraFacing.FRONT,
    val error: String? = null,
)

/** "01:02" from the hearing's start; hours when it runs longer. */
fun hearingClock(ms: Long): String {
    val total = (ms / 1000).coerceAtLeast(0)
    val h = total / 3600
    val m = (total % 3600) / 60
    val s = total % 60
    return if (h > 0) "%d:%02d:%02d".format(h, m, s) else "%02d:%02d".format(m, s)
}

fun networkQuality(room: RoomConnection?, media: MediaStatus?): NetworkQuality = when {
    room is RoomConnection.Reconnecting -> NetworkQuality.POOR
    media == null -> if (room is RoomConnection.Connected) NetworkQuality.GOOD else NetworkQuality.UNKNOWN
    media.link is MediaLink.Reconnecting -> NetworkQuality.POOR
    media.link !is MediaLink.Connected -> NetworkQuality.UNKNOWN
    media.rttMs == null -> NetworkQuality.GOOD
    media.rttMs < 200 -> NetworkQuality.GOOD
    media.rttMs < 500 -> NetworkQuality.FAIR
    else -> NetworkQuality.POOR
}

/**
 * 视频庭审: the room's state turned into what the screen shows. The judge's
 * controls are not here (judges use the PC); a judge who logs in sees the
 * hearing as a participant.
 */
class HearingPresenter(private val room: HearingRoom, private val scope: CoroutineScope) {
    private val mutable = MutableStateFlow(HearingState())
    val state: StateFlow<HearingState> = mutable.asStateFlow()

    /** The call the platform's camera and microphone feed; null until [startMedia]. */
    var media: MediaCall? = null
        private set
    private val jobs = mutableListOf<Job>()
    private var lastRoom: RoomConnection? = null
    private var lastMedia: MediaStatus? = null

    fun start() {
        if (jobs.isNotEmpty()) return
        jobs += scope.launch { room.snapshots.collect(::onSnapshot) }
    }

    /** Starts camera and microphone in the hearing (after the permissions are granted). */
    fun startMedia(settings: MediaSettings): MediaCall? {
        media?.let { return it }
        return try {
            val call = room.startMedia(settings)
            media = call
            jobs += scope.launch { call.status.collect(::onMedia) }
            call
        } catch (e: Exception) {
            mutable.update { it.copy(error = e.userMessage()) }
            null
        }
    }

    private fun onSnapshot(snapshot: RoomSnapshot) {
        lastRoom = snapshot.connection
        val meId = snapshot.me?.id
        val blocked = snapshot.blockedMessage != null
        val present = if (blocked) emptyList() else snapshot.participants
            .filter { (it.online || it.id == meId) && !it.blocked }
            .map { Tile(it.id, it.label, it.id == meId, it.muted) }
        mutable.update { s ->
            // Read in the update: media may end (onMedia) on another thread meanwhile.
            val tiles = if (s.mediaEnded) emptyList() else present
            s.copy(
                connectionLabel = snapshot.connectionLabel,
                reconnecting = snapshot.connection is RoomConnection.Reconnecting,
                phaseLabel = snapshot.phaseLabel,
                blockedMessage = snapshot.blockedMessage,
                mutedByJudge = snapshot.participants.any { it.id == meId && it.muted },
                ended = when (val c = snapshot.connection) {
                    is RoomConnection.Replaced -> RoomEnd.Replaced
                    is RoomConnection.Ended -> RoomEnd.Ended(c.reason)
                    else -> null
                },
                tiles = tiles,
                enlarged = s.enlarged?.takeIf { id -> tiles.any { it.participantId == id } },
                recognitionMessage = snapshot.recognitionMessage,
                recognition = if (blocked) emptyList() else snapshot.speech.map {
                    RecognitionLine(it.segment, it.speakerLabel, hearingClock(it.startMs), it.text, it.isFinal)
                },
                network = networkQuality(snapshot.connection, lastMedia),
            )
        }
    }

    private fun onMedia(status: MediaStatus) {
        lastMedia = status
        val ended = status.link is MediaLink.Stopped
        mutable.update {
            it.copy(
                mediaLabel = status.label,
                mediaEnded = ended,
                tiles = if (ended) emptyList() else it.tiles,
                enlarged = if (ended) null else it.enlarged,
                cameraOn = status.cameraOn,
                microphoneOn = status.microphoneOn,
                network = networkQuality(lastRoom, status),
            )
        }
    }

    /** 双击参会人画面，画面放大显示，再次双击，恢复原位置. */
    fun onTileDoubleTap(participantId: Long) =
        mutable.update { it.copy(enlarged = if (it.enlarged == participantId) null else participantId) }

    /** The phone's network changed (the platform's network callback): reconnect room and media at once. */
    fun networkChanged() {
        room.networkChanged()
        media?.networkChanged()
    }

    fun toggleCamera() {
        val on = !state.value.cameraOn
        media?.setCameraEnabled(on)
        mutable.update { it.copy(cameraOn = on) }
    }

    fun toggleMicrophone() {
        val on = !state.value.microphoneOn
        media?.setMicrophoneEnabled(on)
        mutable.update { it.copy(microphoneOn = on) }
    }

    /** 切换摄像头: front ↔ back. The platform reopens the camera from [HearingState.facing]. */
    fun switchCamera() {
        val facing = if (state.value.facing == CameraFacing.FRONT) CameraFacing.BACK else CameraFacing.FRONT
        media?.setCameraFacing(facing)
        mutable.update { it.copy(facing = facing) }
    }

    fun dismissError() = mutable.update { it.copy(error = null) }

    /** 退出庭审 */
    fun leave() {
        jobs.forEach { it.cancel() }
        jobs.clear()
        media?.stop()
        media?.close()
        media = null
        room.leave()
        room.close()
    }
}
