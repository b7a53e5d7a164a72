import AVFoundation
import CloudTrialFeatures
import Foundation

/// 设备检测 on the iPhone: the camera (frames counted), the microphone (voice
/// processing as in the hearing), and a test tone through the current route.
final class IOSDeviceTester: DeviceTester, @unchecked Sendable {
    func cameraFrames() -> AsyncThrowingStream<Int, Error> {
        AsyncThrowingStream { continuation in
            let camera = CameraCapture()
            Task {
                guard await AVCaptureDevice.requestAccess(for: .video) else {
                    continuation.finish(throwing: AppError.media(reason: String(localized: "无法使用摄像头，请在“设置”中允许天津云审访问相机")))
                    return
                }
                var count = 0
                camera.start(facing: .front) { _ in
                    count += 1
                    if count % 5 == 1 { continuation.yield(count) }
                }
            }
            continuation.onTermination = { _ in camera.stop() }
        }
    }

    func microphone() -> AsyncThrowingStream<Data, Error> {
        AsyncThrowingStream { continuation in
            let audio = VoiceAudio()
            Task {
                guard await AVCaptureDevice.requestAccess(for: .audio) else {
                    continuation.finish(throwing: AppError.media(reason: String(localized: "无法使用麦克风，请在“设置”中允许天津云审访问麦克风")))
                    return
                }
                do {
                    try audio.start { continuation.yield($0) }
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in audio.stop() }
        }
    }

    /// A two-second 440 Hz tone, as the PC's 播放测试音.
    func playTestSound() async {
        let engine = AVAudioEngine()
        let player = AVAudioPlayerNode()
        let format = AVAudioFormat(standardFormatWithSampleRate: 48_000, channels: 1)!
        let frames = AVAudioFrameCount(48_000 * 2)
        guard let buffer = AVAudioPCMBuffer(pcmFormat: format, frameCapacity: frames) else { return }
        buffer.frameLength = frames
        let samples = buffer.floatChannelData![0]
        for i in 0..<Int(frames) {
            let fade = min(1, Float(min(i, Int(frames) - i)) / 2400)
            samples[i] = 0.3 * fade * sinf(2 * .pi * 440 * Float(i) / 48_000)
        }
        try? AVAudioSession.sharedInstance().setCategory(.playAndRecord, mode: .voiceChat, options: [.allowBluetooth, .defaultToSpeaker])
        try? AVAudioSession.sharedInstance().setActive(true)
        engine.attach(player)
        engine.connect(player, to: engine.mainMixerNode, format: format)
        guard (try? engine.start()) != nil else { return }
        player.play()
        await player.scheduleBuffer(buffer, completionCallbackType: .dataPlayedBack)
        engine.stop()
    }
}
