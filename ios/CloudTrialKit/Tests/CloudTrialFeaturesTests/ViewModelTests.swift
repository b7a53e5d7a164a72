import CloudTrialFeatures
import CloudTrialTestSupport
import Foundation
import XCTest

/// The view models over fake services: what the screens would show.
final class ViewModelTests: XCTestCase {
    func testTheSmsLinkGivesItsMeetingNumberAndNothingElseDoes() {
        XCTAssertEqual(AppLinks.meetingNumber("https://yunshen.court.example/ots/download/12345678"), "12345678")
        XCTAssertEqual(AppLinks.meetingNumber("http://10.0.0.2:8080//ots/download/87654321/?from=sms"), "87654321")
        XCTAssertNil(AppLinks.meetingNumber("https://yunshen.court.example/ots/download/1234567"))
        XCTAssertNil(AppLinks.meetingNumber("https://yunshen.court.example/ots/other/12345678"))
        XCTAssertNil(AppLinks.meetingNumber("ftp://court/ots/download/12345678"))
    }

    func testTheCodeIsReadFromALoginSms() {
        XCTAssertEqual(LoginCodes.fromSms("【天津法院】您的登录验证码为：482913，5分钟内有效。"), "482913")
        XCTAssertEqual(LoginCodes.fromSms("会议号 12345678 的登录码 654321"), "654321")
        XCTAssertNil(LoginCodes.fromSms("123456 与 654321"))
    }

    @MainActor
    func testARestartedAppStillLoggedInGoesStraightBackIntoItsHearing() async throws {
        let auth = FakeAuth()
        let session = Session(hearingId: 7, participantId: 4, role: .defendant, meetingNumber: "55204536", expiresAtMs: .max)
        auth.status.send(.loggedIn(session))
        let restarted = AppViewModel(auth: auth)
        restarted.start()
        XCTAssertEqual(restarted.screen, .hearing(session))

        auth.status.send(.loggedOut)
        let fresh = AppViewModel(auth: auth)
        fresh.start()
        XCTAssertEqual(fresh.screen, .login(meetingNumber: nil))
        auth.status.send(.loggedIn(session))
        _ = try await awaitState("self-test", { fresh.screen }) { if case .selfTest = $0 { true } else { false } }
    }

    @MainActor
    func testAFileBeingOpenedShowsHowMuchHasArrivedAndTheViewerClearsIt() async throws {
        let service = FakeEvidence()
        let pdf = Evidence(
            id: "a", submitterName: "张三", submitterRole: .plaintiff, sideLabel: "原告", title: "借款合同",
            fileName: "合同.pdf", mediaType: "application/pdf", kindLabel: "文档", size: 4_000_000, hasPreview: false, mine: true
        )
        service.sidesFeed.send([EvidenceSide(sideLabel: "原告", items: [pdf])])
        let model = EvidenceViewModel(evidence: service)
        model.start(room: nil)
        _ = try await awaitState("rows", { model.state }) { !$0.sides.isEmpty }
        // Out of order, as reports hop to the main actor: the bar never goes back.
        service.arriving = [0, 1_800_000, 400_000].map { DownloadProgress(bytesReceived: $0, total: 4_000_000, percent: Int($0 / 40_000)) }
        model.open("a")
        let opening = try await awaitState("45%", { model.state }) { $0.openingPercent == 45 }
        XCTAssertEqual(opening.opening, "a")
        service.finish.send(true)
        let opened = try await awaitState("viewer", { model.state }) { $0.viewer != nil }
        XCTAssertNil(opened.opening)
        XCTAssertNil(opened.openingPercent)
        XCTAssertEqual(opened.viewer, .pdf(evidenceId: "a", title: "借款合同", path: "/cache/a"))
    }

