import Synchronization

/// Values arriving from another thread (reply lines, server-side events), awaited one at a time
/// with a timeout: tests wait for the event itself, never for a guessed delay.
final class Inbox<Element: Sendable>: Sendable {
    struct TimedOut: Error, CustomStringConvertible {
        let timeout: Duration
        var description: String { "nothing arrived within \(timeout)" }
    }

    private struct State {
        var items: [Element] = []
        var head = 0
        var finished = false
        var waiter: (id: Int, continuation: CheckedContinuation<Element?, any Error>)?
        var nextWaiter = 0
    }

    private let state = Mutex(State())

    func push(_ element: Element) {
        let waiter = state.withLock { state -> CheckedContinuation<Element?, any Error>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter.continuation
            }
            state.items.append(element)
            return nil
        }
        waiter?.resume(returning: element)
    }

    /// No more elements: waiting now returns nil.
    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<Element?, any Error>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter?.continuation
        }
        waiter?.resume(returning: nil)
    }

    /// The next element, nil once finished, or `TimedOut`.
    func next(timeout: Duration = .seconds(20)) async throws -> Element? {
        try await withCheckedThrowingContinuation { continuation in
            let ready = state.withLock { state -> Result<Element?, any Error>? in
                if state.head < state.items.count {
                    defer { state.head += 1 }
                    return .success(state.items[state.head])
                }
                if state.finished { return .success(nil) }
                state.nextWaiter += 1
                state.waiter = (state.nextWaiter, continuation)
                return nil
            }
            if let ready {
                continuation.resume(with: ready)
                return
            }
            let id = state.withLock { $0.nextWaiter }
            Task {
                try? await Task.sleep(for: timeout)
                self.expire(id, timeout)
            }
        }
    }

    /// Everything received so far, without waiting.
    var received: [Element] { state.withLock { Array($0.items[$0.head...]) } }

    private func expire(_ id: Int, _ timeout: Duration) {
        let waiter = state.withLock { state -> CheckedContinuation<Element?, any Error>? in
            guard let waiter = state.waiter, waiter.id == id else { return nil }
            state.waiter = nil
            return waiter.continuation
        }
        waiter?.resume(throwing: TimedOut(timeout: timeout))
    }
}
