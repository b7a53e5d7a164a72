import AVFoundation
import AVKit
import Foundation
import UIKit

/// Picture-in-picture while the party switches apps during the hearing: the
/// enlarged (or the judge's) picture in a floating window, from sample buffers
/// (AVPictureInPictureController's video-call content source; iOS 15+). It
/// starts by itself when the app goes to the background.
@MainActor
final class PictureInPicture: NSObject, AVPictureInPictureControllerDelegate {
    private var controller: AVPictureInPictureController?
    private let layer = AVSampleBufferDisplayLayer()
    private weak var renderer: VideoRenderer?

    func attach(renderer: VideoRenderer) {
        guard AVPictureInPictureController.isPictureInPictureSupported(), controller == nil else { return }
        self.renderer = renderer
        layer.videoGravity = .resizeAspect
        renderer.pipLayer = layer
        let callController = AVPictureInPictureVideoCallViewController()
        callController.preferredContentSize = CGSize(width: 480, height: 640)
        layer.frame = CGRect(origin: .zero, size: callController.preferredContentSize)
        callController.view.layer.addSublayer(layer)
        guard let source = Self.sourceView() else { return }
        let content = AVPictureInPictureController.ContentSource(activeVideoCallSourceView: source, contentViewController: callController)
        let controller = AVPictureInPictureController(contentSource: content)
        controller.canStartPictureInPictureAutomaticallyFromInline = true
        controller.delegate = self
        self.controller = controller
    }

    /// Whose picture floats: the enlarged tile, or the first other participant.
    func follow(participantId: Int64?) {
        renderer?.pipParticipant = participantId
    }

    func detach() {
        controller?.stopPictureInPicture()
        controller = nil
        renderer?.pipLayer = nil
    }

    private static func sourceView() -> UIView? {
        let scene = UIApplication.shared.connectedScenes.compactMap { $0 as? UIWindowScene }.first
        return scene?.windows.first { $0.isKeyWindow }?.rootViewController?.view
    }
}
