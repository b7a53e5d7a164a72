import Foundation
import Observation

/// A wait that ran out of time, with what was seen last.
public struct TimedOut: Error, CustomStringConvertible {
    public let description: String
}

/// Resumes a continuation once: on a change, or when the time is up.
private final class Gate: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Void, Never>?
    private var timer: Task<Void, Never>?
    private var opened = false

    func arm(_ continuation: CheckedContinuation<Void, Never>, timeout: Duration) {
        lock.lock()
        self.continuation = continuation
        let alreadyOpen = opened
        lock.unlock()
        if alreadyOpen {
            open()
            return
        }
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            self?.open()
        }
        lock.lock()
        self.timer = timer
        lock.unlock()
    }

    func open() {
        lock.lock()
        opened = true
        let continuation = self.continuation
        self.continuation = nil
        let timer = self.timer
        self.timer = nil
        lock.unlock()
        timer?.cancel()
        continuation?.resume()
    }
}

/// Waits (at most `seconds`) until the observable value `read` gives satisfies
/// `predicate`, waking on each change Observation reports (no polling); throws
/// `TimedOut` with the last value seen.
@MainActor
public func awaitState<S>(
    _ what: String, seconds: Double = 10, _ read: @escaping @MainActor () -> S, until predicate: (S) -> Bool
) async throws -> S {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while true {
        let gate = Gate()
        // Track before reading, so a change between the read and the wait is not missed.
        let value = withObservationTracking { read() } onChange: { gate.open() }
        if predicate(value) { return value }
        let remaining = deadline - ContinuousClock.now
        if remaining <= .zero {
            throw TimedOut(description: "timed out waiting for \(what); last state: \(value)")
        }
        await withCheckedContinuation { gate.arm($0, timeout: remaining) }
    }
}

/// Values pushed from any thread (a listener of the bindings), taken in order with a timeout.
public final class Inbox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [T] = []
    private var waiting: Gate?

    public init() {}

    public func put(_ item: T) {
        lock.lock()
        items.append(item)
        let gate = waiting
        waiting = nil
        lock.unlock()
        gate?.open()
    }

    /// The first value (from now on, in arrival order) satisfying `predicate`; earlier ones are dropped.
    public func next(_ what: String, seconds: Double = 10, where predicate: (T) -> Bool) async throws -> T {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        var last: T?
        while true {
            let gate = Gate()
            lock.lock()
            let pending = items
            items.removeAll()
            waiting = gate
            lock.unlock()
            for item in pending {
                last = item
                if predicate(item) { return item }
            }
            let remaining = deadline - ContinuousClock.now
            if remaining <= .zero {
                throw TimedOut(description: "timed out waiting for \(what); last seen: \(last.map { "\($0)" } ?? "nothing")")
            }
            await withCheckedContinuation { gate.arm($0, timeout: remaining) }
        }
    }
}
