import BackgroundTasks
import CloudTrialFeatures
import SwiftUI
import UIKit

/// 天津云审 for iPhone.
@main
struct CloudTrialApp: App {
    @UIApplicationDelegateAdaptor(AppDelegate.self) private var delegate
    @State private var environment = AppEnvironment.shared

    var body: some Scene {
        WindowGroup {
            RootView(environment: environment)
                // Universal Links: the SMS link https://court/ots/download/{会议号} opens the app.
                .onContinueUserActivity(NSUserActivityTypeBrowsingWeb) { activity in
                    if let url = activity.webpageURL { environment.app.openLink(url.absoluteString) }
                }
                .onOpenURL { url in environment.app.openLink(url.absoluteString) }
        }
    }
}

/// Launch work that must happen before the first scene: the background upload task.
final class AppDelegate: NSObject, UIApplicationDelegate {
    func application(_ application: UIApplication, didFinishLaunchingWithOptions launchOptions: [UIApplication.LaunchOptionsKey: Any]? = nil) -> Bool {
        UploadContinuation.register()
        return true
    }

    func applicationDidEnterBackground(_ application: UIApplication) {
        UploadContinuation.scheduleIfUploading()
    }
}
