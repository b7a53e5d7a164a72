import CloudTrialCore
import CloudTrialFeatures
import CloudTrialRust
import CloudTrialTestSupport
import Foundation
import XCTest

/// The app's view models over the Rust-backed services, against a real
/// `--demo` server, as the defendant 李四 (13800000002) on an iPhone. The
/// judge's side (开始, 屏蔽, 传唤, 圈注 approval, 闭庭) is driven through the
/// generated bindings, as the PC would; the clerk's through HTTP.
///
/// One hearing, one story: the steps run in order (XCTest sorts them by name)
/// and build on each other. Needs CLOUDTRIAL_BASE_URL and CLOUDTRIAL_MEETING
/// (ios/run-swift-tests.sh sets them).
final class HearingScenarioTests: XCTestCase {
    private static let party = "13800000002"
    private static let judge = "13900000001"

    /// What the steps share.
    @MainActor
    private enum Story {
        static var baseUrl = ""
        static var meeting = ""
        static var desk: CourtDesk!
        static var dataDir = ""
        static var services: RustCloudTrialServices!
        static var app: AppViewModel!
        static var hearingServices: HearingServices!
        static var room: CloudTrialFeatures.HearingRoom!
        static var hearing: HearingViewModel!
        static var evidence: EvidenceViewModel!
        static var record: RecordViewModel!
        static var judgeClient: CloudTrialClient!
        static var judgeRoom: CloudTrialCore.HearingRoom!
        static var hearingId: Int64 = 0
        static var myId: Int64 = 0
        static var started = false
        /// The first step that failed: the later ones are skipped (they build on it).
        static var failed: String?
    }

    @MainActor
    override func setUp() async throws {
        let env = ProcessInfo.processInfo.environment
        guard let baseUrl = env["CLOUDTRIAL_BASE_URL"], let meeting = env["CLOUDTRIAL_MEETING"] else {
            throw XCTSkip("needs a --demo server (ios/run-swift-tests.sh)")
        }
        if let failed = Story.failed { throw XCTSkip("an earlier step failed: \(failed)") }
        guard !Story.started else { return }
        Story.started = true
        if let filter = env["CLOUDTRIAL_LOG"] { RustCloudTrialServices.enableLogging(filter) }
        Story.baseUrl = baseUrl
        Story.meeting = meeting
        Story.desk = CourtDesk(baseUrl: baseUrl)
        try await Story.desk.logIn()
        Story.dataDir = try temporaryDirectory("cloudtrial-ios")
        Story.services = try RustCloudTrialServices(baseUrl: baseUrl, dataDir: Story.dataDir)
        Story.app = AppViewModel(auth: Story.services.auth)
        Story.app.start()
    }

    @MainActor
    override func tearDown() async throws {
        if let run = testRun, run.totalFailureCount > 0, Story.failed == nil { Story.failed = name }
    }

