import CloudTrialFeatures
import Foundation

/// A stream whose values the test pushes; the latest is kept for late readers.
final class Feed<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuations: [UUID: AsyncStream<T>.Continuation] = [:]
    private(set) var latest: T

    init(_ initial: T) {
        latest = initial
    }

    var stream: AsyncStream<T> {
        let (stream, continuation) = AsyncStream<T>.makeStream(bufferingPolicy: .unbounded)
        let id = UUID()
        lock.lock()
        continuations[id] = continuation
        continuation.yield(latest)
        lock.unlock()
        continuation.onTermination = { [weak self] _ in
            self?.lock.lock()
            self?.continuations[id] = nil
            self?.lock.unlock()
        }
        return stream
    }

    func send(_ value: T) {
        lock.lock()
        latest = value
        let all = Array(continuations.values)
        lock.unlock()
        all.forEach { $0.yield(value) }
    }
}

final class FakeAuth: AuthService, @unchecked Sendable {
    let status = Feed<SessionStatus>(.loggedOut)
    var code = "246810"
    var requested: [(String, String)] = []

    var sessionStatus: AsyncStream<SessionStatus> { status.stream }

    func currentStatus() -> SessionStatus { status.latest }

    func requestLoginCode(meetingNumber: String, mobile: String) async throws -> LoginCodeSent {
        requested.append((meetingNumber, mobile))
        return LoginCodeSent(resendAfterSecs: 60, expiresInSecs: 300)
    }

    func login(meetingNumber: String, mobile: String, code: String) async throws -> Session {
        guard code == self.code else { throw AppError.invalidCode(reason: "验证码错误，请重新输入") }
        let session = Session(hearingId: 1, participantId: 7, role: .defendant, meetingNumber: meetingNumber, expiresAtMs: 0)
        status.send(.loggedIn(session))
        return session
    }

    func hearingInfo() async throws -> HearingInfo { throw AppError.server(reason: "未实现") }

    func logout() async throws { status.send(.loggedOut) }
}

final class FakeRoom: HearingRoom, @unchecked Sendable {
    let feed: Feed<RoomSnapshot>
    var networkChanges = 0
    var left = false
    private let call: FakeMediaCall?

    init(_ snapshot: RoomSnapshot, call: FakeMediaCall? = nil) {
        feed = Feed(snapshot)
        self.call = call
    }

    var snapshots: AsyncStream<RoomSnapshot> { feed.stream }
    func current() -> RoomSnapshot { feed.latest }
    func networkChanged() { networkChanges += 1 }
    func startMedia(settings: MediaSettings) throws -> MediaCall {
        guard let call else { throw AppError.media(reason: "无法打开摄像头") }
        return call
    }
    func leave() { left = true }
}

final class FakeMediaCall: MediaCall, @unchecked Sendable {
    let feed = Feed(MediaStatus(link: .connected, label: "音视频已连接", cameraOn: true, microphoneOn: true, rttMs: 40, sendKbps: 500, receiveKbps: 900))

    var status: AsyncStream<MediaStatus> { feed.stream }
    func current() -> MediaStatus { feed.latest }
    func sendVideo(_ frame: I420Frame) throws {}
    func sendAudio(_ pcm: Data) throws {}
    func setRemoteSink(_ sink: RemoteMediaSink) {}
    func setCameraEnabled(_ on: Bool) {}
    func setMicrophoneEnabled(_ on: Bool) {}
    func setCameraFacing(_ facing: CameraFacing) {}
    func networkChanged() {}
    func stop() {}
}

final class FakeAnnotation: EvidenceAnnotation, @unchecked Sendable {
    let feed = Feed(EvidenceMarks())
    var previews: [MarkShape] = []
    var drawn: [(Int, MarkColour, MarkShape)] = []
    /// Strokes given up (`abandon`) while the item was open.
    var abandoned = 0
    var closed = false
    var nextId: Int64 = 100

