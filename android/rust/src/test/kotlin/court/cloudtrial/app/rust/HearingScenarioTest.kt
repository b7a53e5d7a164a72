package court.cloudtrial.app.rust

import court.cloudtrial.app.TestScope
import court.cloudtrial.app.await
import court.cloudtrial.app.model.Annotating
import court.cloudtrial.app.model.DownloadProgress
import court.cloudtrial.app.model.EvidenceFileKind
import court.cloudtrial.app.model.AnnotationTool
import court.cloudtrial.app.model.I420Frame
import court.cloudtrial.app.model.MarkColour
import court.cloudtrial.app.model.MarkShape
import court.cloudtrial.app.model.PagePoint
import court.cloudtrial.app.model.MediaSettings
import court.cloudtrial.app.model.Person
import court.cloudtrial.app.model.Role
import court.cloudtrial.app.model.SessionStatus
import court.cloudtrial.app.model.Submitting
import court.cloudtrial.app.model.UploadStatus
import court.cloudtrial.app.presenters.AnnotationPresenter
import court.cloudtrial.app.presenters.AppPresenter
import court.cloudtrial.app.presenters.EvidencePresenter
import court.cloudtrial.app.presenters.HearingPresenter
import court.cloudtrial.app.presenters.LoginPresenter
import court.cloudtrial.app.presenters.NetworkQuality
import court.cloudtrial.app.presenters.RecordPresenter
import court.cloudtrial.app.presenters.Screen
import court.cloudtrial.app.services.HearingRoom
import court.cloudtrial.app.services.HearingServices
import court.cloudtrial.core.CloudTrialClient
import court.cloudtrial.core.ConnectionState
import court.cloudtrial.core.DeviceKind
import court.cloudtrial.core.EvidenceMarks
import court.cloudtrial.core.EvidenceMarksListener
import court.cloudtrial.core.RoomState
import court.cloudtrial.core.RoomStateListener
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.AfterClass
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotEquals
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Assume.assumeTrue
import org.junit.BeforeClass
import org.junit.FixMethodOrder
import org.junit.Test
import org.junit.runners.MethodSorters
import java.awt.image.BufferedImage
import java.io.File
import java.nio.file.Files
import java.util.Collections
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicBoolean
import javax.imageio.ImageIO
import kotlin.concurrent.thread
import kotlin.random.Random
import court.cloudtrial.core.HearingRoom as CoreHearingRoom
import court.cloudtrial.core.MarkColour as CoreColour
import court.cloudtrial.core.MarkPoint as CorePoint
import court.cloudtrial.core.MarkShape as CoreShape

