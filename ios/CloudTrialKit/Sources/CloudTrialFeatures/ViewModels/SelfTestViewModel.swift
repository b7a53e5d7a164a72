import Foundation
import Observation

public enum CheckStatus: Sendable, Equatable {
    case checking, working, failed
}

public struct SelfTestState: Equatable, Sendable {
    public var camera = CheckStatus.checking
    public var cameraError: String?
    public var microphone = CheckStatus.checking
    public var microphoneError: String?
    /// 0..1 for the level bar.
    public var microphoneLevel: Float = 0
    public var speakerPlaying = false
    /// The user said they heard the test sound (nil: not asked yet).
    public var speakerHeard: Bool?

    public init() {}

    /// A party may always enter (the judge can hear them say a device fails); this says whether all is well.
    public var allWorking: Bool { camera == .working && microphone == .working && speakerHeard == true }
}

/// Level of 16-bit little-endian PCM in 0..1, on a dB scale from -60 dBFS (0) to 0 dBFS (1).
public func pcmLevel(_ pcm: Data) -> Float {
    let n = pcm.count / 2
    guard n > 0 else { return 0 }
    var sum = 0.0
    pcm.withUnsafeBytes { raw in
        for i in 0..<n {
            let sample = Double(Int16(bitPattern: UInt16(raw[2 * i]) | UInt16(raw[2 * i + 1]) << 8))
            sum += sample * sample
        }
    }
    let rms = (sum / Double(n)).squareRoot() / 32768
    guard rms > 0 else { return 0 }
    let db = 20 * log10(rms)
    return Float(min(max((db + 60) / 60, 0), 1))
}

/// 设备检测 before entering, as on the PC: the camera delivers frames, the
/// microphone hears the user (the level moves above the room's quiet), and the
/// user confirms they heard the test sound.
@MainActor
@Observable
public final class SelfTestViewModel {
    public private(set) var state = SelfTestState()
    private let devices: DeviceTester
    @ObservationIgnored private var tasks: [Task<Void, Never>] = []

    /// A voice is this far above silence (about -40 dBFS).
    private let speakingLevel: Float = 0.33

    public init(devices: DeviceTester) {
        self.devices = devices
    }

    public func start() {
        stop()
        state = SelfTestState()
        let frames = devices.cameraFrames()
        tasks.append(Task { [weak self] in
            do {
                for try await count in frames where count > 0 {
                    guard let self else { return }
                    if self.state.camera != .working { self.state.camera = .working }
                }
            } catch {
                self?.state.camera = .failed
                self?.state.cameraError = userMessage(error)
            }
        })
        let microphone = devices.microphone()
        tasks.append(Task { [weak self] in
            do {
                for try await pcm in microphone {
                    guard let self else { return }
                    let level = pcmLevel(pcm)
                    self.state.microphoneLevel = level
                    if level >= self.speakingLevel { self.state.microphone = .working }
                }
            } catch {
                self?.state.microphone = .failed
                self?.state.microphoneError = userMessage(error)
            }
        })
    }

    /// 播放测试声音
    public func playTestSound() {
        guard !state.speakerPlaying else { return }
        state.speakerPlaying = true
        state.speakerHeard = nil
        tasks.append(Task { [weak self, devices] in
            await devices.playTestSound()
            self?.state.speakerPlaying = false
        })
    }

    /// 能听到 / 听不到
    public func confirmSpeaker(heard: Bool) {
        state.speakerHeard = heard
    }

    public func stop() {
        tasks.forEach { $0.cancel() }
        tasks.removeAll()
    }
}
