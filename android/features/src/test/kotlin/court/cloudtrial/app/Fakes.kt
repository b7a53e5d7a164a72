package court.cloudtrial.app

import court.cloudtrial.app.errors.AppError
import court.cloudtrial.app.model.*
import court.cloudtrial.app.services.AnnotationService
import court.cloudtrial.app.services.AuthService
import court.cloudtrial.app.services.EvidenceAnnotation
import court.cloudtrial.app.services.EvidenceService
import court.cloudtrial.app.services.HearingRoom
import court.cloudtrial.app.services.MediaCall
import court.cloudtrial.app.services.RecordService
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.emptyFlow

val judge = RoomMember(1, "王法官", Role.PRESIDING_JUDGE, "审判长", online = true, blocked = false, muted = false)
val clerk = RoomMember(2, "李书记", Role.CLERK, "书记员", online = true, blocked = false, muted = false)
val plaintiff = RoomMember(3, "张三", Role.PLAINTIFF, "原告", online = true, blocked = false, muted = false)
val defendant = RoomMember(4, "李四", Role.DEFENDANT, "被告", online = true, blocked = false, muted = false)

fun snapshot(
    participants: List<RoomMember> = listOf(judge, clerk, plaintiff, defendant),
    me: RoomMember = defendant,
    connection: RoomConnection = RoomConnection.Connected,
    blocked: String? = null,
    speech: List<SpeechLine> = emptyList(),
) = RoomSnapshot(
    connection = connection,
    connectionLabel = if (connection is RoomConnection.Reconnecting) "重新连接中" else "已连接",
    phase = HearingPhase.IN_SESSION,
    phaseLabel = "庭审中",
    recognitionMessage = if (speech.isEmpty()) "语音识别暂未开始" else null,
    speech = speech,
    participants = participants,
    me = me,
    blockedMessage = blocked,
)

class FakeAuth : AuthService {
    val status = MutableStateFlow<SessionStatus>(SessionStatus.LoggedOut)
    val codesRequested = mutableListOf<Pair<String, String>>()
    var validCode = "246810"
    override val sessionStatus: Flow<SessionStatus> = status
    override fun currentStatus() = status.value

    override suspend fun requestLoginCode(meetingNumber: String, mobile: String): LoginCodeSent {
        if (meetingNumber.length != 8) throw AppError.InvalidInput("会议号应为8位数字")
        codesRequested += meetingNumber to mobile
        return LoginCodeSent(60, 300)
    }

    override suspend fun login(meetingNumber: String, mobile: String, code: String): Session {
        if (code != validCode) throw AppError.InvalidCode("验证码错误或已过期")
        val session = Session(7, 4, Role.DEFENDANT, meetingNumber, Long.MAX_VALUE)
        status.value = SessionStatus.LoggedIn(session)
        return session
    }

    override suspend fun hearingInfo(): HearingInfo = throw AppError.NotLoggedIn("请先登录")

    override suspend fun logout() {
        status.value = SessionStatus.LoggedOut
    }
}

class FakeRoom(initial: RoomSnapshot = snapshot(), private val call: FakeMediaCall? = null) : HearingRoom {
    val state = MutableStateFlow(initial)
    var networkChanges = 0
    var left = false
    override val snapshots: Flow<RoomSnapshot> = state
    override fun current() = state.value
    override fun networkChanged() {
        networkChanges++
    }
    override fun startMedia(settings: MediaSettings): MediaCall = call ?: throw AppError.Media("无法打开摄像头")
    override fun leave() {
        left = true
    }
    override fun close() {}
}

class FakeMediaCall : MediaCall {
    val state = MutableStateFlow(MediaStatus(MediaLink.Connected, "音视频已连接", true, true, 40, 500, 900))
    override val status: Flow<MediaStatus> = state
    override fun current() = state.value
    override fun sendVideo(frame: I420Frame) {}
    override fun sendAudio(pcm: ByteArray) {}
    override fun setRemoteSink(sink: RemoteMediaSink) {}
    override fun setCameraEnabled(on: Boolean) {}
    override fun setMicrophoneEnabled(on: Boolean) {}
    override fun setCameraFacing(facing: CameraFacing) {}
    override fun networkChanged() {}
    override fun stop() {}
    override fun close() {}
}

class FakeEvidence : EvidenceService {
    val sidesState = MutableStateFlow<List<EvidenceSide>>(emptyList())
    val uploadsState = MutableStateFlow<List<Upload>>(emptyList())
    val queued = mutableListOf<Pair<String, NewEvidence>>()
    /** Kinds this participant may not fetch. */
    val forbidden = mutableSetOf<EvidenceFileKind>()
    val fetched = mutableListOf<EvidenceFileKind>()
    override val sides: Flow<List<EvidenceSide>> = sidesState
    override val uploads: Flow<List<Upload>> = uploadsState
    override fun currentUploads() = uploadsState.value
    var submittingNow: Submitting = Submitting.Open
    override fun submitting() = submittingNow
    override fun follow(room: HearingRoom) {}
    /** What the core would refuse the form for, if anything. */
    var refusal: AppError? = null
    override fun check(details: NewEvidence) {
        refusal?.let { throw it }
    }
    override suspend fun upload(path: String, details: NewEvidence): Long {
        queued += path to details
        return queued.size.toLong()
    }
    override fun pause(localId: Long) {}
    override fun resume(localId: Long) {}
    override suspend fun refresh() = sidesState.value
    /** What a download reports before the file is there; the test lets it finish. */
    var arriving: List<DownloadProgress> = emptyList()
    var downloaded: CompletableDeferred<Unit>? = null
    override suspend fun file(evidenceId: String, kind: EvidenceFileKind, progress: (DownloadProgress) -> Unit): String {
        fetched += kind
        if (kind in forbidden) throw AppError.Forbidden("您无权查看原件")
        arriving.forEach(progress)
        downloaded?.await()
        return "/cache/$evidenceId.${kind.name.lowercase()}"
    }
    override suspend fun giveOpinion(evidenceId: String, opinion: OpinionDraft): Evidence = throw AppError.Forbidden("不能对己方证据质证")
    override suspend fun withdraw(evidenceId: String): Evidence = throw AppError.Forbidden("no")
    override fun close() {}
}

