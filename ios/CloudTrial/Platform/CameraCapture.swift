import AVFoundation
import CloudTrialFeatures
import Foundation

/// The phone's camera into the core: AVCaptureSession frames (NV12), converted
/// to upright I420 and handed to the media session, which encodes H.264.
final class CameraCapture: NSObject, AVCaptureVideoDataOutputSampleBufferDelegate, @unchecked Sendable {
    private let session = AVCaptureSession()
    private let output = AVCaptureVideoDataOutput()
    private let queue = DispatchQueue(label: "court.cloudtrial.camera")
    private var onFrame: ((I420Frame) -> Void)?
    private var facing: CameraFacing = .front
    private var paused = false
    /// Frames delivered since start (the self-test counts them).
    private(set) var frameCount = 0

    /// Opens the camera and calls `onFrame` on the camera's queue for each frame.
    func start(facing: CameraFacing, onFrame: @escaping (I420Frame) -> Void) {
        queue.async {
            self.onFrame = onFrame
            self.facing = facing
            self.configure()
            self.session.startRunning()
        }
    }

    private func configure() {
        session.beginConfiguration()
        defer { session.commitConfiguration() }
        session.sessionPreset = .vga640x480
        session.inputs.forEach { session.removeInput($0) }
        let position: AVCaptureDevice.Position = facing == .front ? .front : .back
        guard let device = AVCaptureDevice.default(.builtInWideAngleCamera, for: .video, position: position),
              let input = try? AVCaptureDeviceInput(device: device), session.canAddInput(input) else { return }
        session.addInput(input)
        if session.outputs.isEmpty {
            output.videoSettings = [kCVPixelBufferPixelFormatTypeKey as String: kCVPixelFormatType_420YpCbCr8BiPlanarFullRange]
            output.alwaysDiscardsLateVideoFrames = true
            output.setSampleBufferDelegate(self, queue: queue)
            if session.canAddOutput(output) { session.addOutput(output) }
        }
        if let connection = output.connection(with: .video) {
            // Upright for a phone held in portrait; the core sends what it gets.
            if connection.isVideoRotationAngleSupported(90) { connection.videoRotationAngle = 90 }
            connection.isVideoMirrored = facing == .front
        }
        if let device = (session.inputs.first as? AVCaptureDeviceInput)?.device, (try? device.lockForConfiguration()) != nil {
            device.activeVideoMinFrameDuration = CMTime(value: 1, timescale: 15)
            device.unlockForConfiguration()
        }
    }

    func switchTo(_ facing: CameraFacing) {
        queue.async {
            self.facing = facing
            self.configure()
        }
    }

    func pause() { queue.async { self.paused = true } }
    func resume() { queue.async { self.paused = false } }

    func stop() {
        queue.async {
            self.session.stopRunning()
            self.onFrame = nil
        }
    }

    func captureOutput(_ output: AVCaptureOutput, didOutput sampleBuffer: CMSampleBuffer, from connection: AVCaptureConnection) {
        guard !paused, let onFrame, let pixels = CMSampleBufferGetImageBuffer(sampleBuffer) else { return }
        CVPixelBufferLockBaseAddress(pixels, .readOnly)
        defer { CVPixelBufferUnlockBaseAddress(pixels, .readOnly) }
        let width = CVPixelBufferGetWidthOfPlane(pixels, 0) & ~1
        let height = CVPixelBufferGetHeightOfPlane(pixels, 0) & ~1
        guard let y = CVPixelBufferGetBaseAddressOfPlane(pixels, 0)?.assumingMemoryBound(to: UInt8.self),
              let uv = CVPixelBufferGetBaseAddressOfPlane(pixels, 1)?.assumingMemoryBound(to: UInt8.self) else { return }
        let data = I420.fromNV12(
            y: y, yStride: CVPixelBufferGetBytesPerRowOfPlane(pixels, 0),
            uv: uv, uvStride: CVPixelBufferGetBytesPerRowOfPlane(pixels, 1),
            width: width, height: height
        )
        frameCount += 1
        onFrame(I420Frame(width: width, height: height, data: data))
    }
}
