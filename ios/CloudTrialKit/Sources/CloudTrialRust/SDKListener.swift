import CloudTrialCore
import CloudTrialFeatures

/// A listener of the bindings (called on the core's threads) that forwards
/// each value to a closure. Subscriptions turn it into an `AsyncStream`
/// (see `subscription`), which the view models read on the main actor.
final class SDKListener<T>: @unchecked Sendable {
    private let onUpdate: (T) -> Void

    init(_ onUpdate: @escaping (T) -> Void) {
        self.onUpdate = onUpdate
    }

    fileprivate func deliver(_ value: T) {
        onUpdate(value)
    }
}

extension SDKListener: SessionStateListener where T == SessionState {
    func onUpdate(state: SessionState) { deliver(state) }
}

extension SDKListener: RoomStateListener where T == RoomState {
    func onUpdate(state: RoomState) { deliver(state) }
}

extension SDKListener: MediaStateListener where T == MediaState {
    func onUpdate(state: MediaState) { deliver(state) }
}

extension SDKListener: EvidenceListener where T == [EvidenceGroup] {
    func onUpdate(groups: [EvidenceGroup]) { deliver(groups) }
}

extension SDKListener: UploadsListener where T == [UploadProgress] {
    func onUpdate(uploads: [UploadProgress]) { deliver(uploads) }
}

extension SDKListener: DownloadListener where T == CloudTrialCore.DownloadProgress {
    func onProgress(progress: CloudTrialCore.DownloadProgress) { deliver(progress) }
}

extension SDKListener: EvidenceMarksListener where T == CloudTrialCore.EvidenceMarks {
    func onUpdate(marks: CloudTrialCore.EvidenceMarks) { deliver(marks) }
}

/// A subscription of the bindings as an `AsyncStream` of app values. The
/// subscription's `TaskHandle` lives as long as the stream: when the reader
/// stops (its task is cancelled, or the stream is dropped) the handle is
/// cancelled, which stops the core's task.
///
/// States use `.bufferingNewest(1)`: a slow reader gets the newest one.
func subscription<Core, App>(
    buffering: AsyncStream<App>.Continuation.BufferingPolicy = .bufferingNewest(1),
    map: @escaping (Core) -> App,
    subscribe: (SDKListener<Core>) -> TaskHandle
) -> AsyncStream<App> {
    let (stream, continuation) = AsyncStream<App>.makeStream(bufferingPolicy: buffering)
    let handle = subscribe(SDKListener { continuation.yield(map($0)) })
    continuation.onTermination = { _ in handle.cancel() }
    return stream
}
