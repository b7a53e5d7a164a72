package court.cloudtrial.app

import court.cloudtrial.app.links.AppLinks
import court.cloudtrial.app.links.LoginCodes
import court.cloudtrial.app.model.*
import court.cloudtrial.app.presenters.*
import court.cloudtrial.app.errors.AppError
import court.cloudtrial.app.services.DeviceTester
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.flow
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test

/** The presenters over fake services: what the screens would show. */
class PresenterTests {
    private val test = TestScope()

    @After
    fun tearDown() = test.close()

    @Test
    fun `the SMS link's meeting number is taken, other links are not`() {
        assertEquals("55204536", AppLinks.meetingNumber("https://wsyj.tjcourt.gov.cn//ots/download/55204536"))
        assertEquals("12345678", AppLinks.meetingNumber("http://10.0.2.2:8080/ots/download/12345678?from=sms"))
        assertNull(AppLinks.meetingNumber("https://wsyj.tjcourt.gov.cn/ots/download/1234567"))
        assertNull(AppLinks.meetingNumber("https://wsyj.tjcourt.gov.cn/api/ots/download/12345678x"))
        assertNull(AppLinks.meetingNumber("https://evil.example/phish?next=/ots/download/12345678"))
    }

    @Test
    fun `the login code is read from the SMS, not the meeting number in it`() {
        val sms = "【天津法院】[云审]您的登录验证码为：482913，5分钟内有效。会议号为：55204536"
        assertEquals("482913", LoginCodes.fromSms(sms))
        assertEquals("123456", LoginCodes.fromSms("会议号55204536 code 123456"))
        assertNull(LoginCodes.fromSms("会议号为：55204536"))
    }

    @Test
    fun `opened from the link, the meeting number is filled, a wrong code shows the core's reason, the SMS logs in`() {
        val auth = FakeAuth()
        val login = LoginPresenter(auth, test.scope)
        assertTrue(login.openedFromLink("https://court.example/ots/download/55204536"))
        assertEquals("55204536", login.state.value.meetingNumber)
        assertTrue(login.state.value.meetingNumberFromLink)
        assertFalse("no code without a mobile number", login.state.value.canRequestCode)

        login.onMobileChanged("138-0000-0002")
        assertEquals("13800000002", login.state.value.mobile)
        login.requestCode()
        val sent = login.state.await("code sent") { it.codeSent }
        assertTrue("resend waits a minute: ${sent.resendInSecs}", sent.resendInSecs in 55..60)
        assertFalse(sent.canRequestCode)
        assertEquals(listOf("55204536" to "13800000002"), auth.codesRequested)

        login.onCodeChanged("111111")
        login.login()
        val wrong = login.state.await("wrong code refused") { it.error != null }
        assertEquals("验证码错误或已过期", wrong.error)
        assertEquals("the field is cleared for another try", "", wrong.code)

        login.onSmsReceived("【天津法院】您的登录验证码为：246810，5分钟内有效")
        val done = login.state.await("logged in") { it.session != null }
        assertEquals(Role.DEFENDANT, done.session!!.role)
        assertNull(done.error)
    }

    @Test
    fun `a malformed meeting number is refused with the core's words`() {
        val login = LoginPresenter(FakeAuth(), test.scope)
        login.onMeetingNumberChanged("1234")
        login.onMobileChanged("13800000002")
        login.requestCode()
        assertEquals("会议号应为8位数字", login.state.await("error") { it.error != null }.error)
    }

    @Test
    fun `everyone is on one screen with role and name, double tap enlarges and restores`() {
        val room = FakeRoom()
        val hearing = HearingPresenter(room, test.scope)
        hearing.start()
        val s = hearing.state.await("tiles") { it.tiles.size == 4 }
        assertEquals(listOf("审判长 王法官", "书记员 李书记", "原告 张三", "被告 李四"), s.tiles.map { it.label })
        assertEquals(listOf(false, false, false, true), s.tiles.map { it.isMe })
        assertEquals("语音识别暂未开始", s.recognitionMessage)

        hearing.onTileDoubleTap(3)
        assertEquals(3L, hearing.state.value.enlarged)
        hearing.onTileDoubleTap(3)
        assertNull(hearing.state.value.enlarged)

        hearing.onTileDoubleTap(3)
        room.state.value = snapshot(participants = listOf(judge, clerk, plaintiff.copy(online = false), defendant))
        val gone = hearing.state.await("plaintiff offline") { it.tiles.size == 3 }
        assertNull("an enlarged tile that left is restored", gone.enlarged)
    }