    @MainActor
    func testAWrongCodeShowsTheReasonAndTheAutofilledCodeLogsIn() async throws {
        let auth = FakeAuth()
        let app = AppViewModel(auth: auth)
        app.start()
        app.openLink("https://court.example/ots/download/12345678")
        XCTAssertEqual(app.screen, .login(meetingNumber: "12345678"))
        let login = LoginViewModel(auth: auth, meetingNumber: "12345678")
        XCTAssertTrue(login.state.meetingNumberFromLink)
        XCTAssertFalse(login.state.canRequestCode, "no mobile number yet")
        login.mobileChanged("138-0000-0002")
        XCTAssertEqual(login.state.mobile, "13800000002")
        login.requestCode()
        let sent = try await awaitState("code sent", { login.state }) { $0.codeSent && !$0.busy }
        XCTAssertEqual(sent.resendInSecs, 60)
        XCTAssertFalse(sent.canRequestCode, "获取验证码 waits")

        login.codeChanged("135790")
        login.login()
        let refused = try await awaitState("refused", { login.state }) { $0.error != nil }
        XCTAssertEqual(refused.error, "验证码错误，请重新输入")
        XCTAssertEqual(refused.code, "", "the wrong code is cleared")

        // The one-time-code suggestion fills all six digits at once: that logs in.
        login.codeChanged("246810")
        let done = try await awaitState("logged in", { login.state }) { $0.session != nil }
        app.loggedIn(done.session!)
        guard case .selfTest = app.screen else { return XCTFail("\(app.screen)") }
        app.enterHearing()
        guard case .hearing = app.screen else { return XCTFail("\(app.screen)") }
        app.left()
        XCTAssertEqual(app.screen, .login(meetingNumber: "12345678"))
    }

    @MainActor
    func testTilesDoubleTapBlockedAndReconnecting() async throws {
        let me = member(2, .defendant, "被告", "李四")
        let room = FakeRoom(RoomSnapshot(
            connection: .connected, connectionLabel: "已连接", phaseLabel: "庭审中", recognitionMessage: "语音识别暂未开始",
            participants: [member(1, .presidingJudge, "审判长", "王法官"), member(3, .plaintiff, "原告", "张三", online: false), me],
            me: me
        ))
        let hearing = HearingViewModel(room: room)
        hearing.start()
        let s = try await awaitState("tiles", { hearing.state }) { !$0.tiles.isEmpty }
        XCTAssertEqual(s.tiles.map(\.label), ["审判长 王法官", "被告 李四"], "the absent plaintiff has no tile")
        XCTAssertEqual(s.network, .good)
        hearing.tileDoubleTapped(1)
        XCTAssertEqual(hearing.state.enlarged, 1)
        hearing.tileDoubleTapped(1)
        XCTAssertNil(hearing.state.enlarged, "a second double tap restores")
        hearing.tileDoubleTapped(1)

        var blocked = room.current()
        blocked.participants = [me]
        blocked.blockedMessage = "您已被屏蔽，请等待法官传唤"
        room.feed.send(blocked)
        let b = try await awaitState("blocked", { hearing.state }) { $0.blockedMessage != nil }
        XCTAssertEqual(b.tiles, [])
        XCTAssertNil(b.enlarged, "the enlarged tile is gone with the others")

        var reconnecting = room.current()
        reconnecting.connection = .reconnecting(attempt: 1)
        reconnecting.connectionLabel = "重新连接中"
        reconnecting.blockedMessage = nil
        room.feed.send(reconnecting)
        let r = try await awaitState("reconnecting", { hearing.state }) { $0.reconnecting }
        XCTAssertEqual(r.network, .poor)
        hearing.networkChanged()
        XCTAssertEqual(room.networkChanges, 1)

        hearing.startMedia(MediaSettings())
        XCTAssertEqual(hearing.state.error, "无法打开摄像头")
        hearing.leave()
        XCTAssertTrue(room.left)
    }

    @MainActor
    func testMediaThatEndsWithTheHearingLeavesNoPicturesAndSaysWhy() async throws {
        let me = member(2, .defendant, "被告", "李四")
        let call = FakeMediaCall()
        let room = FakeRoom(RoomSnapshot(
            connection: .connected, connectionLabel: "已连接", phaseLabel: "庭审中", recognitionMessage: "语音识别暂未开始",
            participants: [member(1, .presidingJudge, "审判长", "王法官"), me],
            me: me
        ), call: call)
        let hearing = HearingViewModel(room: room)
        hearing.start()
        _ = try await awaitState("tiles", { hearing.state }) { $0.tiles.count == 2 }
        XCTAssertNotNil(hearing.startMedia(MediaSettings()))
        hearing.tileDoubleTapped(1)
        call.feed.send(MediaStatus(link: .stopped(reason: "庭审已结束，音视频已关闭"), label: "庭审已结束，音视频已关闭",
                                   cameraOn: true, microphoneOn: true, rttMs: nil, sendKbps: 0, receiveKbps: 0))
        let ended = try await awaitState("media ended", { hearing.state }) { $0.mediaEnded }
        XCTAssertEqual(ended.mediaLabel, "庭审已结束，音视频已关闭")
        XCTAssertEqual(ended.tiles, [])
        XCTAssertNil(ended.enlarged)

        var closed = room.current()
        closed.phaseLabel = "已闭庭"
        room.feed.send(closed)
        let later = try await awaitState("the room's next view", { hearing.state }) { $0.phaseLabel == "已闭庭" }
        XCTAssertTrue(later.mediaEnded)
        XCTAssertEqual(later.tiles, [], "no pictures come back with the room's next view")
    }

