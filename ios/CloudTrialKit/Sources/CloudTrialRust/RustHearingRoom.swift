import CloudTrialCore
import CloudTrialFeatures
import Foundation

final class RustHearingRoom: CloudTrialFeatures.HearingRoom, @unchecked Sendable {
    let inner: CloudTrialCore.HearingRoom

    init(_ inner: CloudTrialCore.HearingRoom) {
        self.inner = inner
    }

    var snapshots: AsyncStream<RoomSnapshot> {
        subscription(map: { $0.toApp() }) { inner.subscribe(listener: $0) }
    }

    func current() -> RoomSnapshot {
        inner.state().toApp()
    }

    func networkChanged() {
        inner.networkChanged()
    }

    func startMedia(settings: CloudTrialFeatures.MediaSettings) throws -> CloudTrialFeatures.MediaCall {
        RustMediaCall(try mapErrors { try inner.startMedia(settings: settings.toCore()) })
    }

    func leave() {
        inner.leave()
    }
}

final class RustMediaCall: CloudTrialFeatures.MediaCall, @unchecked Sendable {
    private let inner: CloudTrialCore.MediaCall

    init(_ inner: CloudTrialCore.MediaCall) {
        self.inner = inner
    }

    var status: AsyncStream<MediaStatus> {
        subscription(map: { $0.toApp() }) { inner.subscribe(listener: $0) }
    }

    func current() -> MediaStatus {
        inner.state().toApp()
    }

    func sendVideo(_ frame: I420Frame) throws {
        try mapErrors {
            try inner.sendVideoFrame(frame: VideoFrame(width: UInt32(frame.width), height: UInt32(frame.height), data: frame.data))
        }
    }

    func sendAudio(_ pcm: Data) throws {
        try mapErrors { try inner.sendAudioFrame(pcm: pcm) }
    }

    func setRemoteSink(_ sink: RemoteMediaSink) {
        inner.setRemoteListener(listener: RemoteMediaForwarder(sink))
    }

    func setCameraEnabled(_ on: Bool) {
        inner.setCameraEnabled(on: on)
    }

    func setMicrophoneEnabled(_ on: Bool) {
        inner.setMicrophoneEnabled(on: on)
    }

    func setCameraFacing(_ facing: CloudTrialFeatures.CameraFacing) {
        inner.setCameraFacing(facing: facing.toCore())
    }

    func networkChanged() {
        inner.networkChanged()
    }

    func stop() {
        inner.stop()
    }
}

/// The others' decoded pictures and voices, straight to the platform's sink on the core's threads
/// (media is not state: it bypasses the main actor).
private final class RemoteMediaForwarder: RemoteMediaListener, @unchecked Sendable {
    private let sink: RemoteMediaSink

    init(_ sink: RemoteMediaSink) {
        self.sink = sink
    }

    func onVideoFrame(from: RemoteSender, frame: VideoFrame) {
        sink.onVideo(participantId: from.participantId, label: from.label,
                     frame: I420Frame(width: Int(frame.width), height: Int(frame.height), data: frame.data))
    }

    func onAudioFrame(from: RemoteSender, pcm: Data) {
        sink.onAudio(participantId: from.participantId, pcm: pcm)
    }
}