    @Test
    fun `blocked shows only the message, reconnecting and network changes reach the room`() {
        val room = FakeRoom()
        val hearing = HearingPresenter(room, test.scope)
        hearing.start()
        hearing.state.await("tiles") { it.tiles.size == 4 }
        room.state.value = snapshot(participants = listOf(defendant.copy(blocked = true)), me = defendant.copy(blocked = true), blocked = "您已被屏蔽，请等待法官传唤")
        val blocked = hearing.state.await("blocked") { it.blockedMessage != null }
        assertEquals("您已被屏蔽，请等待法官传唤", blocked.blockedMessage)
        assertTrue(blocked.tiles.isEmpty() && blocked.recognition.isEmpty())

        room.state.value = snapshot(connection = RoomConnection.Reconnecting(1))
        val reconnecting = hearing.state.await("reconnecting") { it.reconnecting }
        assertEquals("重新连接中", reconnecting.connectionLabel)
        assertEquals(NetworkQuality.POOR, reconnecting.network)
        hearing.networkChanged()
        assertEquals(1, room.networkChanges)

        room.state.value = snapshot(connection = RoomConnection.Replaced)
        assertEquals(RoomEnd.Replaced, hearing.state.await("replaced") { it.ended != null }.ended)
    }

    @Test
    fun `the recognition panel shows role, name, time and words`() {
        val room = FakeRoom(snapshot(speech = listOf(SpeechLine(1, 3, "原告 张三", "借款五万元", 72_500, true))))
        val hearing = HearingPresenter(room, test.scope)
        hearing.start()
        val line = hearing.state.await("a line") { it.recognition.isNotEmpty() }.recognition.single()
        assertEquals(RecognitionLine(1, "原告 张三", "01:12", "借款五万元", true), line)
        assertEquals("1:00:00", hearingClock(3_600_000))
    }

    @Test
    fun `network quality follows the media round trip`() {
        fun media(rtt: Int?, link: MediaLink = MediaLink.Connected) = MediaStatus(link, "音视频已连接", true, true, rtt, 500, 900)
        assertEquals(NetworkQuality.GOOD, networkQuality(RoomConnection.Connected, media(80)))
        assertEquals(NetworkQuality.FAIR, networkQuality(RoomConnection.Connected, media(300)))
        assertEquals(NetworkQuality.POOR, networkQuality(RoomConnection.Connected, media(900)))
        assertEquals(NetworkQuality.POOR, networkQuality(RoomConnection.Connected, media(null, MediaLink.Reconnecting)))
        assertEquals(NetworkQuality.POOR, networkQuality(RoomConnection.Reconnecting(2), media(80)))
    }

    @Test
    fun `media that ends with the hearing leaves no pictures and says why, whatever the room says next`() {
        val call = FakeMediaCall()
        val room = FakeRoom(call = call)
        val hearing = HearingPresenter(room, test.scope)
        hearing.start()
        hearing.state.await("tiles") { it.tiles.size == 4 }
        assertNotNull(hearing.startMedia(MediaSettings()))
        hearing.onTileDoubleTap(3)
        call.state.value = MediaStatus(MediaLink.Stopped("庭审已结束，音视频已关闭"), "庭审已结束，音视频已关闭", true, true, null, 0, 0)
        val ended = hearing.state.await("media ended") { it.mediaEnded }
        assertEquals("庭审已结束，音视频已关闭", ended.mediaLabel)
        assertTrue(ended.tiles.isEmpty())
        assertNull(ended.enlarged)

        room.state.value = snapshot(participants = listOf(judge, clerk, plaintiff, defendant.copy(muted = true)))
        val later = hearing.state.await("the room's next view") { it.mutedByJudge }
        assertTrue(later.mediaEnded && later.tiles.isEmpty())
    }

    @Test
    fun `a camera that cannot start is reported, not thrown`() {
        val hearing = HearingPresenter(FakeRoom(), test.scope)
        assertNull(hearing.startMedia(MediaSettings()))
        assertEquals("无法打开摄像头", hearing.state.value.error)
    }