fun evidence(
    id: String,
    by: RoomMember,
    counter: Boolean = false,
    mediaType: String = "image/jpeg",
    mine: Boolean = false,
    mayGiveOpinion: Boolean = false,
) = Evidence(
    id = id, submitterName = by.name, submitterRole = by.role, sideLabel = by.roleLabel, title = "证据$id",
    description = "", purpose = "", counter = counter, badge = if (counter) "反" else null, answers = null,
    fileName = "$id.jpg", mediaType = mediaType, kindLabel = "图片", size = 1000, hasPreview = true,
    originalReleased = false, submittedAtMs = 0, withdrawn = false, opinions = emptyList(),
    mine = mine, mayGiveOpinion = mayGiveOpinion,
)

class FakeRecord : RecordService {
    val signed = mutableListOf<Triple<RecordDocument, List<List<StrokePoint>>, Pair<Float, Float>>>()
    val events = MutableStateFlow<RecordEvent?>(null)
    var view = RecordView(null, null, false, null)
    override suspend fun fetch() = view
    override suspend fun versionsAfter(after: Int) = emptyList<RecordDocument>()
    override fun follow(room: HearingRoom): Flow<RecordEvent> = emptyFlow()
    override suspend fun signWithStrokes(read: RecordDocument, strokes: List<List<StrokePoint>>, width: Float, height: Float): SignatureInfo {
        signed += Triple(read, strokes, width to height)
        return SignatureInfo(1, Person(4, "李四", Role.DEFENDANT, "被告"), read.version, read.sha256, "img", 0, true)
    }
    override suspend fun mySignature(): MySignature? = null
    override suspend fun signedPdf() = "/files/record.pdf"
    override fun close() {}
}

/** 圈注 as the server would answer a party: draws only once allowed; the judge's side is driven by the test. */
class FakeAnnotation : AnnotationService, EvidenceAnnotation {
    val state = MutableStateFlow(EvidenceMarks())
    val previewed = mutableListOf<Mark>()
    /** Strokes given up (`abandon`) while the item was open. */
    var abandoned = 0
    val opened = mutableListOf<String>()
    var closed = false
    /** The next draw is refused with this. */
    var refuse: AppError? = null
    private var nextId = 100L
    override fun open(room: HearingRoom, evidenceId: String): EvidenceAnnotation = also { opened += evidenceId }

    override val updates: Flow<EvidenceMarks> = state
    override fun current() = state.value

    override suspend fun request() {
        if (state.value.annotating != Annotating.NO) throw AppError.InvalidInput("已申请圈注")
        state.value = state.value.copy(annotating = Annotating.REQUESTED)
    }

    /** The presiding judge's 通过 / 收回. */
    fun allow(allowed: Boolean) {
        state.value = state.value.copy(annotating = if (allowed) Annotating.ALLOWED else Annotating.NO, mayDraw = allowed)
    }

    override fun preview(page: Int, colour: MarkColour, shape: MarkShape) {
        previewed += Mark(null, page, colour, shape, 4, "被告 李四")
        state.value = state.value.copy(previews = listOf(previewed.last()))
    }

    override fun abandon() {
        check(!closed) { "abandoned after closing" }
        abandoned++
        state.value = state.value.copy(previews = emptyList())
    }

    override suspend fun draw(page: Int, colour: MarkColour, shape: MarkShape): Long {
        refuse?.let { refuse = null; throw it }
        if (!state.value.mayDraw) throw AppError.Forbidden("请先申请圈注，经法官同意后再圈注")
        val id = nextId++
        state.value = state.value.copy(marks = state.value.marks + Mark(id, page, colour, shape, 4, "被告 李四"), previews = emptyList())
        return id
    }

    fun judgeDraws(shape: MarkShape): Long {
        val id = nextId++
        state.value = state.value.copy(marks = state.value.marks + Mark(id, 1, MarkColour.BLUE, shape, 1, "审判长 王法官"))
        return id
    }

    override suspend fun undo(): Long? {
        val mine = state.value.marks.lastOrNull { it.authorId == 4L } ?: return null
        state.value = state.value.copy(marks = state.value.marks - mine)
        return mine.id
    }

    override suspend fun remove(markId: Long) {
        state.value = state.value.copy(marks = state.value.marks.filter { it.id != markId })
    }

    override fun close() {
        closed = true
    }
}