/**
 * The app's presenters over the Rust-backed services, against a real
 * `--demo` server, as the defendant 李四 (13800000002) on an Android phone.
 * The judge's side (开始, 屏蔽, 传唤, 闭庭) is driven through the generated
 * bindings, as the PC would; the clerk's through HTTP.
 *
 * One hearing, one story: the steps run in order and build on each other.
 * Needs -Dcloudtrial.baseUrl and -Dcloudtrial.meeting (android/run-jvm-tests.sh sets them).
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
class HearingScenarioTest {
    companion object {
        private const val PARTY = "13800000002"
        private const val JUDGE = "13900000001"
        private lateinit var baseUrl: String
        private lateinit var meeting: String
        private lateinit var desk: CourtDesk
        private lateinit var dataDir: String
        private lateinit var services: RustCloudTrialServices
        private lateinit var hearingServices: HearingServices
        private val test = TestScope()
        private lateinit var app: AppPresenter
        private lateinit var room: HearingRoom
        private lateinit var hearing: HearingPresenter
        private lateinit var evidence: EvidencePresenter
        private lateinit var record: RecordPresenter
        private lateinit var judgeClient: CloudTrialClient
        private lateinit var judgeRoom: CoreHearingRoom
        private var hearingId = 0L
        private var myId = 0L

        @JvmStatic
        @BeforeClass
        fun setUp() {
            baseUrl = System.getProperty("cloudtrial.baseUrl") ?: ""
            meeting = System.getProperty("cloudtrial.meeting") ?: ""
            assumeTrue("needs a --demo server (android/run-jvm-tests.sh)", baseUrl.isNotEmpty() && meeting.isNotEmpty())
            desk = CourtDesk(baseUrl)
            dataDir = Files.createTempDirectory("cloudtrial-app").toString()
            services = RustCloudTrialServices(baseUrl, dataDir)
            app = AppPresenter(services.auth, test.scope)
            app.start()
        }

        @JvmStatic
        @AfterClass
        fun tearDown() {
            if (!::services.isInitialized) return
            if (::hearing.isInitialized) hearing.leave()
            if (::judgeRoom.isInitialized) {
                judgeRoom.leave()
                judgeRoom.close()
                judgeClient.close()
            }
            test.close()
            services.close()
        }

        /** The judge on the PC: logged in and in the room through the bindings. */
        private fun judgeEnters() {
            judgeClient = CloudTrialClient(baseUrl, Files.createTempDirectory("cloudtrial-judge").toString())
            runBlocking {
                judgeClient.requestLoginCode(meeting, JUDGE)
                val code = Regex("验证码为：(\\d{6})").find(desk.newestLoginSms(JUDGE))!!.groupValues[1]
                judgeClient.login(meeting, JUDGE, code, DeviceKind.PC_BROWSER)
            }
            judgeRoom = judgeClient.joinHearing(DeviceKind.PC_BROWSER)
            // The PC acts once its room is connected (its buttons are enabled then).
            val states = RoomRecorder()
            val handle = judgeRoom.subscribe(states)
            states.await("the judge's room connected") { it.connection is ConnectionState.Connected && it.me != null }
            handle.cancel()
        }

        /** What a listener got on the core's threads, awaited in order. */
        private open class Updates<T> {
            private val updates = LinkedBlockingQueue<T>()
            fun put(update: T) = updates.put(update)

            fun await(what: String, predicate: (T) -> Boolean): T {
                val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10)
                while (true) {
                    val update = updates.poll(maxOf(deadline - System.nanoTime(), 0), TimeUnit.NANOSECONDS)
                        ?: throw AssertionError("timed out waiting for: $what")
                    if (predicate(update)) return update
                }
            }
        }

        /** The judge's view of an item's marks, as the PC's listener gets them. */
        private class MarksRecorder : Updates<EvidenceMarks>(), EvidenceMarksListener {
            override fun onUpdate(marks: EvidenceMarks) = put(marks)
        }

        /** The PC's room, as its listener gets it. */
        private class RoomRecorder : Updates<RoomState>(), RoomStateListener {
            override fun onUpdate(state: RoomState) = put(state)
        }

        /** A photo as the album gives it: a few megabytes of JPEG, so the upload takes several chunks. */
        private fun photo(): File {
            val random = Random(15)
            val image = BufferedImage(2400, 1800, BufferedImage.TYPE_INT_RGB)
            for (y in 0 until 1800) for (x in 0 until 2400) image.setRGB(x, y, random.nextInt(0x1000000))
            val file = Files.createTempFile("IMG_20261125_", ".jpg").toFile()
            ImageIO.write(image, "jpg", file)
            return file
        }
    }

    @Test
    fun `01 the SMS link opens login with its meeting number and the texted code logs in`() {
        val link = desk.noticeLink(PARTY)
        app.openLink(link)
        val screen = app.screen.await("login from the link") { it is Screen.Login && it.meetingNumber == meeting }
        val login = LoginPresenter(services.auth, test.scope, (screen as Screen.Login).meetingNumber)
        assertEquals(meeting, login.state.value.meetingNumber)
        assertTrue(login.state.value.meetingNumberFromLink)

        login.onMobileChanged(PARTY)
        login.requestCode()
        login.state.await("code sent") { it.codeSent && !it.busy }
        assertTrue("获取验证码 waits: ${login.state.value.resendInSecs}", login.state.value.resendInSecs > 0)

        val sms = desk.newestLoginSms(PARTY)
        val code = Regex("验证码为：(\\d{6})").find(sms)!!.groupValues[1]
        login.onCodeChanged(((code.toInt() + 1) % 1_000_000).toString().padStart(6, '0'))
        login.login()
        val wrong = login.state.await("wrong code refused") { it.error != null && !it.busy }
        assertTrue("the core's reason: ${wrong.error}", wrong.error!!.contains("验证码"))

        login.onSmsReceived(sms)
        val session = login.state.await("logged in") { it.session != null }.session!!
        assertEquals(Role.DEFENDANT, session.role)
        assertEquals(meeting, session.meetingNumber)
        myId = session.participantId
        hearingId = session.hearingId
        app.loggedIn(session)
        app.enterHearing()
        assertTrue(app.screen.value is Screen.Hearing)
    }

    @Test
    fun `02 in the room everyone present is a tile with role and name, and the panel waits for the start`() {
        judgeEnters()
        hearingServices = services.hearing()
        room = hearingServices.enterRoom()
        hearing = HearingPresenter(room, test.scope)
        hearing.start()
        val s = hearing.state.await("judge and defendant on screen") { st -> st.tiles.size == 2 }
        assertEquals(listOf("审判长 王法官", "被告 李四"), s.tiles.map { it.label })
        assertEquals(myId, s.tiles.single { it.isMe }.participantId)
        assertEquals("已连接", s.connectionLabel)
        assertEquals("未开庭", s.phaseLabel)
        assertEquals("语音识别暂未开始", s.recognitionMessage)
    }

    @Test
    fun `03 the judge starts, 庭审中, and the recognition panel is on`() {
        runBlocking { judgeRoom.startHearing() }
        val s = hearing.state.await("in session") { it.phaseLabel == "庭审中" }
        assertNotEquals("语音识别暂未开始", s.recognitionMessage)
    }

    @Test
    fun `04 blocked, the party sees only 您已被屏蔽，请等待法官传唤, and is back when summoned`() {
        runBlocking { judgeRoom.block(myId) }
        val blocked = hearing.state.await("blocked") { it.blockedMessage != null }
        assertEquals("您已被屏蔽，请等待法官传唤", blocked.blockedMessage)
        assertTrue("no one else is shown: ${blocked.tiles}", blocked.tiles.isEmpty())
        runBlocking { judgeRoom.summon(myId) }
        val back = hearing.state.await("summoned") { it.blockedMessage == null && it.tiles.size == 2 }
        assertEquals(listOf("审判长 王法官", "被告 李四"), back.tiles.map { it.label })

        runBlocking { judgeRoom.setMuted(myId, true) }
        val muted = hearing.state.await("您已被法官静音") { it.mutedByJudge }
        assertTrue(muted.tiles.single { it.isMe }.muted)
        runBlocking { judgeRoom.setMuted(myId, false) }
        hearing.state.await("unmuted") { !it.mutedByJudge }
    }

    @Test
    fun `05 a network change shows 重新连接中 and comes back`() {
        val seen = Collections.synchronizedList(mutableListOf<Boolean>())
        val watcher = test.scope.launch { hearing.state.collect { seen += it.reconnecting } }
        hearing.networkChanged()
        hearing.state.await("reconnected") { !it.reconnecting && it.connectionLabel == "已连接" && seen.contains(true) }
        watcher.cancel()
    }

    @Test
    fun `06 camera and microphone go out, the network indicator follows the media`() {
        val call = hearing.startMedia(MediaSettings(width = 160, height = 120, fps = 15f, bitrate = 150_000))
        assertNotNull("media started: ${hearing.state.value.error}", call)
        val running = AtomicBoolean(true)
        val feeder = thread(name = "camera") {
            val frame = I420Frame(160, 120, ByteArray(160 * 120 * 3 / 2) { 128.toByte() })
            val quiet = ByteArray(1920)
            while (running.get()) {
                call!!.sendVideo(frame)
                repeat(3) { call.sendAudio(quiet) }
                Thread.sleep(60)
            }
        }
        try {
            val s = hearing.state.await("media connected", 30) { it.mediaLabel == "音视频已连接" }
            assertTrue(s.cameraOn && s.microphoneOn)
            assertNotEquals(NetworkQuality.UNKNOWN, s.network)
            hearing.toggleMicrophone()
            assertFalse(hearing.state.await("mic off") { !it.microphoneOn }.microphoneOn)
        } finally {
            running.set(false)
            feeder.join()
        }
    }

    @Test
    fun `07 a photo from the album goes up as counter-evidence with its progress, and is listed with 反`() {
        val me = runBlocking { services.auth.hearingInfo() }.me
        assertEquals(Person(myId, "李四", Role.DEFENDANT, "被告"), me)
        evidence = EvidencePresenter(hearingServices.evidence, test.scope)
        evidence.start(room)
        val statuses = Collections.synchronizedList(mutableListOf<Pair<UploadStatus, Int>>())
        val watcher = test.scope.launch {
            evidence.state.collect { s -> s.uploads.firstOrNull()?.let { statuses += it.status to it.percent } }
        }
        val file = photo()
        evidence.picked(file.path, "IMG_20261125_0930.jpg")
        // The core's rule: without 证明目的 the form stays open with its photo and says what is missing.
        evidence.submitPending()
        assertEquals("请填写证明目的", evidence.state.value.error)
        assertEquals(file.path, evidence.state.value.pending?.path)
        evidence.editPending(title = " ", purpose = "证明借款已经归还")
        evidence.submitPending()
        assertEquals("请填写证据名称", evidence.state.value.error)
        evidence.editPending(title = "还款收据照片", purpose = "证明借款已经归还", counter = true)
        evidence.submitPending()
        val done = evidence.state.await("submitted", 60) { s -> s.uploads.any { it.status == UploadStatus.SUBMITTED || it.status == UploadStatus.FAILED } }
        watcher.cancel()
        val upload = done.uploads.single()
        assertEquals("failed: ${upload.reason}", UploadStatus.SUBMITTED, upload.status)
        assertEquals(100, upload.percent)
        assertEquals("已提交", upload.statusLabel)
        assertTrue(upload.counter && upload.total > 1_000_000)
        val percents = statuses.map { it.second }
        assertTrue("progress only grows: $statuses", percents.zipWithNext().all { (a, b) -> a <= b })
        assertTrue("progress seen before 已提交: $statuses", statuses.any { it.first != UploadStatus.SUBMITTED })

        val listed = evidence.state.await("listed under 被告") { s -> s.sides.any { side -> side.rows.any { it.evidence.title == "还款收据照片" } } }
        val side = listed.sides.single { it.rows.any { r -> r.evidence.title == "还款收据照片" } }
        val row = side.rows.single()
        assertEquals("被告", side.sideLabel)
        assertEquals("反", row.evidence.badge)
        assertTrue(row.mine && !row.canGiveOpinion)
        assertEquals(Submitting.Open, listed.submitting)
    }

    @Test
    fun `08 the party opens the photo full screen`() {
        val id = evidence.state.value.sides.flatMap { it.rows }.single().evidence.id
        // A download tells how much has arrived, to the end.
        val shown = Collections.synchronizedList(mutableListOf<DownloadProgress>())
        runBlocking { hearingServices.evidence.file(id, EvidenceFileKind.PREVIEW) { shown += it } }
        val last = shown.last()
        assertTrue("$last", last.total != null && last.total!! > 0 && last.bytesReceived == last.total && last.percent == 100)
        evidence.open(id)
        val viewer = evidence.state.await("viewer", 30) { it.viewer != null || it.error != null }
        assertEquals(null, viewer.error)
        val image = ImageIO.read(File((viewer.viewer as court.cloudtrial.app.presenters.Viewer.Image).path))
        assertEquals(2400, image.width)
    }

    @Test
    fun `09 圈注 on the photo - the party asks, the judge approves, each sees the other's marks, 撤销 and 收回`() {
        val id = evidence.state.value.sides.flatMap { it.rows }.single().evidence.id
        val judgeSees = MarksRecorder()
        val judgeSession = judgeRoom.annotation(id)
        val judgeHandle = judgeSession.subscribe(judgeSees)
        val annotation = AnnotationPresenter(hearingServices.annotation, room, id, test.scope, myId)
        annotation.start()
        try {
            val fresh = annotation.state.await("the marks") { it.loaded }
            assertTrue("申请圈注 shown: $fresh", fresh.canRequest && !fresh.mayDraw && fresh.marks.isEmpty())

            annotation.request()
            annotation.state.await("已申请圈注，等待法官同意") { it.waiting }
            runBlocking { judgeRoom.allowAnnotation(myId) }
            annotation.state.await("通过") { it.mayDraw && it.annotating == Annotating.ALLOWED }

            annotation.chooseTool(AnnotationTool.RECTANGLE)
            annotation.chooseColour(MarkColour.BLUE)
            annotation.pointerDown(1, 0.2f, 0.3f)
            annotation.pointerMove(0.35f, 0.45f)
            annotation.pointerMove(0.5f, 0.6f)
            val live = judgeSees.await("the stroke while it is drawn") { it.previews.any { p -> p.authorId == myId } }
            assertEquals("被告 李四", live.previews.single { it.authorId == myId }.authorLabel)
            annotation.pointerUp()
            val rectangle = CoreShape.Rectangle(CorePoint(0.2f, 0.3f), CorePoint(0.5f, 0.6f))
            val seen = judgeSees.await("the rectangle") { s -> s.marks.any { it.shape == rectangle } }
            val mark = seen.marks.single { it.shape == rectangle }
            assertEquals(1u, mark.page)
            assertEquals(CoreColour.BLUE, mark.colour)
            assertEquals(myId, mark.authorId)
            assertEquals("被告 李四", mark.authorLabel)
            val mine = annotation.state.await("the party's own mark back") { s -> s.marks.any { it.id == mark.id } && s.committing == null }
            assertNull(mine.stroke)

            // An ellipse dragged back to where it began is no mark, and the judge stops seeing it.
            annotation.chooseTool(AnnotationTool.ELLIPSE)
            annotation.pointerDown(1, 0.6f, 0.2f)
            annotation.pointerMove(0.75f, 0.35f)
            judgeSees.await("the ellipse while it is drawn") { s -> s.previews.any { it.authorId == myId && it.shape is CoreShape.Ellipse } }
            annotation.pointerMove(0.6f, 0.2f)
            annotation.pointerUp()
            judgeSees.await("the ellipse given up") { s -> s.previews.none { it.authorId == myId } }
            assertEquals(listOf(mark.id), judgeSession.marks().marks.map { it.id })

            val arrow = CoreShape.Arrow(CorePoint(0.8f, 0.8f), CorePoint(0.6f, 0.5f))
            val judgeMark = runBlocking { judgeSession.draw(1u, CoreColour.RED, arrow) }
            val both = annotation.state.await("the judge's mark") { s -> s.marks.any { it.id == judgeMark } }
            val theirs = both.marks.single { it.id == judgeMark }
            assertEquals("审判长 王法官", theirs.authorLabel)
            assertEquals(MarkShape.Arrow(PagePoint(0.8f, 0.8f), PagePoint(0.6f, 0.5f)), theirs.shape)
            // Text from a phone's keyboard may carry characters nobody sees (which the server refuses): it goes as it shows.
            val judgeText = runBlocking { judgeSession.draw(1u, CoreColour.RED, CoreShape.Text(CorePoint(0.1f, 0.9f), "此处\u200B签名\u00AD")) }
            val text = annotation.state.await("the judge's text") { s -> s.marks.any { it.id == judgeText } }
            assertEquals(MarkShape.Text(PagePoint(0.1f, 0.9f), "此处签名"), text.marks.single { it.id == judgeText }.shape)

            annotation.undo()
            val undone = judgeSees.await("撤销") { s -> s.marks.none { it.id == mark.id } }
            assertEquals(listOf(judgeMark, judgeText), undone.marks.map { it.id })
            assertEquals(listOf(judgeMark, judgeText), annotation.state.await("撤销 in the app") { s -> s.marks.none { it.id == mark.id } }.marks.map { it.id })

            // 收回圈注 while the finger is down: the stroke goes, 申请圈注 is back.
            annotation.chooseTool(AnnotationTool.PEN)
            annotation.pointerDown(1, 0.1f, 0.1f)
            annotation.pointerMove(0.2f, 0.15f)
            assertNotNull(annotation.state.value.stroke)
            runBlocking { judgeRoom.withdrawAnnotation(myId) }
            val withdrawn = annotation.state.await("收回") { !it.mayDraw }
            assertNull(withdrawn.stroke)
            assertTrue(withdrawn.canRequest)
            annotation.pointerUp()
            assertEquals(listOf(judgeMark, judgeText), judgeSession.marks().marks.map { it.id })
        } finally {
            annotation.stop()
            judgeHandle.cancel()
            judgeHandle.close()
            judgeSession.close()
        }
    }

    @Test
    fun `10 after the app is killed, a new start is still logged in and the queue knows the upload`() {
        RustCloudTrialServices(baseUrl, dataDir).use { again ->
            val status = again.auth.currentStatus()
            assertTrue("$status", status is SessionStatus.LoggedIn && status.session.participantId == myId)
            val uploads = again.hearing().evidence.currentUploads()
            assertEquals(listOf("还款收据照片" to UploadStatus.SUBMITTED), uploads.map { it.title to it.status })
        }
    }

    @Test
    fun `11 the record follows the clerk's saves, and the party signs with a finger after 闭庭`() {
        record = RecordPresenter(hearingServices.record, test.scope)
        record.start(room)
        desk.saveRecord(hearingId, null, listOf("审判长" to "现在开庭。"))
        record.state.await("version 1") { it.latest?.version == 1 }
        desk.saveRecord(hearingId, 1, listOf("审判长" to "现在开庭。", "被告" to "借款属实，但已归还两万元。"))
        val two = record.state.await("version 2") { it.latest?.version == 2 }
        assertEquals(listOf(2, 1), two.versions.map { it.version })
        assertEquals("借款属实，但已归还两万元。", two.latest!!.paragraphs.last().text)
        record.select(1)
        assertEquals(listOf("现在开庭。"), record.state.value.detail!!.paragraphs.map { it.text })
        record.select(null)

        runBlocking { judgeRoom.closeHearing() }
        // Evidence is taken before and during the hearing: after 闭庭 上传证据 goes, and the party reads why.
        val closed = evidence.state.await("上传证据 withdrawn") { it.submitting is Submitting.Closed }
        assertEquals(Submitting.Closed("庭审已结束，不能再提交证据"), closed.submitting)
        // The media started in 06 ends with the hearing: the core stops it, and the screen shows why instead of pictures.
        val over = hearing.state.await("media ended with the hearing", 30) { it.mediaEnded }
        assertEquals("庭审已结束，音视频已关闭", over.mediaLabel)
        assertTrue(over.tiles.isEmpty())
        desk.startSigning(hearingId, 2)
        val asked = record.state.await("asked to sign, and it pops up") { it.mustSign && it.signPrompt }
        assertEquals(2, asked.signing!!.version)

        record.openSigningPad()
        record.strokeStarted(20f, 80f)
        for (i in 1..40) record.strokeMoved(20f + i * 6f, 80f + (i % 7) * 5f)
        record.strokeStarted(60f, 30f)
        record.strokeMoved(90f, 140f)
        record.submitSignature(300f, 160f)
        val signed = record.state.await("signed", 20) { it.mySignatureInfo != null || it.error != null }
        assertEquals(null, signed.error)
        assertFalse(signed.mustSign || signed.signingPad)
        assertEquals(2, signed.mySignatureInfo!!.version)
        assertEquals("被告", signed.mySignatureInfo!!.signer.roleLabel)

        record.showMySignature()
        val png = record.state.await("查看签名") { it.mySignature != null }.mySignature!!.png
        assertEquals("PNG", String(png, 1, 3, Charsets.US_ASCII))

        // 下载签名笔录: the PDF as the server signed it, checked against its hash by the core.
        assertTrue(record.state.value.pdfOffered)
        record.openSignedPdf()
        val pdf = record.state.await("下载签名笔录", 30) { it.pdf != null || it.error != null }
        assertEquals(null, pdf.error)
        assertEquals("%PDF", String(java.io.File(pdf.pdf!!).readBytes(), 0, 4, Charsets.US_ASCII))
    }

    @Test
    fun `12 logging out returns to 会议号登录`() {
        runBlocking { withTimeout(10_000) { services.auth.logout() } }
        app.screen.await("login") { it is Screen.Login }
        assertTrue(runBlocking { services.auth.sessionStatus.first() } is SessionStatus.LoggedOut)
    }
}