    @Test
    fun `a shared file becomes counter-evidence titled after the file`() {
        val service = FakeEvidence()
        val presenter = EvidencePresenter(service, test.scope)
        presenter.start(null)
        presenter.picked("/cache/shared/还款收据.jpg", "还款收据.jpg")
        presenter.editPending(counter = true, purpose = "证明借款已还")
        presenter.submitPending()
        presenter.state.await("queued") { it.pending == null }
        val deadline = System.currentTimeMillis() + 5_000
        while (service.queued.isEmpty() && System.currentTimeMillis() < deadline) Thread.yield()
        val (path, details) = service.queued.single()
        assertEquals("/cache/shared/还款收据.jpg", path)
        assertEquals(NewEvidence(title = "还款收据", purpose = "证明借款已还", counter = true), details)
    }

    @Test
    fun `a form the core refuses stays open with its file and says why`() {
        val service = FakeEvidence()
        val presenter = EvidencePresenter(service, test.scope)
        presenter.start(null)
        presenter.picked("/cache/shared/借条.jpg", "借条.jpg")
        service.refusal = AppError.InvalidInput("请填写证明目的")
        presenter.submitPending()
        val refused = presenter.state.value
        assertEquals("请填写证明目的", refused.error)
        assertEquals("/cache/shared/借条.jpg", refused.pending?.path)
        assertTrue(service.queued.isEmpty())
        service.refusal = null
        presenter.editPending(title = "借条", purpose = "证明借款事实")
        presenter.submitPending()
        presenter.state.await("queued") { it.pending == null && it.error == null }
        val deadline = System.currentTimeMillis() + 5_000
        while (service.queued.isEmpty() && System.currentTimeMillis() < deadline) Thread.yield()
        assertEquals(NewEvidence(title = "借条", purpose = "证明借款事实", counter = false), service.queued.single().second)
    }

    @Test
    fun `another side's image opens as the copy, and each row shows the core's 质证 offer and whose it is`() {
        val service = FakeEvidence()
        val presenter = EvidencePresenter(service, test.scope)
        presenter.start(null)
        service.sidesState.value = listOf(
            EvidenceSide("原告", listOf(evidence("a", plaintiff, mayGiveOpinion = true))),
            EvidenceSide("被告", listOf(evidence("b", defendant, counter = true, mine = true))),
        )
        val s = presenter.state.await("rows") { it.sides.size == 2 }
        val theirs = s.sides[0].rows.single()
        val mine = s.sides[1].rows.single()
        assertTrue(theirs.canGiveOpinion && !theirs.mine)
        assertTrue(mine.mine && !mine.canGiveOpinion)
        assertEquals("反", mine.evidence.badge)

        service.forbidden += EvidenceFileKind.COPY
        presenter.open("a")
        val viewer = presenter.state.await("viewer") { it.viewer != null }.viewer
        assertEquals(Viewer.Image("a", "证据a", "/cache/a.preview"), viewer)
        assertEquals(listOf(EvidenceFileKind.COPY, EvidenceFileKind.PREVIEW), service.fetched)
    }

    @Test
    fun `a file being opened shows how much has arrived, and the viewer clears it`() {
        val service = FakeEvidence()
        val presenter = EvidencePresenter(service, test.scope)
        presenter.start(null)
        service.sidesState.value = listOf(EvidenceSide("原告", listOf(evidence("a", plaintiff, mine = true, mediaType = "application/pdf"))))
        presenter.state.await("rows") { it.sides.isNotEmpty() }
        service.arriving = listOf(DownloadProgress(0, 4_000_000, 0), DownloadProgress(1_800_000, 4_000_000, 45))
        service.downloaded = CompletableDeferred()
        presenter.open("a")
        val opening = presenter.state.await("45%") { it.openingPercent == 45 }
        assertEquals("a", opening.opening)
        service.downloaded!!.complete(Unit)
        val opened = presenter.state.await("viewer") { it.viewer != null }
        assertEquals(null, opened.opening)
        assertEquals(null, opened.openingPercent)
    }

