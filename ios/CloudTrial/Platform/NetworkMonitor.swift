import Foundation
import Network

/// The platform's path monitor: when the phone moves between Wi-Fi and
/// cellular (or the path comes back), the core is told at once so the room and
/// the media reconnect instead of waiting for a timeout.
final class NetworkMonitor: @unchecked Sendable {
    private var monitor: NWPathMonitor?
    private let queue = DispatchQueue(label: "court.cloudtrial.network")
    private var last: (status: NWPath.Status, interfaces: [NWInterface.InterfaceType])?

    /// `changed` runs on the main actor after the first path, for every real change.
    func start(changed: @escaping @MainActor () -> Void) {
        let monitor = NWPathMonitor()
        monitor.pathUpdateHandler = { [weak self] path in
            guard let self else { return }
            let now = (path.status, path.availableInterfaces.map(\.type))
            defer { self.last = now }
            guard let last = self.last else { return }
            if last.status != now.0 || last.interfaces != now.1, path.status == .satisfied {
                Task { @MainActor in changed() }
            }
        }
        monitor.start(queue: queue)
        self.monitor = monitor
    }

    func stop() {
        monitor?.cancel()
        monitor = nil
    }
}
