import Foundation
import Observation

/// One participant's picture; the view draws `label` (原告 张三) at its bottom left.
public struct Tile: Equatable, Sendable, Identifiable {
    public var participantId: Int64
    public var label: String
    public var isMe: Bool
    public var muted: Bool

    public var id: Int64 { participantId }

    public init(participantId: Int64, label: String, isMe: Bool, muted: Bool) {
        self.participantId = participantId
        self.label = label
        self.isMe = isMe
        self.muted = muted
    }
}

/// A line of the recognition panel: 原告 张三 00:12 and the words.
public struct RecognitionLine: Equatable, Sendable, Identifiable {
    public var segment: UInt64
    public var speakerLabel: String
    public var time: String
    public var text: String
    public var isFinal: Bool

    public var id: UInt64 { segment }
}

/// The network indicator; the view shows 网络良好 / 网络一般 / 网络较差.
public enum NetworkQuality: Sendable, Equatable {
    case unknown, good, fair, poor
}

/// Why the hearing screen ended.
public enum RoomEnd: Equatable, Sendable {
    /// The participant entered from another device.
    case replaced
    case ended(reason: String)
}

public struct HearingState: Equatable, Sendable {
    /// 已连接, 重新连接中, … from the core.
    public var connectionLabel = ""
    /// Show 重新连接中 over the tiles.
    public var reconnecting = false
    /// 未开庭, 庭审中, 休庭, 已闭庭
    public var phaseLabel: String?
    /// 您已被屏蔽，请等待法官传唤: show only this.
    public var blockedMessage: String?
    /// 您已被法官静音: the judge turned this participant's microphone off for the room.
    public var mutedByJudge = false
    public var ended: RoomEnd?
    /// Everyone on one screen, in the court's order; this participant included.
    public var tiles: [Tile] = []
    /// The tile shown large after a double tap; a second double tap restores.
    public var enlarged: Int64?
    /// The panel's text while it has no lines (语音识别暂未开始).
    public var recognitionMessage: String?
    public var recognition: [RecognitionLine] = []
    public var network = NetworkQuality.unknown
    /// 音视频已连接, … once media started.
    public var mediaLabel: String?
    /// Media stopped for good (闭庭): no pictures, camera and microphone off; `mediaLabel` says why.
    public var mediaEnded = false
    public var cameraOn = true
    public var microphoneOn = true
    public var facing = CameraFacing.front
    public var error: String?

    public init() {}
}

/// "01:02" from the hearing's start; hours when it runs longer.
public func hearingClock(_ ms: Int64) -> String {
    let total = max(ms / 1000, 0)
    let h = total / 3600, m = (total % 3600) / 60, s = total % 60
    func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
    return h > 0 ? "\(h):\(two(m)):\(two(s))" : "\(two(m)):\(two(s))"
}

public func networkQuality(room: RoomConnection?, media: MediaStatus?) -> NetworkQuality {
    if case .reconnecting = room { return .poor }
    guard let media else {
        if case .connected = room { return .good }
        return .unknown
    }
    switch media.link {
    case .reconnecting: return .poor
    case .connected: break
    default: return .unknown
    }
    guard let rtt = media.rttMs else { return .good }
    if rtt < 200 { return .good }
    if rtt < 500 { return .fair }
    return .poor
}

/// 视频庭审: the room's state turned into what the screen shows. The judge's
/// controls are not here (judges use the PC); a judge who logs in sees the
/// hearing as a participant.
@MainActor
@Observable
public final class HearingViewModel {
    public private(set) var state = HearingState()
    /// The call the platform's camera and microphone feed; nil until `startMedia`.
    @ObservationIgnored public private(set) var media: MediaCall?
    private let room: HearingRoom
    @ObservationIgnored private var tasks: [Task<Void, Never>] = []
    @ObservationIgnored private var lastRoom: RoomConnection?
    @ObservationIgnored private var lastMedia: MediaStatus?

    public init(room: HearingRoom) {
        self.room = room
    }

