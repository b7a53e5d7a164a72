import AVFoundation
import CloudTrialFeatures
import Foundation

/// The microphone and the speaker for the hearing, as a voice call:
/// AVAudioSession `.playAndRecord` in `.voiceChat` mode (echo cancellation,
/// Bluetooth and wired headsets, the speaker when none), AVAudioEngine with
/// voice processing; the microphone is cut into 20 ms frames of 48 kHz mono
/// 16-bit PCM for the core (which encodes Opus), and the others' decoded
/// voices are scheduled on a player node. With the `audio` background mode
/// the hearing keeps sounding while the party looks at another app.
final class VoiceAudio: @unchecked Sendable {
    static let sampleRate = 48_000.0
    static let frameSamples = 960 // 20 ms

    private let engine = AVAudioEngine()
    private let player = AVAudioPlayerNode()
    private let format = AVAudioFormat(commonFormat: .pcmFormatInt16, sampleRate: VoiceAudio.sampleRate, channels: 1, interleaved: true)!
    private let playFormat = AVAudioFormat(standardFormatWithSampleRate: VoiceAudio.sampleRate, channels: 1)!
    private var pending = Data()
    private var converter: AVAudioConverter?
    private var onFrame: ((Data) -> Void)?
    private var observers: [NSObjectProtocol] = []

    /// Starts the call audio; `onFrame` gets each 20 ms of the microphone.
    func start(onFrame: @escaping (Data) -> Void) throws {
        self.onFrame = onFrame
        let audioSession = AVAudioSession.sharedInstance()
        do {
            try audioSession.setCategory(.playAndRecord, mode: .voiceChat, options: [.allowBluetooth, .allowBluetoothA2DP, .defaultToSpeaker])
            try audioSession.setPreferredSampleRate(Self.sampleRate)
            try audioSession.setPreferredIOBufferDuration(0.02)
            try audioSession.setActive(true)
            try engine.inputNode.setVoiceProcessingEnabled(true)
        } catch {
            throw AppError.media(reason: String(localized: "无法打开麦克风，请检查权限设置"))
        }
        let input = engine.inputNode
        let inputFormat = input.outputFormat(forBus: 0)
        converter = AVAudioConverter(from: inputFormat, to: format)
        input.installTap(onBus: 0, bufferSize: 1024, format: inputFormat) { [weak self] buffer, _ in
            self?.captured(buffer)
        }
        engine.attach(player)
        engine.connect(player, to: engine.mainMixerNode, format: playFormat)
        engine.prepare()
        try engine.start()
        player.play()
        observeRouteAndInterruptions()
    }

    /// The microphone's buffer, converted to 48 kHz mono Int16 and cut into 20 ms frames.
    private func captured(_ buffer: AVAudioPCMBuffer) {
        guard let converter else { return }
        let capacity = AVAudioFrameCount(Double(buffer.frameLength) * Self.sampleRate / buffer.format.sampleRate) + 16
        guard let converted = AVAudioPCMBuffer(pcmFormat: format, frameCapacity: capacity) else { return }
        var fed = false
        converter.convert(to: converted, error: nil) { _, status in
            if fed {
                status.pointee = .noDataNow
                return nil
            }
            fed = true
            status.pointee = .haveData
            return buffer
        }
        guard let samples = converted.int16ChannelData?[0] else { return }
        pending.append(Data(bytes: samples, count: Int(converted.frameLength) * 2))
        let frameBytes = Self.frameSamples * 2
        while pending.count >= frameBytes {
            onFrame?(pending.prefix(frameBytes))
            pending.removeFirst(frameBytes)
        }
    }

    /// 20 ms of someone's voice (48 kHz mono Int16 LE), from the core's threads; the player mixes.
    func play(_ pcm: Data, from participantId: Int64) {
        let count = pcm.count / 2
        guard count > 0, let buffer = AVAudioPCMBuffer(pcmFormat: playFormat, frameCapacity: AVAudioFrameCount(count)) else { return }
        buffer.frameLength = AVAudioFrameCount(count)
        let out = buffer.floatChannelData![0]
        pcm.withUnsafeBytes { raw in
            let samples = raw.bindMemory(to: Int16.self)
            for i in 0..<count { out[i] = Float(Int16(littleEndian: samples[i])) / 32768 }
        }
        player.scheduleBuffer(buffer)
    }

    /// A headset plugged in or out, a phone call: keep the engine running as the system allows.
    private func observeRouteAndInterruptions() {
        let center = NotificationCenter.default
        observers.append(center.addObserver(forName: AVAudioSession.interruptionNotification, object: nil, queue: .main) { [weak self] note in
            guard let self, let raw = note.userInfo?[AVAudioSessionInterruptionTypeKey] as? UInt,
                  AVAudioSession.InterruptionType(rawValue: raw) == .ended else { return }
            try? AVAudioSession.sharedInstance().setActive(true)
            try? self.engine.start()
            self.player.play()
        })
        observers.append(center.addObserver(forName: .AVAudioEngineConfigurationChange, object: engine, queue: .main) { [weak self] _ in
            guard let self, !self.engine.isRunning else { return }
            try? self.engine.start()
            self.player.play()
        })
    }

    func stop() {
        observers.forEach(NotificationCenter.default.removeObserver)
        observers.removeAll()
        engine.inputNode.removeTap(onBus: 0)
        player.stop()
        engine.stop()
        onFrame = nil
        try? AVAudioSession.sharedInstance().setActive(false, options: .notifyOthersOnDeactivation)
    }
}
