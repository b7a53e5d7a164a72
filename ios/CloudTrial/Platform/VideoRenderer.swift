import AVFoundation
import CloudTrialFeatures
import CoreGraphics
import CoreVideo
import Foundation
import Observation

/// The pictures of the video wall: each participant's latest frame as a
/// `CGImage` (converted off the main thread, published on it), and the
/// enlarged one also as sample buffers for picture-in-picture.
@Observable
final class VideoRenderer: @unchecked Sendable {
    /// Participant id → their latest picture. `ownId` holds this phone's camera.
    private(set) var images: [Int64: CGImage] = [:]
    static let ownId: Int64 = -1
    @ObservationIgnored private let queue = DispatchQueue(label: "court.cloudtrial.render")
    @ObservationIgnored private var busy: Set<Int64> = []
    @ObservationIgnored private let lock = NSLock()
    /// Picture-in-picture's layer gets the frames of this participant (the enlarged or first other tile).
    @ObservationIgnored var pipParticipant: Int64?
    @ObservationIgnored var pipLayer: AVSampleBufferDisplayLayer?

    /// A remote frame from the core's threads. A participant's frame is skipped while the previous one converts.
    func show(_ frame: I420Frame, from participantId: Int64) {
        lock.lock()
        let skip = busy.contains(participantId)
        if !skip { busy.insert(participantId) }
        lock.unlock()
        if skip { return }
        queue.async { [weak self] in
            guard let self else { return }
            let image = Self.image(frame)
            if participantId == self.pipParticipant, let layer = self.pipLayer, let buffer = Self.sampleBuffer(frame) {
                layer.sampleBufferRenderer.enqueue(buffer)
            }
            self.lock.lock()
            self.busy.remove(participantId)
            self.lock.unlock()
            DispatchQueue.main.async { self.images[participantId] = image }
        }
    }

    /// This phone's camera, for its own tile.
    func showOwn(_ frame: I420Frame) {
        show(frame, from: Self.ownId)
    }

    static func image(_ frame: I420Frame) -> CGImage? {
        let bgra = I420.toBGRA(frame)
        guard let provider = CGDataProvider(data: bgra as CFData) else { return nil }
        return CGImage(
            width: frame.width, height: frame.height, bitsPerComponent: 8, bitsPerPixel: 32, bytesPerRow: frame.width * 4,
            space: CGColorSpaceCreateDeviceRGB(),
            bitmapInfo: CGBitmapInfo(rawValue: CGImageAlphaInfo.noneSkipFirst.rawValue | CGBitmapInfo.byteOrder32Little.rawValue),
            provider: provider, decode: nil, shouldInterpolate: true, intent: .defaultIntent
        )
    }

    /// A frame as a sample buffer to display now (picture-in-picture).
    static func sampleBuffer(_ frame: I420Frame) -> CMSampleBuffer? {
        var pixels: CVPixelBuffer?
        let attributes = [kCVPixelBufferIOSurfacePropertiesKey as String: [:]] as CFDictionary
        guard CVPixelBufferCreate(nil, frame.width, frame.height, kCVPixelFormatType_32BGRA, attributes, &pixels) == kCVReturnSuccess,
              let pixels else { return nil }
        CVPixelBufferLockBaseAddress(pixels, [])
        let bgra = I420.toBGRA(frame)
        let rowBytes = CVPixelBufferGetBytesPerRow(pixels)
        if let base = CVPixelBufferGetBaseAddress(pixels) {
            bgra.withUnsafeBytes { src in
                for row in 0..<frame.height {
                    (base + row * rowBytes).copyMemory(from: src.baseAddress! + row * frame.width * 4, byteCount: frame.width * 4)
                }
            }
        }
        CVPixelBufferUnlockBaseAddress(pixels, [])
        var format: CMVideoFormatDescription?
        CMVideoFormatDescriptionCreateForImageBuffer(allocator: nil, imageBuffer: pixels, formatDescriptionOut: &format)
        guard let format else { return nil }
        var timing = CMSampleTimingInfo(duration: .invalid, presentationTimeStamp: CMClockGetTime(CMClockGetHostTimeClock()), decodeTimeStamp: .invalid)
        var buffer: CMSampleBuffer?
        CMSampleBufferCreateReadyWithImageBuffer(allocator: nil, imageBuffer: pixels, formatDescription: format, sampleTiming: &timing, sampleBufferOut: &buffer)
        if let buffer, let attachments = CMSampleBufferGetSampleAttachmentsArray(buffer, createIfNecessary: true) as? [NSMutableDictionary] {
            attachments.first?[kCMSampleAttachmentKey_DisplayImmediately] = true
        }
        return buffer
    }
}
