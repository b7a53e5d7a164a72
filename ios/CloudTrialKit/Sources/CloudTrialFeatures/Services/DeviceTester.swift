import Foundation

/// The phone's camera, microphone and speaker for the self-test before
/// entering (庭审开始前请提前测试声音、图像等各项功能). The platform implements
/// it (AVCaptureSession, AVAudioEngine); the camera preview itself is drawn by the view.
public protocol DeviceTester: AnyObject, Sendable {
    /// Frames the camera delivered so far: grows while the camera works. Throws `AppError.media` if it cannot open.
    func cameraFrames() -> AsyncThrowingStream<Int, Error>

    /// Microphone PCM (48 kHz mono, 16-bit little-endian) in 20 ms frames while iterated.
    func microphone() -> AsyncThrowingStream<Data, Error>

    /// Plays the test sound through the current output (speaker or headset) until it ends.
    func playTestSound() async
}
