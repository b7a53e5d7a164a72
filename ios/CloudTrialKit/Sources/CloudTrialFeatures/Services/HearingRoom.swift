import Foundation

/// A live connection to the hearing room; it reconnects by itself. `leave()` to go.
public protocol HearingRoom: AnyObject, Sendable {
    /// The room now, then every change (states: a slow reader gets the newest).
    var snapshots: AsyncStream<RoomSnapshot> { get }

    func current() -> RoomSnapshot

    /// The phone's network changed (Wi-Fi → 5G): reconnect at once instead of waiting for a timeout.
    func networkChanged()

    /// Starts this participant's camera and microphone in the hearing.
    func startMedia(settings: MediaSettings) throws -> MediaCall

    /// Leaves the room; it stops reconnecting.
    func leave()
}

/// Live audio and video. The platform feeds raw camera frames and microphone PCM; the core encodes and sends.
public protocol MediaCall: AnyObject, Sendable {
    var status: AsyncStream<MediaStatus> { get }

    func current() -> MediaStatus

    /// One camera frame; dropped while the camera is off or the encoder is busy.
    func sendVideo(_ frame: I420Frame) throws

    /// 20 ms of 48 kHz mono 16-bit little-endian PCM (1920 bytes).
    func sendAudio(_ pcm: Data) throws

    func setRemoteSink(_ sink: RemoteMediaSink)

    func setCameraEnabled(_ on: Bool)

    func setMicrophoneEnabled(_ on: Bool)

    func setCameraFacing(_ facing: CameraFacing)

    func networkChanged()

    func stop()
}
