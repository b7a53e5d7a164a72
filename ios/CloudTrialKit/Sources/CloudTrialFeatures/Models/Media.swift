import Foundation

public enum CameraFacing: Sendable, Equatable {
    case front, back
}

/// What the camera produces and how it is sent (the court's STUN/TURN servers included).
public struct MediaSettings: Equatable, Sendable {
    public var width: Int
    public var height: Int
    public var fps: Float
    public var bitrate: Int
    public var iceServers: [String]
    public var iceUsername: String
    public var iceCredential: String

    public init(
        width: Int = 640, height: Int = 480, fps: Float = 15, bitrate: Int = 600_000,
        iceServers: [String] = [], iceUsername: String = "", iceCredential: String = ""
    ) {
        self.width = width
        self.height = height
        self.fps = fps
        self.bitrate = bitrate
        self.iceServers = iceServers
        self.iceUsername = iceUsername
        self.iceCredential = iceCredential
    }
}

public enum MediaLink: Equatable, Sendable {
    case connecting
    case connected
    case reconnecting
    case stopped(reason: String)
}

public struct MediaStatus: Equatable, Sendable {
    public var link: MediaLink
    /// 音视频已连接, 重新连接中, ...
    public var label: String
    public var cameraOn: Bool
    public var microphoneOn: Bool
    public var rttMs: Int?
    public var sendKbps: Int
    public var receiveKbps: Int

    public init(link: MediaLink, label: String, cameraOn: Bool, microphoneOn: Bool, rttMs: Int?, sendKbps: Int, receiveKbps: Int) {
        self.link = link
        self.label = label
        self.cameraOn = cameraOn
        self.microphoneOn = microphoneOn
        self.rttMs = rttMs
        self.sendKbps = sendKbps
        self.receiveKbps = receiveKbps
    }
}

/// An I420 picture: Y (width × height), then U and V (each width/2 × height/2).
public struct I420Frame: Sendable {
    public var width: Int
    public var height: Int
    public var data: Data

    public init(width: Int, height: Int, data: Data) {
        self.width = width
        self.height = height
        self.data = data
    }
}

/// Receives the others' decoded media on the core's threads: keep it quick.
public protocol RemoteMediaSink: AnyObject, Sendable {
    /// `label` is 原告 张三, for the tile.
    func onVideo(participantId: Int64, label: String, frame: I420Frame)
    /// 20 ms of 48 kHz mono, 16-bit little-endian PCM.
    func onAudio(participantId: Int64, pcm: Data)
}