    @MainActor
    func testThePadClosesWhenTheRecordSaysNothingIsLeftToSign() async throws {
        let header = RecordHeader(caseNumber: "（2026）津0101民初1号", caseTitle: "民间借贷纠纷", time: "", place: "第一法庭",
                                  judges: ["审判长 王法官"], clerk: "李书记", present: [])
        let v2 = RecordDocument(hearingId: 7, version: 2, header: header, paragraphs: [RecordParagraph(speaker: "审判长", text: "现在开庭。")],
                                sha256: "v2", savedBy: "书记员 李书记", savedAtMs: 0)
        let round = SigningRound(id: 1, version: 2, versionSha256: "v2", open: true, signers: [])
        let service = FakeRecord()
        service.view = RecordView(latest: v2, signing: round, mustSign: true, mySignature: nil)
        let record = RecordViewModel(record: service)
        record.start(room: nil)
        _ = try await awaitState("must sign", { record.state }) { $0.mustSign }
        record.openSigningPad()
        XCTAssertTrue(record.state.signingPad)
        // The room's notice of the signature (signed on another device, or the answer to this one) comes first.
        let me = Person(id: 4, name: "李四", role: .defendant, roleLabel: "被告")
        let mine = SignatureInfo(id: 1, signer: me, version: 2, versionSha256: "v2", imageSha256: "img", signedAtMs: 0, inApp: false)
        service.view = RecordView(latest: v2, signing: round, mustSign: false, mySignature: mine)
        record.refresh()
        let signed = try await awaitState("signed", { record.state }) { $0.mySignatureInfo != nil }
        XCTAssertFalse(signed.mustSign || signed.signingPad)
    }

    func testNetworkQualityFollowsTheRoundTrip() {
        func media(_ rtt: Int?) -> MediaStatus {
            MediaStatus(link: .connected, label: "音视频已连接", cameraOn: true, microphoneOn: true, rttMs: rtt, sendKbps: 0, receiveKbps: 0)
        }
        XCTAssertEqual(networkQuality(room: .connected, media: media(80)), .good)
        XCTAssertEqual(networkQuality(room: .connected, media: media(300)), .fair)
        XCTAssertEqual(networkQuality(room: .connected, media: media(900)), .poor)
        XCTAssertEqual(networkQuality(room: .reconnecting(attempt: 2), media: media(80)), .poor)
        XCTAssertEqual(networkQuality(room: .connecting, media: nil), .unknown)
        XCTAssertEqual(hearingClock(62_000), "01:02")
        XCTAssertEqual(hearingClock(3_723_000), "1:02:03")
    }

    func testMicrophoneLevel() {
        XCTAssertEqual(pcmLevel(Data(count: 1920)), 0)
        var loud = Data()
        for i in 0..<960 {
            let sample = Int16(i % 2 == 0 ? 30000 : -30000)
            loud.append(UInt8(truncatingIfNeeded: sample))
            loud.append(UInt8(truncatingIfNeeded: sample >> 8))
        }
        XCTAssertGreaterThan(pcmLevel(loud), 0.9)
    }