    @Test
    fun `上传证据 follows the core's offer, read again with every list update`() {
        val service = FakeEvidence()
        val presenter = EvidencePresenter(service, test.scope)
        presenter.start(null)
        service.sidesState.value = listOf(EvidenceSide("原告", listOf(evidence("a", plaintiff))))
        presenter.state.await("open") { it.submitting == Submitting.Open }
        service.submittingNow = Submitting.Closed("庭审已结束，不能再提交证据")
        service.sidesState.value = listOf(EvidenceSide("原告", listOf(evidence("a", plaintiff, mayGiveOpinion = false))), EvidenceSide("被告", emptyList()))
        val closed = presenter.state.await("closed") { it.submitting is Submitting.Closed }
        assertEquals(Submitting.Closed("庭审已结束，不能再提交证据"), closed.submitting)
        // A file shared into the app now is refused with the reason, without a form.
        presenter.picked("/cache/shared/收据.jpg", "收据.jpg")
        assertEquals("庭审已结束，不能再提交证据", presenter.state.value.error)
        assertEquals(null, presenter.state.value.pending)
    }

    private fun recordVersion(version: Int): RecordDocument {
        val header = RecordHeader("（2026）津0101民初1号", "民间借贷纠纷", "", "第一法庭", listOf("审判长 王法官"), "李书记", listOf())
        return RecordDocument(7, version, header, listOf(RecordParagraph("审判长", "现在开庭。")), "v$version", "书记员 李书记", 0)
    }

    @Test
    fun `a signing round pops up once, 稍后 leaves the banner, and a new round pops up again`() {
        val service = FakeRecord()
        service.view = RecordView(recordVersion(2), SigningRound(1, 2, "v2", true, emptyList()), mustSign = true, mySignature = null)
        val presenter = RecordPresenter(service, test.scope)
        presenter.start(null)
        presenter.state.await("pop-up") { it.signPrompt }
        presenter.dismissSignPrompt()
        assertTrue(presenter.state.value.mustSign && !presenter.state.value.signPrompt)

        // The same round again (another party signed): no second pop-up.
        val zhangSan = Person(3, "张三", Role.PLAINTIFF, "原告")
        val other = Signer(zhangSan, SignatureInfo(9, zhangSan, 2, "v2", "img", 0, true))
        service.view = RecordView(recordVersion(2), SigningRound(1, 2, "v2", true, listOf(other)), mustSign = true, mySignature = null)
        presenter.refresh()
        val same = presenter.state.await("the signer listed") { it.signing?.signers?.size == 1 }
        assertTrue(same.mustSign && !same.signPrompt)

        // The clerk changed the record in 休庭 and started signing again: a new round pops up.
        service.view = RecordView(recordVersion(3), SigningRound(2, 3, "v3", true, emptyList()), mustSign = true, mySignature = null)
        presenter.refresh()
        presenter.state.await("the new round pops up") { it.signing?.id == 2L && it.signPrompt }
        presenter.openSigningPad()
        assertTrue(presenter.state.value.signingPad && !presenter.state.value.signPrompt)
    }

    @Test
    fun `the pad closes when the record says nothing is left to sign, whichever answer comes first`() {
        val service = FakeRecord()
        val v2 = recordVersion(2)
        service.view = RecordView(v2, SigningRound(1, 2, "v2", true, emptyList()), mustSign = true, mySignature = null)
        val presenter = RecordPresenter(service, test.scope)
        presenter.start(null)
        presenter.state.await("must sign") { it.mustSign }
        presenter.openSigningPad()
        assertTrue(presenter.state.value.signingPad)
        // The room's notice of the signature (signed on another device, or the answer to this one) comes first.
        val me = Person(4, "李四", Role.DEFENDANT, "被告")
        service.view = RecordView(v2, SigningRound(1, 2, "v2", true, emptyList()), mustSign = false, mySignature = SignatureInfo(1, me, 2, "v2", "img", 0, false))
        presenter.refresh()
        val signed = presenter.state.await("signed") { it.mySignatureInfo != null }
        assertFalse(signed.mustSign || signed.signingPad)
    }