    var updates: AsyncStream<EvidenceMarks> { feed.stream }
    func current() -> EvidenceMarks { feed.latest }
    func request() async throws { feed.send(EvidenceMarks(annotating: .requested)) }
    func preview(page: Int, colour: MarkColour, shape: MarkShape) throws { previews.append(shape) }

    func abandon() throws {
        if closed { throw AppError.invalidInput(reason: "圈注已关闭") }
        abandoned += 1
    }

    func draw(page: Int, colour: MarkColour, shape: MarkShape) async throws -> Int64 {
        drawn.append((page, colour, shape))
        nextId += 1
        return nextId
    }

    func undo() async throws -> Int64? { nil }
    func remove(markId: Int64) async throws {}
    func close() { closed = true }
}

final class FakeAnnotationService: AnnotationService, @unchecked Sendable {
    let session = FakeAnnotation()
    func open(room: HearingRoom, evidenceId: String) throws -> EvidenceAnnotation { session }
}

func member(_ id: Int64, _ role: Role, _ roleLabel: String, _ name: String, online: Bool = true, blocked: Bool = false) -> RoomMember {
    RoomMember(id: id, name: name, role: role, roleLabel: roleLabel, online: online, blocked: blocked, muted: false)
}

final class FakeEvidence: EvidenceService, @unchecked Sendable {
    let sidesFeed = Feed<[EvidenceSide]>([])
    let uploadsFeed = Feed<[Upload]>([])
    /// What a download reports before the file is there; `finish` lets it end.
    var arriving: [DownloadProgress] = []
    let finish = Feed<Bool>(false)

    var sides: AsyncStream<[EvidenceSide]> { sidesFeed.stream }
    var uploads: AsyncStream<[Upload]> { uploadsFeed.stream }
    func currentUploads() -> [Upload] { uploadsFeed.latest }
    func submitting() -> Submitting { .open }
    func follow(room: HearingRoom) {}
    func check(details: NewEvidence) throws {}
    func upload(path: String, details: NewEvidence) async throws -> Int64 { 1 }
    func pause(localId: Int64) throws {}
    func resume(localId: Int64) throws {}
    func refresh() async throws -> [EvidenceSide] { sidesFeed.latest }

    func file(evidenceId: String, kind: EvidenceFileKind, progress: @escaping @Sendable (DownloadProgress) -> Void) async throws -> String {
        arriving.forEach(progress)
        for await done in finish.stream where done { break }
        return "/cache/\(evidenceId)"
    }

    func giveOpinion(evidenceId: String, opinion: OpinionDraft) async throws -> Evidence { throw AppError.forbidden(reason: "no") }
    func withdraw(evidenceId: String) async throws -> Evidence { throw AppError.forbidden(reason: "no") }
}

/// 庭审笔录 as the server would answer a party: `view` is what the next 刷新 fetches.
final class FakeRecord: RecordService, @unchecked Sendable {
    private let lock = NSLock()
    private var current = RecordView(latest: nil, signing: nil, mustSign: false, mySignature: nil)

    var view: RecordView {
        get { lock.withLock { current } }
        set { lock.withLock { current = newValue } }
    }

    func fetch() async throws -> RecordView { view }
    func versionsAfter(_ after: Int) async throws -> [RecordDocument] { [] }
    func follow(room: HearingRoom) -> AsyncStream<RecordEvent> { AsyncStream { $0.finish() } }
    func signWithStrokes(read: RecordDocument, strokes: [[StrokePoint]], width: Float, height: Float) async throws -> SignatureInfo {
        SignatureInfo(id: 1, signer: Person(id: 4, name: "李四", role: .defendant, roleLabel: "被告"), version: read.version,
                      versionSha256: read.sha256, imageSha256: "img", signedAtMs: 0, inApp: true)
    }
    func mySignature() async throws -> MySignature? { nil }
    func signedPdf() async throws -> String { "/files/record.pdf" }
}