    private func temporaryDirectory(_ prefix: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    private func code(in sms: String) throws -> String {
        try XCTUnwrap(LoginCodes.fromSms(sms), "no code in \(sms)")
    }

    /// The judge on the PC: logged in and in the room through the bindings.
    @MainActor
    private func judgeEnters() async throws {
        let client = try CloudTrialClient(baseUrl: Story.baseUrl, dataDir: try temporaryDirectory("cloudtrial-judge"))
        _ = try await client.requestLoginCode(meetingNumber: Story.meeting, mobile: Self.judge)
        let sms = try await Story.desk.newestLoginSms(Self.judge)
        _ = try await client.login(meetingNumber: Story.meeting, mobile: Self.judge, code: try code(in: sms), device: .pcBrowser)
        Story.judgeClient = client
        let room = try client.joinHearing(device: .pcBrowser)
        Story.judgeRoom = room
        // The PC acts once its room is connected (its buttons are enabled then).
        let states = RoomRecorder()
        let handle = room.subscribe(listener: states)
        defer { handle.cancel() }
        _ = try await states.inbox.next("the judge's room connected") { $0.connection == .connected && $0.me != nil }
    }

    /// The judge's room states, as the PC's listener gets them.
    private final class RoomRecorder: RoomStateListener, @unchecked Sendable {
        let inbox = Inbox<RoomState>()
        func onUpdate(state: RoomState) { inbox.put(state) }
    }

    @MainActor
    func test01_theSmsLinkOpensLoginWithItsNumberAndTheTextedCodeLogsIn() async throws {
        let link = try await Story.desk.noticeLink(Self.party)
        Story.app.openLink(link)
        let screen = try await awaitState("login from the link", { Story.app.screen }) { $0 == .login(meetingNumber: Story.meeting) }
        guard case let .login(number, _) = screen else { return XCTFail("\(screen)") }
        let login = LoginViewModel(auth: Story.services.auth, meetingNumber: number)
        XCTAssertEqual(login.state.meetingNumber, Story.meeting)
        XCTAssertTrue(login.state.meetingNumberFromLink)

        login.mobileChanged(Self.party)
        login.requestCode()
        let sent = try await awaitState("code sent", { login.state }) { $0.codeSent && !$0.busy }
        XCTAssertGreaterThan(sent.resendInSecs, 0, "获取验证码 waits")

        let sms = try await Story.desk.newestLoginSms(Self.party)
        let right = try code(in: sms)
        let wrong = String(format: "%06d", (Int(right)! + 1) % 1_000_000)
        login.codeChanged(String(wrong.prefix(5)))
        login.codeChanged(wrong)
        login.login()
        let refused = try await awaitState("wrong code refused", { login.state }) { $0.error != nil && !$0.busy }
        XCTAssertTrue(refused.error!.contains("验证码"), "the core's reason: \(refused.error!)")

        // The keyboard's one-time-code suggestion fills the six digits at once and logs in.
        login.codeChanged(right)
        let session = try await awaitState("logged in", { login.state }) { $0.session != nil }.session!
        XCTAssertEqual(session.role, .defendant)
        XCTAssertEqual(session.meetingNumber, Story.meeting)
        Story.myId = session.participantId
        Story.hearingId = session.hearingId
        Story.app.loggedIn(session)
        Story.app.enterHearing()
        XCTAssertEqual(Story.app.screen, .hearing(session))
    }

    @MainActor
    func test02_inTheRoomEveryonePresentIsATileWithRoleAndName() async throws {
        try await judgeEnters()
        Story.hearingServices = try Story.services.hearing()
        Story.room = try Story.hearingServices.enterRoom()
        Story.hearing = HearingViewModel(room: Story.room)
        Story.hearing.start()
        let s = try await awaitState("judge and defendant on screen", { Story.hearing.state }) { $0.tiles.count == 2 }
        XCTAssertEqual(s.tiles.map(\.label), ["审判长 王法官", "被告 李四"])
        XCTAssertEqual(s.tiles.first(where: \.isMe)?.participantId, Story.myId)
        XCTAssertEqual(s.connectionLabel, "已连接")
        XCTAssertEqual(s.phaseLabel, "未开庭")
        XCTAssertEqual(s.recognitionMessage, "语音识别暂未开始")
    }

    @MainActor
    func test03_theJudgeStartsAndTheRecognitionPanelIsOn() async throws {
        try await Story.judgeRoom.startHearing()
        let s = try await awaitState("in session", { Story.hearing.state }) { $0.phaseLabel == "庭审中" }
        XCTAssertNotEqual(s.recognitionMessage, "语音识别暂未开始")
    }

    @MainActor
    func test04_blockedThePartySeesOnlyTheMessageAndIsBackWhenSummoned() async throws {
        try await Story.judgeRoom.block(participantId: Story.myId)
        let blocked = try await awaitState("blocked", { Story.hearing.state }) { $0.blockedMessage != nil }
        XCTAssertEqual(blocked.blockedMessage, "您已被屏蔽，请等待法官传唤")
        XCTAssertEqual(blocked.tiles, [], "no one else is shown")
        try await Story.judgeRoom.summon(participantId: Story.myId)
        let back = try await awaitState("summoned", { Story.hearing.state }) { $0.blockedMessage == nil && $0.tiles.count == 2 }
        XCTAssertEqual(back.tiles.map(\.label), ["审判长 王法官", "被告 李四"])

        try await Story.judgeRoom.setMuted(participantId: Story.myId, muted: true)
        let muted = try await awaitState("您已被法官静音", { Story.hearing.state }) { $0.mutedByJudge }
        XCTAssertEqual(muted.tiles.first { $0.isMe }?.muted, true)
        try await Story.judgeRoom.setMuted(participantId: Story.myId, muted: false)
        _ = try await awaitState("unmuted", { Story.hearing.state }) { !$0.mutedByJudge }
    }

    @MainActor
    func test05_aNetworkChangeShowsReconnectingAndComesBack() async throws {
        Story.hearing.networkChanged()
        _ = try await awaitState("重新连接中", { Story.hearing.state }) { $0.reconnecting }
        let back = try await awaitState("reconnected", { Story.hearing.state }) { !$0.reconnecting && $0.connectionLabel == "已连接" }
        XCTAssertEqual(back.tiles.count, 2)
    }

    @MainActor
    func test06_cameraAndMicrophoneGoOutAndTheNetworkIndicatorFollows() async throws {
        let call = try XCTUnwrap(Story.hearing.startMedia(MediaSettings(width: 160, height: 120, fps: 15, bitrate: 150_000)),
                                 "media started: \(Story.hearing.state.error ?? "")")
        let feeder = Task.detached {
            let frame = I420Frame(width: 160, height: 120, data: Data(repeating: 128, count: 160 * 120 * 3 / 2))
            let quiet = Data(count: 1920)
            while !Task.isCancelled {
                try? call.sendVideo(frame)
                for _ in 0..<3 { try? call.sendAudio(quiet) }
                try? await Task.sleep(nanoseconds: 60_000_000) // the camera's pace
            }
        }
        defer { feeder.cancel() }
        let s = try await awaitState("media connected", seconds: 30, { Story.hearing.state }) { $0.mediaLabel == "音视频已连接" }
        XCTAssertTrue(s.cameraOn && s.microphoneOn)
        XCTAssertNotEqual(s.network, .unknown)
        Story.hearing.toggleMicrophone()
        let off = try await awaitState("microphone off", { Story.hearing.state }) { !$0.microphoneOn }
        XCTAssertFalse(off.microphoneOn)
        XCTAssertFalse(call.current().microphoneOn, "the core's media session has it off")
    }

    @MainActor
    func test07_aPhotoGoesUpAsCounterEvidenceWithProgressAndIsListedWithFan() async throws {
        let me = try await Story.services.auth.hearingInfo().me
        XCTAssertEqual(me, Person(id: Story.myId, name: "李四", role: .defendant, roleLabel: "被告"))
        Story.evidence = EvidenceViewModel(evidence: Story.hearingServices.evidence)
        Story.evidence.start(room: Story.room)

        // As the photo picker hands it over: a copy in the app's temporary folder.
        let photo = URL(fileURLWithPath: try temporaryDirectory("picked")).appendingPathComponent("IMG_0930.PNG")
        try TestPhoto.write(width: 1600, height: 1200, to: photo)
        Story.evidence.picked(path: photo.path, fileName: "IMG_0930.PNG")
        XCTAssertEqual(Story.evidence.state.pending?.title, "IMG_0930")
        // Without 证明目的 the form stays open with its photo and says what is missing.
        Story.evidence.submitPending()
        XCTAssertEqual(Story.evidence.state.error, "请填写证明目的")
        XCTAssertEqual(Story.evidence.state.pending?.path, photo.path)
        Story.evidence.editPending(title: " ", purpose: "证明借款已经归还")
        Story.evidence.submitPending()
        XCTAssertEqual(Story.evidence.state.error, "请填写证据名称")
        Story.evidence.editPending(title: "还款收据照片", purpose: "证明借款已经归还", counter: true)
        Story.evidence.submitPending()

        var seen: [(UploadStatus, Int)] = []
        let done = try await awaitState("submitted", seconds: 60, { Story.evidence.state }) { s in
            if let u = s.uploads.first, seen.last.map({ $0 != (u.status, u.percent) }) ?? true { seen.append((u.status, u.percent)) }
            return s.uploads.contains { $0.status == .submitted || $0.status == .failed }
        }
        let upload = try XCTUnwrap(done.uploads.first)
        XCTAssertEqual(done.uploads.count, 1)
        XCTAssertEqual(upload.status, .submitted, "failed: \(upload.reason ?? "")")
        XCTAssertEqual(upload.percent, 100)
        XCTAssertEqual(upload.statusLabel, "已提交")
        XCTAssertTrue(upload.counter)
        XCTAssertGreaterThan(upload.total, 5_000_000)
        let percents = seen.map(\.1)
        XCTAssertEqual(percents, percents.sorted(), "progress only grows: \(seen)")
        XCTAssertTrue(seen.contains { $0.0 != .submitted }, "progress seen before 已提交: \(seen)")

        let listed = try await awaitState("listed under 被告", { Story.evidence.state }) { s in
            s.sides.contains { $0.rows.contains { $0.evidence.title == "还款收据照片" } }
        }
        let side = try XCTUnwrap(listed.sides.first { $0.rows.contains { $0.evidence.title == "还款收据照片" } })
        XCTAssertEqual(side.sideLabel, "被告")
        XCTAssertEqual(side.rows.count, 1)
        XCTAssertEqual(side.rows[0].evidence.badge, "反")
        XCTAssertTrue(side.rows[0].mine)
        XCTAssertFalse(side.rows[0].canGiveOpinion)
        XCTAssertEqual(listed.submitting, .open)
    }

    @MainActor
    func test08_thePartyOpensThePhotoFullScreen() async throws {
        let id = try XCTUnwrap(Story.evidence.state.sides.flatMap(\.rows).first?.evidence.id)
        // A download tells how much has arrived, to the end.
        let shown = Inbox<CloudTrialFeatures.DownloadProgress>()
        _ = try await Story.hearingServices.evidence.file(evidenceId: id, kind: .preview) { shown.put($0) }
        let whole = try await shown.next("the whole preview", seconds: 1) { $0.percent == 100 }
        XCTAssertEqual(whole.bytesReceived, whole.total)
        XCTAssertGreaterThan(whole.total ?? 0, 0)
        Story.evidence.open(id)
        let s = try await awaitState("viewer", seconds: 30, { Story.evidence.state }) { $0.viewer != nil || $0.error != nil }
        XCTAssertNil(s.error)
        guard case let .image(_, title, path) = s.viewer else { return XCTFail("\(String(describing: s.viewer))") }
        XCTAssertEqual(title, "还款收据照片")
        let size = TestPhoto.size(ofPNG: try Data(contentsOf: URL(fileURLWithPath: path)))
        XCTAssertEqual(size?.0, 1600)
        XCTAssertEqual(size?.1, 1200)
        Story.evidence.closeViewer()
    }

    /// The judge's view of an item's marks, as the PC's listener gets them.
    private final class MarksRecorder: EvidenceMarksListener, @unchecked Sendable {
        let inbox = Inbox<CloudTrialCore.EvidenceMarks>()
        func onUpdate(marks: CloudTrialCore.EvidenceMarks) { inbox.put(marks) }
    }

    @MainActor
    func test09_annotationThePartyAsksTheJudgeApprovesEachSeesTheOthersMarks() async throws {
        let id = try XCTUnwrap(Story.evidence.state.sides.flatMap(\.rows).first?.evidence.id)
        let judgeSees = MarksRecorder()
        let judgeSession = Story.judgeRoom.annotation(evidenceId: id)
        let judgeHandle = judgeSession.subscribe(listener: judgeSees)
        defer { judgeHandle.cancel() }
        let annotation = AnnotationViewModel(service: Story.hearingServices.annotation, room: Story.room, evidenceId: id, myId: Story.myId)
        annotation.start()
        defer { annotation.stop() }

        let fresh = try await awaitState("the marks", { annotation.state }) { $0.loaded }
        XCTAssertTrue(fresh.canRequest && !fresh.mayDraw && fresh.marks.isEmpty, "申请圈注 shown: \(fresh)")
        annotation.request()
        _ = try await awaitState("已申请圈注，等待法官同意", { annotation.state }) { $0.waiting }
        try await Story.judgeRoom.allowAnnotation(participantId: Story.myId)
        _ = try await awaitState("通过", { annotation.state }) { $0.mayDraw && $0.annotating == .allowed }

        annotation.chooseTool(.rectangle)
        annotation.chooseColour(.blue)
        annotation.pointerDown(page: 1, x: 0.2, y: 0.3)
        annotation.pointerMove(x: 0.35, y: 0.45)
        annotation.pointerMove(x: 0.5, y: 0.6)
        let live = try await judgeSees.inbox.next("the stroke while it is drawn") { $0.previews.contains { $0.authorId == Story.myId } }
        XCTAssertEqual(live.previews.first { $0.authorId == Story.myId }?.authorLabel, "被告 李四")
        annotation.pointerUp()
        let rectangle = CloudTrialCore.MarkShape.rectangle(from: MarkPoint(x: 0.2, y: 0.3), to: MarkPoint(x: 0.5, y: 0.6))
        let seen = try await judgeSees.inbox.next("the rectangle") { $0.marks.contains { $0.shape == rectangle } }
        let mark = try XCTUnwrap(seen.marks.first { $0.shape == rectangle })
        XCTAssertEqual(mark.page, 1)
        XCTAssertEqual(mark.colour, .blue)
        XCTAssertEqual(mark.authorId, Story.myId)
        XCTAssertEqual(mark.authorLabel, "被告 李四")
        let mine = try await awaitState("the party's own mark back", { annotation.state }) { s in
            s.marks.contains { $0.id == mark.id } && s.committing == nil
        }
        XCTAssertNil(mine.stroke)

        // An ellipse dragged back to where it began is no mark, and the judge stops seeing it.
        annotation.chooseTool(.ellipse)
        annotation.pointerDown(page: 1, x: 0.6, y: 0.2)
        annotation.pointerMove(x: 0.75, y: 0.35)
        _ = try await judgeSees.inbox.next("the ellipse while it is drawn") { marks in
            marks.previews.contains { preview in
                guard preview.authorId == Story.myId, case .ellipse = preview.shape else { return false }
                return true
            }
        }
        annotation.pointerMove(x: 0.6, y: 0.2)
        annotation.pointerUp()
        _ = try await judgeSees.inbox.next("the ellipse given up") { !$0.previews.contains { $0.authorId == Story.myId } }
        XCTAssertEqual(judgeSession.marks().marks.map(\.id), [mark.id])

        let arrow = CloudTrialCore.MarkShape.arrow(from: MarkPoint(x: 0.8, y: 0.8), to: MarkPoint(x: 0.6, y: 0.5))
        let judgeMark = try await judgeSession.draw(page: 1, colour: .red, shape: arrow)
        let both = try await awaitState("the judge's mark", { annotation.state }) { $0.marks.contains { $0.id == judgeMark } }
        let theirs = try XCTUnwrap(both.marks.first { $0.id == judgeMark })
        XCTAssertEqual(theirs.authorLabel, "审判长 王法官")
        XCTAssertEqual(theirs.shape, .arrow(from: PagePoint(x: 0.8, y: 0.8), to: PagePoint(x: 0.6, y: 0.5)))

        annotation.undo()
        let undone = try await judgeSees.inbox.next("撤销") { !$0.marks.contains { $0.id == mark.id } }
        XCTAssertEqual(undone.marks.map(\.id), [judgeMark])
        let undoneHere = try await awaitState("撤销 in the app", { annotation.state }) { !$0.marks.contains { $0.id == mark.id } }
        XCTAssertEqual(undoneHere.marks.map(\.id), [judgeMark])

        // 收回圈注 while the finger is down: the stroke goes, 申请圈注 is back.
        annotation.chooseTool(.pen)
        annotation.pointerDown(page: 1, x: 0.1, y: 0.1)
        annotation.pointerMove(x: 0.2, y: 0.15)
        XCTAssertNotNil(annotation.state.stroke)
        try await Story.judgeRoom.withdrawAnnotation(participantId: Story.myId)
        let withdrawn = try await awaitState("收回", { annotation.state }) { !$0.mayDraw }
        XCTAssertNil(withdrawn.stroke)
        XCTAssertTrue(withdrawn.canRequest)
        annotation.pointerUp()
        XCTAssertEqual(judgeSession.marks().marks.map(\.id), [judgeMark])
    }

    @MainActor
    func test10_afterTheAppIsKilledANewStartIsStillLoggedInAndTheQueueKnowsTheUpload() async throws {
        let again = try RustCloudTrialServices(baseUrl: Story.baseUrl, dataDir: Story.dataDir)
        defer { again.close() }
        let status = again.auth.currentStatus()
        XCTAssertEqual(status.session?.participantId, Story.myId, "\(status)")
        let uploads = try again.hearing().evidence.currentUploads()
        XCTAssertEqual(uploads.map(\.title), ["还款收据照片"])
        XCTAssertEqual(uploads.map(\.status), [.submitted])
    }

    @MainActor
    func test11_theRecordFollowsTheClerkAndThePartySignsWithAFingerAfterClosing() async throws {
        let record = RecordViewModel(record: Story.hearingServices.record)
        Story.record = record
        record.start(room: Story.room)
        defer { record.stop() }
        try await Story.desk.saveRecord(hearingId: Story.hearingId, base: nil, paragraphs: [("审判长", "现在开庭。")])
        _ = try await awaitState("version 1", { record.state }) { $0.latest?.version == 1 }
        try await Story.desk.saveRecord(hearingId: Story.hearingId, base: 1, paragraphs: [("审判长", "现在开庭。"), ("被告", "借款属实，但已归还两万元。")])
        let two = try await awaitState("version 2", { record.state }) { $0.latest?.version == 2 }
        XCTAssertEqual(two.versions.map(\.version), [2, 1])
        XCTAssertEqual(two.latest?.paragraphs.last?.text, "借款属实，但已归还两万元。")
        record.select(1)
        XCTAssertEqual(record.state.detail?.paragraphs.map(\.text), ["现在开庭。"])
        record.select(nil)

        try await Story.judgeRoom.closeHearing()
        // Evidence is taken before and during the hearing: after 闭庭 上传证据 goes, and the party reads why.
        let closed = try await awaitState("上传证据 withdrawn", { Story.evidence.state }) { $0.submitting != .open }
        XCTAssertEqual(closed.submitting, .closed(reason: "庭审已结束，不能再提交证据"))
        // The media started earlier ends with the hearing: the core stops it, and the screen shows why instead of pictures.
        let over = try await awaitState("media ended with the hearing", seconds: 30, { Story.hearing.state }) { $0.mediaEnded }
        XCTAssertEqual(over.mediaLabel, "庭审已结束，音视频已关闭")
        XCTAssertEqual(over.tiles, [])
        try await Story.desk.startSigning(hearingId: Story.hearingId, version: 2)
        let asked = try await awaitState("asked to sign, and it pops up", { record.state }) { $0.mustSign && $0.signPrompt }
        XCTAssertEqual(asked.signing?.version, 2)

        record.openSigningPad()
        record.strokeStarted(x: 20, y: 80)
        for i in 1...40 { record.strokeMoved(x: 20 + Float(i) * 6, y: 80 + Float(i % 7) * 5) }
        record.strokeStarted(x: 60, y: 30)
        record.strokeMoved(x: 90, y: 140)
        XCTAssertEqual(record.state.strokes.map(\.count), [41, 2])
        record.submitSignature(width: 300, height: 160)
        let signed = try await awaitState("signed", seconds: 20, { record.state }) { $0.mySignatureInfo != nil || $0.error != nil }
        XCTAssertNil(signed.error)
        XCTAssertFalse(signed.mustSign || signed.signingPad)
        XCTAssertEqual(signed.mySignatureInfo?.version, 2)
        XCTAssertEqual(signed.mySignatureInfo?.signer.roleLabel, "被告")
        XCTAssertEqual(signed.mySignatureInfo?.inApp, true)

        record.showMySignature()
        let png = try await awaitState("查看签名", { record.state }) { $0.mySignature != nil }.mySignature!.png
        XCTAssertEqual(String(decoding: png.subdata(in: 1..<4), as: UTF8.self), "PNG")

        // 下载签名笔录: the PDF as the server signed it, checked against its hash by the core.
        XCTAssertTrue(record.state.pdfOffered)
        record.openSignedPdf()
        let pdf = try await awaitState("下载签名笔录", seconds: 30, { record.state }) { $0.pdf != nil || $0.error != nil }
        XCTAssertNil(pdf.error)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: try XCTUnwrap(pdf.pdf)))
        XCTAssertEqual(String(decoding: bytes.prefix(4), as: UTF8.self), "%PDF")
    }

    @MainActor
    func test12_loggingOutReturnsToMeetingNumberLogin() async throws {
        Story.hearing.leave()
        Story.judgeRoom.leave()
        try await Story.services.auth.logout()
        _ = try await awaitState("会议号登录", { Story.app.screen }) { if case .login = $0 { return true } else { return false } }
        XCTAssertEqual(Story.services.auth.currentStatus(), .loggedOut)
        Story.services.close()
    }
}