    @Test
    fun `the record is signed with the strokes drawn, on the version signing froze`() {
        val service = FakeRecord()
        val v2 = recordVersion(2)
        service.view = RecordView(v2, SigningRound(1, 2, "v2", true, emptyList()), mustSign = true, mySignature = null)
        val presenter = RecordPresenter(service, test.scope)
        presenter.start(null)
        presenter.state.await("must sign") { it.mustSign }
        presenter.openSigningPad()
        presenter.strokeStarted(10f, 10f)
        presenter.strokeMoved(20f, 15f)
        presenter.strokeMoved(30f, 12f)
        presenter.strokeStarted(15f, 30f)
        presenter.strokeMoved(15f, 60f)
        assertEquals(listOf(3, 2), presenter.state.value.strokes.map { it.size })
        presenter.submitSignature(300f, 160f)
        val done = presenter.state.await("signed") { it.mySignatureInfo != null }
        assertFalse(done.mustSign || done.signingPad)
        val (read, strokes, size) = service.signed.single()
        assertEquals(v2, read)
        assertEquals(StrokePoint(30f, 12f), strokes[0][2])
        assertEquals(300f to 160f, size)

        assertTrue(done.pdfOffered)
        presenter.openSignedPdf()
        assertEquals("/files/record.pdf", presenter.state.await("the PDF") { it.pdf != null }.pdf)
        presenter.pdfShown()
        assertEquals(null, presenter.state.value.pdf)
    }

    @Test
    fun `a restarted app still logged in goes straight back into its hearing, a new login checks the devices first`() {
        val auth = FakeAuth()
        val session = Session(7, 4, Role.DEFENDANT, "55204536", Long.MAX_VALUE)
        auth.status.value = SessionStatus.LoggedIn(session)
        val restarted = AppPresenter(auth, test.scope)
        restarted.start()
        assertEquals(Screen.Hearing(session), restarted.screen.value)

        auth.status.value = SessionStatus.LoggedOut
        val fresh = AppPresenter(auth, test.scope)
        fresh.start()
        assertEquals(Screen.Login(null), fresh.screen.value)
        auth.status.value = SessionStatus.LoggedIn(session)
        fresh.screen.await("self-test") { it is Screen.SelfTest }
    }

    @Test
    fun `an expired session returns to login with the notice, a link for another hearing asks to log in`() {
        val auth = FakeAuth()
        val app = AppPresenter(auth, test.scope)
        app.start()
        app.screen.await("login") { it is Screen.Login }
        val session = Session(7, 4, Role.DEFENDANT, "55204536", Long.MAX_VALUE)
        auth.status.value = SessionStatus.LoggedIn(session)
        app.screen.await("self-test") { it is Screen.SelfTest }
        app.enterHearing()
        assertEquals(Screen.Hearing(session), app.screen.value)
        app.openLink("https://court.example/ots/download/55204536")
        assertEquals("the same hearing's link keeps the hearing", Screen.Hearing(session), app.screen.value)
        app.openLink("https://court.example/ots/download/11112222")
        assertEquals(Screen.Login("11112222"), app.screen.value)
        auth.status.value = SessionStatus.Expired
        assertEquals(LoginNotice.SESSION_EXPIRED, (app.screen.await("expired") { it is Screen.Login && it.notice != null } as Screen.Login).notice)
    }

    @Test
    fun `申请圈注 waits for the judge, and a party cannot draw before`() {
        val fake = FakeAnnotation()
        val presenter = AnnotationPresenter(fake, FakeRoom(), "e1", test.scope, myId = 4)
        presenter.start()
        assertEquals(listOf("e1"), fake.opened)
        val s = presenter.state.await("loaded") { it.loaded }
        assertTrue(s.canRequest && !s.mayDraw && !s.drawing)
        presenter.chooseTool(AnnotationTool.RECTANGLE)
        presenter.pointerDown(1, 0.1f, 0.1f)
        assertNull("no stroke without permission", presenter.state.value.stroke)
        presenter.request()
        val waiting = presenter.state.await("waiting") { it.waiting }
        assertFalse(waiting.canRequest)
        presenter.request()
        assertEquals("已申请圈注", presenter.state.await("error") { it.error != null }.error)
        presenter.dismissError()
        fake.allow(true)
        val allowed = presenter.state.await("allowed") { it.mayDraw }
        assertTrue(allowed.drawing && !allowed.waiting)
        presenter.stop()
        assertTrue(fake.closed)
    }

