import AVFoundation
import CloudTrialFeatures
import Foundation
import Observation
import UIKit

/// Everything alive while the party is in the hearing: the room and its view
/// models, and the platform pieces that feed the core's media session (camera,
/// voice audio, network changes, picture-in-picture). Made when the device
/// check opens (登录后将直接入会: the court sees the party present while they
/// check), with camera and microphone from `startMedia` when the hearing
/// screen opens; closed when the party leaves.
@MainActor
@Observable
final class LiveHearing {
    let session: Session
    private(set) var hearing: HearingViewModel?
    private(set) var evidence: EvidenceViewModel?
    private(set) var record: RecordViewModel?
    private(set) var error: String?
    let renderer = VideoRenderer()
    @ObservationIgnored private let services: CloudTrialServices
    @ObservationIgnored private var hearingServices: HearingServices?
    @ObservationIgnored private var room: HearingRoom?
    @ObservationIgnored private let camera = CameraCapture()
    @ObservationIgnored private let audio = VoiceAudio()
    @ObservationIgnored private let network = NetworkMonitor()
    @ObservationIgnored let pictureInPicture = PictureInPicture()
    @ObservationIgnored private var mediaStarted = false

    init(services: CloudTrialServices, session: Session) {
        self.services = services
        self.session = session
        enter()
    }

    private func enter() {
        do {
            let hearingServices = try services.hearing()
            let room = try hearingServices.enterRoom()
            self.hearingServices = hearingServices
            self.room = room
            let hearing = HearingViewModel(room: room)
            hearing.start()
            self.hearing = hearing
            let record = RecordViewModel(record: hearingServices.record)
            record.start(room: room)
            self.record = record
            // 登录后将直接入会: the network monitor reconnects at once when the phone changes networks.
            network.start { [weak self] in self?.hearing?.networkChanged() }
            let evidence = EvidenceViewModel(evidence: hearingServices.evidence)
            evidence.start(room: room)
            self.evidence = evidence
        } catch {
            self.error = userMessage(error)
        }
    }

    /// Camera and microphone, after the system asked for them (the usage descriptions in Info.plist); once.
    func startMedia() async {
        guard let hearing, !mediaStarted else { return }
        mediaStarted = true
        let cameraAllowed = await AVCaptureDevice.requestAccess(for: .video)
        let microphoneAllowed = await AVCaptureDevice.requestAccess(for: .audio)
        guard let call = hearing.startMedia(MediaSettings(width: 480, height: 640, fps: 15, bitrate: 600_000)) else { return }
        call.setRemoteSink(RemoteMedia(renderer: renderer, audio: audio))
        do {
            try audio.start { pcm in try? call.sendAudio(pcm) }
        } catch {
            self.error = userMessage(error)
        }
        if !microphoneAllowed { call.setMicrophoneEnabled(false) }
        if cameraAllowed {
            camera.start(facing: hearing.state.facing) { [renderer] frame in
                try? call.sendVideo(frame)
                renderer.showOwn(frame)
            }
        } else {
            call.setCameraEnabled(false)
        }
        pictureInPicture.attach(renderer: renderer)
    }

    var annotationService: AnnotationService? { hearingServices?.annotation }
    var hearingRoom: HearingRoom? { room }
    var myId: Int64 { session.participantId }

    func toggleCamera() {
        hearing?.toggleCamera()
        if hearing?.state.cameraOn == true { camera.resume() } else { camera.pause() }
    }

    func switchCamera() {
        hearing?.switchCamera()
        if let facing = hearing?.state.facing { camera.switchTo(facing) }
    }

    /// Camera, microphone and picture-in-picture off: the hearing's media is over (闭庭); the screens stay.
    func stopMedia() {
        camera.stop()
        audio.stop()
        pictureInPicture.detach()
    }

    /// 退出庭审
    func close() {
        network.stop()
        stopMedia()
        evidence?.stop()
        record?.stop()
        hearing?.leave()
        hearing = nil
    }
}

/// The others' media from the core's threads: pictures to the renderer, voices to the speaker.
private final class RemoteMedia: RemoteMediaSink, @unchecked Sendable {
    private let renderer: VideoRenderer
    private let audio: VoiceAudio

    init(renderer: VideoRenderer, audio: VoiceAudio) {
        self.renderer = renderer
        self.audio = audio
    }

    func onVideo(participantId: Int64, label: String, frame: I420Frame) {
        renderer.show(frame, from: participantId)
    }

    func onAudio(participantId: Int64, pcm: Data) {
        audio.play(pcm, from: participantId)
    }
}