    public func start() {
        guard tasks.isEmpty else { return }
        let snapshots = room.snapshots
        tasks.append(Task { [weak self] in
            for await snapshot in snapshots {
                self?.onSnapshot(snapshot)
            }
        })
    }

    /// Starts camera and microphone in the hearing (after the permissions are granted).
    @discardableResult
    public func startMedia(_ settings: MediaSettings) -> MediaCall? {
        if let media { return media }
        do {
            let call = try room.startMedia(settings: settings)
            media = call
            let statuses = call.status
            tasks.append(Task { [weak self] in
                for await status in statuses {
                    self?.onMedia(status)
                }
            })
            return call
        } catch {
            state.error = userMessage(error)
            return nil
        }
    }

    private func onSnapshot(_ snapshot: RoomSnapshot) {
        lastRoom = snapshot.connection
        let meId = snapshot.me?.id
        let blocked = snapshot.blockedMessage != nil
        let tiles = blocked || state.mediaEnded ? [] : snapshot.participants
            .filter { ($0.online || $0.id == meId) && !$0.blocked }
            .map { Tile(participantId: $0.id, label: $0.label, isMe: $0.id == meId, muted: $0.muted) }
        var next = state
        next.connectionLabel = snapshot.connectionLabel
        if case .reconnecting = snapshot.connection { next.reconnecting = true } else { next.reconnecting = false }
        next.phaseLabel = snapshot.phaseLabel
        next.blockedMessage = snapshot.blockedMessage
        next.mutedByJudge = snapshot.participants.contains { $0.id == meId && $0.muted }
        switch snapshot.connection {
        case .replaced: next.ended = .replaced
        case let .ended(reason): next.ended = .ended(reason: reason)
        default: next.ended = nil
        }
        next.tiles = tiles
        if let enlarged = next.enlarged, !tiles.contains(where: { $0.participantId == enlarged }) { next.enlarged = nil }
        next.recognitionMessage = snapshot.recognitionMessage
        next.recognition = blocked ? [] : snapshot.speech.map {
            RecognitionLine(segment: $0.segment, speakerLabel: $0.speakerLabel, time: hearingClock($0.startMs), text: $0.text, isFinal: $0.isFinal)
        }
        next.network = networkQuality(room: snapshot.connection, media: lastMedia)
        state = next
    }

    private func onMedia(_ status: MediaStatus) {
        lastMedia = status
        var next = state
        next.mediaLabel = status.label
        if case .stopped = status.link {
            next.mediaEnded = true
            next.tiles = []
            next.enlarged = nil
        } else {
            next.mediaEnded = false
        }
        next.cameraOn = status.cameraOn
        next.microphoneOn = status.microphoneOn
        next.network = networkQuality(room: lastRoom, media: status)
        state = next
    }

    /// 双击参会人画面，画面放大显示，再次双击，恢复原位置.
    public func tileDoubleTapped(_ participantId: Int64) {
        state.enlarged = state.enlarged == participantId ? nil : participantId
    }

    /// The phone's network changed (NWPathMonitor): reconnect room and media at once.
    public func networkChanged() {
        room.networkChanged()
        media?.networkChanged()
    }

    public func toggleCamera() {
        let on = !state.cameraOn
        media?.setCameraEnabled(on)
        state.cameraOn = on
    }

    public func toggleMicrophone() {
        let on = !state.microphoneOn
        media?.setMicrophoneEnabled(on)
        state.microphoneOn = on
    }

    /// 切换摄像头: front ↔ back. The platform reopens the camera from `state.facing`.
    public func switchCamera() {
        let facing: CameraFacing = state.facing == .front ? .back : .front
        media?.setCameraFacing(facing)
        state.facing = facing
    }

    public func dismissError() {
        state.error = nil
    }

    /// 退出庭审
    public func leave() {
        tasks.forEach { $0.cancel() }
        tasks.removeAll()
        media?.stop()
        media = nil
        room.leave()
    }
}