    @Test
    fun `a rectangle drawn with the finger is previewed, then committed in the chosen colour`() {
        val fake = FakeAnnotation().apply { allow(true) }
        val presenter = AnnotationPresenter(fake, FakeRoom(), "e1", test.scope, myId = 4)
        presenter.start()
        presenter.state.await("allowed") { it.mayDraw }
        presenter.chooseTool(AnnotationTool.RECTANGLE)
        presenter.chooseColour(MarkColour.GREEN)
        presenter.pointerDown(1, 0.2f, 0.3f)
        presenter.pointerMove(0.4f, 0.35f)
        presenter.pointerMove(0.6f, 1.4f)
        val drawing = presenter.state.value
        assertEquals(OwnStroke(1, MarkColour.GREEN, MarkShape.Rectangle(PagePoint(0.2f, 0.3f), PagePoint(0.6f, 1f))), drawing.stroke)
        assertEquals("others see it live", 2, fake.previewed.size)
        presenter.state.await("own preview not echoed") { it.loaded && it.previews.isEmpty() }
        presenter.pointerUp()
        val done = presenter.state.await("committed") { it.marks.size == 1 && it.committing == null }
        assertNull(done.stroke)
        val mark = done.marks.single()
        assertEquals(MarkColour.GREEN, mark.colour)
        assertEquals(MarkShape.Rectangle(PagePoint(0.2f, 0.3f), PagePoint(0.6f, 1f)), mark.shape)
        assertEquals(listOf(mark), done.marksOn(1))
        assertTrue(done.marksOn(2).isEmpty())

        presenter.chooseTool(AnnotationTool.PEN)
        presenter.pointerDown(1, 0.5f, 0.5f)
        presenter.pointerUp()
        assertEquals("a tap is not a mark", 1, presenter.state.value.marks.size)
        presenter.pointerDown(2, 0.1f, 0.1f)
        presenter.pointerMove(0.2f, 0.2f)
        presenter.pointerMove(0.3f, 0.1f)
        presenter.pointerUp()
        val ink = presenter.state.await("ink on page 2") { it.marksOn(2).isNotEmpty() }.marksOn(2).single().shape
        assertEquals(MarkShape.Ink(listOf(PagePoint(0.1f, 0.1f), PagePoint(0.2f, 0.2f), PagePoint(0.3f, 0.1f))), ink)

        presenter.chooseTool(AnnotationTool.TEXT)
        presenter.pointerDown(1, 0.7f, 0.2f)
        assertEquals(1 to PagePoint(0.7f, 0.2f), presenter.state.value.textAt)
        presenter.placeText("  此处金额有涂改  ")
        val text = presenter.state.await("text") { s -> s.marks.any { it.shape is MarkShape.Text } }
        assertEquals(MarkShape.Text(PagePoint(0.7f, 0.2f), "此处金额有涂改"), text.marks.last().shape)
        presenter.stopDrawing()
        assertFalse(presenter.state.value.drawing)
    }

    @Test
    fun `a shape dragged back to its start, a cancelled touch and closing mid-stroke take the stroke back from the others`() {
        val fake = FakeAnnotation().apply { allow(true) }
        val presenter = AnnotationPresenter(fake, FakeRoom(), "e1", test.scope, myId = 4)
        presenter.start()
        presenter.state.await("allowed") { it.mayDraw }
        presenter.chooseTool(AnnotationTool.RECTANGLE)

        // Dragged out and back to where it began: too small to keep.
        presenter.pointerDown(1, 0.2f, 0.3f)
        presenter.pointerMove(0.5f, 0.5f)
        presenter.pointerMove(0.2f, 0.3f)
        assertEquals("others saw it grow", 2, fake.previewed.size)
        presenter.pointerUp()
        assertEquals("given up, so the others stop seeing it", 1, fake.abandoned)
        assertNull(presenter.state.value.stroke)
        assertNull("nothing committed", presenter.state.value.committing)

        // A rectangle of some size is committed, not given up.
        presenter.pointerDown(1, 0.2f, 0.3f)
        presenter.pointerMove(0.6f, 0.5f)
        presenter.pointerUp()
        presenter.state.await("committed") { it.marks.size == 1 && it.committing == null }
        assertEquals("a committed stroke is not given up", 1, fake.abandoned)

        // The system takes the touch (a call, a system gesture): even a big stroke is not committed.
        presenter.pointerDown(1, 0.1f, 0.1f)
        presenter.pointerMove(0.7f, 0.8f)
        presenter.pointerCancel()
        assertEquals(2, fake.abandoned)
        assertNull(presenter.state.value.stroke)
        assertNull("a cancelled touch commits nothing", presenter.state.value.committing)
        presenter.pointerUp()
        presenter.pointerCancel()
        assertEquals("no stroke, nothing more to give up", 2, fake.abandoned)

        // 浏览 mid-stroke, another tool mid-stroke, and the viewer closed mid-stroke.
        presenter.pointerDown(1, 0.1f, 0.1f)
        presenter.pointerMove(0.4f, 0.4f)
        presenter.stopDrawing()
        assertEquals(3, fake.abandoned)
        presenter.chooseTool(AnnotationTool.ARROW)
        presenter.pointerDown(1, 0.1f, 0.1f)
        presenter.pointerMove(0.4f, 0.4f)
        presenter.chooseTool(AnnotationTool.PEN)
        assertEquals(4, fake.abandoned)
        presenter.pointerDown(1, 0.1f, 0.1f)
        presenter.pointerMove(0.4f, 0.4f)
        presenter.stop()
        assertEquals("told before the item is closed", 5, fake.abandoned)
        assertTrue(fake.closed)
        assertEquals(1, fake.state.value.marks.size)
    }

