package court.cloudtrial.app.model

sealed interface RoomConnection {
    data object Connecting : RoomConnection
    data object Connected : RoomConnection
    /** 重新连接中 */
    data class Reconnecting(val attempt: Int) : RoomConnection
    /** The participant joined from another device; this one stopped. */
    data object Replaced : RoomConnection
    data class Ended(val reason: String) : RoomConnection
}

data class RoomMember(
    val id: Long,
    val name: String,
    val role: Role,
    val roleLabel: String,
    val online: Boolean,
    val blocked: Boolean,
    val muted: Boolean,
) {
    /** 原告 张三, at the bottom left of the tile. */
    val label: String get() = "$roleLabel $name"
}

/** A line of the recognition panel. */
data class SpeechLine(
    val segment: Long,
    val speakerId: Long,
    /** 原告 张三 */
    val speakerLabel: String,
    val text: String,
    /** Since the hearing started. */
    val startMs: Long,
    val isFinal: Boolean,
)

/** The hearing room as this participant sees it now. */
data class RoomSnapshot(
    val connection: RoomConnection,
    /** 已连接, 重新连接中, ... */
    val connectionLabel: String,
    val phase: HearingPhase?,
    /** 未开庭, 庭审中, 休庭, 已闭庭 */
    val phaseLabel: String?,
    /** The recognition panel's text when it has no lines (语音识别暂未开始). */
    val recognitionMessage: String?,
    val speech: List<SpeechLine>,
    /** Everyone; only [me] while blocked. */
    val participants: List<RoomMember>,
    val me: RoomMember?,
    /** 您已被屏蔽，请等待法官传唤 while blocked. */
    val blockedMessage: String?,
)
