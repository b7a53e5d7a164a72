import Foundation

public enum RoomConnection: Equatable, Sendable {
    case connecting
    case connected
    /// 重新连接中
    case reconnecting(attempt: Int)
    /// The participant joined from another device; this one stopped.
    case replaced
    case ended(reason: String)
}

public struct RoomMember: Equatable, Sendable, Identifiable {
    public var id: Int64
    public var name: String
    public var role: Role
    public var roleLabel: String
    public var online: Bool
    public var blocked: Bool
    public var muted: Bool

    public init(id: Int64, name: String, role: Role, roleLabel: String, online: Bool, blocked: Bool, muted: Bool) {
        self.id = id
        self.name = name
        self.role = role
        self.roleLabel = roleLabel
        self.online = online
        self.blocked = blocked
        self.muted = muted
    }

    /// 原告 张三, at the bottom left of the tile.
    public var label: String { "\(roleLabel) \(name)" }
}

/// A line of the recognition panel as the core gives it.
public struct SpeechLine: Equatable, Sendable {
    public var segment: UInt64
    public var speakerId: Int64
    /// 原告 张三
    public var speakerLabel: String
    public var text: String
    /// Since the hearing started.
    public var startMs: Int64
    public var isFinal: Bool

    public init(segment: UInt64, speakerId: Int64, speakerLabel: String, text: String, startMs: Int64, isFinal: Bool) {
        self.segment = segment
        self.speakerId = speakerId
        self.speakerLabel = speakerLabel
        self.text = text
        self.startMs = startMs
        self.isFinal = isFinal
    }
}

/// The hearing room as this participant sees it now.
public struct RoomSnapshot: Equatable, Sendable {
    public var connection: RoomConnection
    /// 已连接, 重新连接中, ...
    public var connectionLabel: String
    public var phase: HearingPhase?
    /// 未开庭, 庭审中, 休庭, 已闭庭
    public var phaseLabel: String?
    /// The recognition panel's text when it has no lines (语音识别暂未开始).
    public var recognitionMessage: String?
    public var speech: [SpeechLine]
    /// Everyone; only `me` while blocked.
    public var participants: [RoomMember]
    public var me: RoomMember?
    /// 您已被屏蔽，请等待法官传唤 while blocked.
    public var blockedMessage: String?

    public init(
        connection: RoomConnection, connectionLabel: String, phase: HearingPhase? = nil, phaseLabel: String? = nil,
        recognitionMessage: String? = nil, speech: [SpeechLine] = [], participants: [RoomMember] = [],
        me: RoomMember? = nil, blockedMessage: String? = nil
    ) {
        self.connection = connection
        self.connectionLabel = connectionLabel
        self.phase = phase
        self.phaseLabel = phaseLabel
        self.recognitionMessage = recognitionMessage
        self.speech = speech
        self.participants = participants
        self.me = me
        self.blockedMessage = blockedMessage
    }
}