    @Test
    fun `撤销 takes back the latest own mark, the judge's marks stay, and others' strokes show`() {
        val fake = FakeAnnotation().apply { allow(true) }
        val presenter = AnnotationPresenter(fake, FakeRoom(), "e1", test.scope, myId = 4)
        presenter.start()
        presenter.state.await("allowed") { it.mayDraw }
        presenter.chooseTool(AnnotationTool.ARROW)
        presenter.pointerDown(1, 0.1f, 0.1f)
        presenter.pointerMove(0.3f, 0.3f)
        presenter.pointerUp()
        presenter.state.await("mine") { it.marks.size == 1 }
        fake.judgeDraws(MarkShape.Ellipse(PagePoint(0.5f, 0.5f), PagePoint(0.7f, 0.6f)))
        fake.state.value = fake.state.value.copy(previews = listOf(Mark(null, 1, MarkColour.ORANGE, MarkShape.Ink(listOf(PagePoint(0f, 0f))), 3, "原告 张三")))
        val both = presenter.state.await("judge's mark and the plaintiff's stroke") { it.marks.size == 2 && it.previews.size == 1 }
        assertEquals("原告 张三", both.previewsOn(1).single().authorLabel)
        assertEquals("审判长 王法官", both.marks.last().authorLabel)
        presenter.undo()
        val undone = presenter.state.await("undone") { it.marks.size == 1 }
        assertEquals("审判长 王法官", undone.marks.single().authorLabel)
        presenter.undo()
        assertEquals(AnnotationPresenter.NOTHING_TO_UNDO, presenter.state.await("nothing left") { it.error != null }.error)
    }

    @Test
    fun `when the judge withdraws mid-stroke the stroke is dropped, and a refused mark says why`() {
        val fake = FakeAnnotation().apply { allow(true) }
        val presenter = AnnotationPresenter(fake, FakeRoom(), "e1", test.scope, myId = 4)
        presenter.start()
        presenter.state.await("allowed") { it.mayDraw }
        presenter.chooseTool(AnnotationTool.ELLIPSE)
        presenter.pointerDown(1, 0.1f, 0.1f)
        presenter.pointerMove(0.4f, 0.4f)
        assertNotNull(presenter.state.value.stroke)
        fake.allow(false)
        val withdrawn = presenter.state.await("withdrawn") { !it.mayDraw }
        assertNull("the stroke goes with the permission", withdrawn.stroke)
        assertEquals("and the core is told it was given up", 1, fake.abandoned)
        assertTrue(withdrawn.canRequest && !withdrawn.drawing)
        presenter.pointerMove(0.5f, 0.5f)
        presenter.pointerUp()
        assertTrue(presenter.state.value.marks.isEmpty())

        // The server refuses what got through before its update arrived: its reason, in Chinese.
        fake.allow(true)
        presenter.state.await("allowed again") { it.mayDraw }
        fake.refuse = AppError.Forbidden("圈注权限已被收回")
        presenter.pointerDown(1, 0.1f, 0.1f)
        presenter.pointerMove(0.3f, 0.2f)
        presenter.pointerUp()
        val refused = presenter.state.await("refused") { it.error != null }
        assertEquals("圈注权限已被收回", refused.error)
        assertNull(refused.committing)
        assertTrue(refused.marks.isEmpty())
    }