    @MainActor
    func testAnnotationWaitsForTheJudgeAndATapIsNoMark() async throws {
        let service = FakeAnnotationService()
        let annotation = AnnotationViewModel(service: service, room: FakeRoom(RoomSnapshot(connection: .connected, connectionLabel: "")), evidenceId: "e1", myId: 2)
        annotation.start()
        let fresh = try await awaitState("loaded", { annotation.state }) { $0.loaded }
        XCTAssertTrue(fresh.canRequest)
        annotation.chooseTool(.rectangle)
        annotation.pointerDown(page: 1, x: 0.2, y: 0.2)
        XCTAssertNil(annotation.state.stroke, "nothing is drawn before 通过")
        annotation.request()
        _ = try await awaitState("已申请", { annotation.state }) { $0.waiting }

        service.session.feed.send(EvidenceMarks(annotating: .allowed, mayDraw: true))
        _ = try await awaitState("通过", { annotation.state }) { $0.mayDraw }
        annotation.chooseColour(.blue)
        annotation.pointerDown(page: 1, x: 0.5, y: 0.5)
        annotation.pointerUp()
        XCTAssertTrue(service.session.drawn.isEmpty, "a tap is no mark")

        annotation.pointerDown(page: 2, x: 0.1, y: 0.1)
        annotation.pointerMove(x: 0.3, y: 1.4)
        XCTAssertEqual(service.session.previews.last, .rectangle(from: PagePoint(x: 0.1, y: 0.1), to: PagePoint(x: 0.3, y: 1)))
        annotation.pointerUp()
        _ = try await awaitState("committed", { annotation.state }) { $0.committing?.id != nil }
        XCTAssertEqual(service.session.drawn.count, 1)
        XCTAssertEqual(service.session.drawn[0].0, 2)
        XCTAssertEqual(service.session.drawn[0].1, .blue)

        // The judge withdraws mid-stroke: the stroke goes.
        annotation.chooseTool(.pen)
        annotation.pointerDown(page: 1, x: 0.1, y: 0.1)
        annotation.pointerMove(x: 0.2, y: 0.2)
        XCTAssertNotNil(annotation.state.stroke)
        service.session.feed.send(EvidenceMarks(annotating: .no, mayDraw: false))
        let withdrawn = try await awaitState("收回", { annotation.state }) { !$0.mayDraw }
        XCTAssertNil(withdrawn.stroke)
        XCTAssertTrue(withdrawn.canRequest)
        XCTAssertEqual(service.session.abandoned, 2, "the tap and the withdrawn stroke were given up")
        annotation.stop()
    }

    @MainActor
    func testAStrokeGivenUpIsTakenBackFromTheOthersAndACommittedOneIsNot() async throws {
        let service = FakeAnnotationService()
        let fake = service.session
        fake.feed.send(EvidenceMarks(annotating: .allowed, mayDraw: true))
        let annotation = AnnotationViewModel(service: service, room: FakeRoom(RoomSnapshot(connection: .connected, connectionLabel: "")), evidenceId: "e1", myId: 2)
        annotation.start()
        _ = try await awaitState("通过", { annotation.state }) { $0.mayDraw }
        annotation.chooseTool(.rectangle)

        // Dragged out and back to where it began: too small to keep.
        annotation.pointerDown(page: 1, x: 0.2, y: 0.3)
        annotation.pointerMove(x: 0.5, y: 0.5)
        annotation.pointerMove(x: 0.2, y: 0.3)
        XCTAssertEqual(fake.previews.count, 2, "others saw it grow")
        annotation.pointerUp()
        XCTAssertEqual(fake.abandoned, 1, "given up, so the others stop seeing it")
        XCTAssertNil(annotation.state.stroke)
        XCTAssertNil(annotation.state.committing, "nothing committed")

        // A rectangle of some size is committed, not given up.
        annotation.pointerDown(page: 1, x: 0.2, y: 0.3)
        annotation.pointerMove(x: 0.6, y: 0.5)
        annotation.pointerUp()
        _ = try await awaitState("committed", { annotation.state }) { $0.committing?.id != nil }
        XCTAssertEqual(fake.drawn.count, 1)
        XCTAssertEqual(fake.abandoned, 1, "a committed stroke is not given up")

        // The system takes the touch: even a big stroke is not committed.
        annotation.pointerDown(page: 1, x: 0.1, y: 0.1)
        annotation.pointerMove(x: 0.7, y: 0.8)
        annotation.pointerCancel()
        XCTAssertEqual(fake.abandoned, 2)
        XCTAssertNil(annotation.state.stroke)
        annotation.pointerUp()
        annotation.pointerCancel()
        XCTAssertEqual(fake.abandoned, 2, "no stroke, nothing more to give up")

        // 浏览 mid-stroke, another tool mid-stroke, and the viewer closed mid-stroke.
        annotation.pointerDown(page: 1, x: 0.1, y: 0.1)
        annotation.pointerMove(x: 0.4, y: 0.4)
        annotation.stopDrawing()
        XCTAssertEqual(fake.abandoned, 3)
        annotation.chooseTool(.arrow)
        annotation.pointerDown(page: 1, x: 0.1, y: 0.1)
        annotation.pointerMove(x: 0.4, y: 0.4)
        annotation.chooseTool(.pen)
        XCTAssertEqual(fake.abandoned, 4)
        annotation.pointerDown(page: 1, x: 0.1, y: 0.1)
        annotation.pointerMove(x: 0.4, y: 0.4)
        annotation.stop()
        XCTAssertEqual(fake.abandoned, 5, "told before the item is closed")
        XCTAssertTrue(fake.closed)
        XCTAssertEqual(fake.drawn.count, 1)
    }
}
