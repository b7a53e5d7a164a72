import BackgroundTasks
import CloudTrialFeatures
import Foundation
import UIKit

/// Uploads keep going when the party leaves the app: the core's queue is on
/// disk (Application Support), resumes by itself whenever the services start,
/// and sends in resumable chunks. Here the system is asked for time: a
/// background task while the app goes to the background, and a processing
/// task (network required) that reopens the queue later — also after the app
/// was killed — until every upload is 已提交.
enum UploadContinuation {
    static let identifier = "court.cloudtrial.app.uploads"

    static func register() {
        BGTaskScheduler.shared.register(forTaskWithIdentifier: identifier, using: nil) { task in
            guard let task = task as? BGProcessingTask else { return }
            Task { @MainActor in await run(task) }
        }
    }

    /// On going to the background: finish what is running, and book a processing task for the rest.
    @MainActor
    static func scheduleIfUploading() {
        guard let uploads = try? AppEnvironment.shared.services.hearing().evidence.currentUploads(),
              uploads.contains(where: { $0.status == .queued || $0.status == .uploading }) else { return }
        var background = UIBackgroundTaskIdentifier.invalid
        background = UIApplication.shared.beginBackgroundTask(withName: "证据上传") {
            UIApplication.shared.endBackgroundTask(background)
        }
        let request = BGProcessingTaskRequest(identifier: identifier)
        request.requiresNetworkConnectivity = true
        try? BGTaskScheduler.shared.submit(request)
    }

    /// The processing task: the services reopen the queue; wait until nothing is left to send.
    @MainActor
    private static func run(_ task: BGProcessingTask) async {
        guard let evidence = try? AppEnvironment.shared.services.hearing().evidence else {
            task.setTaskCompleted(success: false)
            return
        }
        let watcher = Task {
            for await uploads in evidence.uploads where !uploads.contains(where: { $0.status == .queued || $0.status == .uploading }) {
                return true
            }
            return false
        }
        task.expirationHandler = { watcher.cancel() }
        let done = await watcher.value
        if !done {
            let request = BGProcessingTaskRequest(identifier: identifier)
            request.requiresNetworkConnectivity = true
            try? BGTaskScheduler.shared.submit(request)
        }
        task.setTaskCompleted(success: done)
    }
}