    @Test
    fun `the microphone level rises with a voice and is zero in silence`() {
        assertEquals(0f, pcmLevel(ByteArray(1920)))
        val loud = ByteArray(1920) { i -> if (i % 2 == 1) (if (i % 4 == 1) 0x40 else 0xC0).toByte() else 0 }
        assertTrue("half scale is -6 dBFS: ${pcmLevel(loud)}", pcmLevel(loud) in 0.85f..0.95f)
    }

    @Test
    fun `the self-test passes the microphone only when it hears a voice, and fails a camera that cannot open`() {
        val voice = ByteArray(1920) { i -> if (i % 2 == 1) (if (i % 4 == 1) 0x10 else 0xF0).toByte() else 0 }
        val devices = object : DeviceTester {
            val frames = MutableStateFlow(ByteArray(1920))
            override fun cameraFrames(): Flow<Long> = flow { throw AppError.Media("摄像头被其他应用占用") }
            override fun microphone(): Flow<ByteArray> = frames
            override suspend fun playTestSound() = delay(50)
        }
        val selfTest = SelfTestPresenter(devices, test.scope)
        selfTest.start()
        val failed = selfTest.state.await("camera failed") { it.camera == CheckStatus.FAILED }
        assertEquals("摄像头被其他应用占用", failed.cameraError)
        assertEquals("silence is not a working microphone", CheckStatus.CHECKING, failed.microphone)
        devices.frames.value = voice
        assertTrue(selfTest.state.await("voice heard") { it.microphone == CheckStatus.WORKING }.microphoneLevel > 0.33f)
        selfTest.playTestSound()
        selfTest.state.await("played") { !it.speakerPlaying }
        selfTest.confirmSpeaker(true)
        assertFalse("the camera failed", selfTest.state.value.allWorking)
        selfTest.stop()
    }
}

/** The camera-to-core and core-to-screen picture conversions. */
class PictureTests {
    @Test
    fun `camera planes with padding and interleaved chroma pack into I420`() {
        // 4×2 picture, Y rows padded to 6 bytes; chroma interleaved (pixel stride 2) as most phones give it.
        val y = byteArrayOf(1, 2, 3, 4, 0, 0, 5, 6, 7, 8, 0, 0)
        val uv = byteArrayOf(10, 20, 11, 21)
        val vu = byteArrayOf(20, 11, 21, 0)
        val frame = court.cloudtrial.app.media.I420.fromPlanes(4, 2, y, 6, uv, vu, 4, 2)
        assertEquals(listOf<Byte>(1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 20, 21), frame.data.toList())
    }

    @Test
    fun `a portrait phone's frame is turned upright, chroma with it`() {
        val w = 4
        val h = 2
        val data = ByteArray(w * h * 3 / 2) { it.toByte() }
        val turned = court.cloudtrial.app.media.I420.rotate(I420Frame(w, h, data), 90)
        assertEquals(2, turned.width)
        assertEquals(4, turned.height)
        // Clockwise: the bottom-left pixel (row 1, col 0 = 4) comes to the top-left.
        assertEquals(listOf<Byte>(4, 0, 5, 1, 6, 2, 7, 3), turned.data.take(8))
        assertEquals(listOf<Byte>(8, 9), turned.data.slice(8..9))
        val back = court.cloudtrial.app.media.I420.rotate(court.cloudtrial.app.media.I420.rotate(turned, 180), 90)
        assertEquals(data.toList(), back.data.toList())
    }

    @Test
    fun `I420 colours come out as the same colours in ARGB`() {
        fun solid(y: Int, u: Int, v: Int) = I420Frame(2, 2, byteArrayOf(y.toByte(), y.toByte(), y.toByte(), y.toByte(), u.toByte(), v.toByte()))
        fun rgb(p: Int) = Triple((p shr 16) and 0xff, (p shr 8) and 0xff, p and 0xff)
        val red = rgb(court.cloudtrial.app.media.I420.toArgb(solid(81, 90, 240))[0])
        assertTrue("$red", red.first > 230 && red.second < 20 && red.third < 20)
        val white = rgb(court.cloudtrial.app.media.I420.toArgb(solid(235, 128, 128))[3])
        assertTrue("$white", white.first >= 250 && white.second >= 250 && white.third >= 250)
    }
}
