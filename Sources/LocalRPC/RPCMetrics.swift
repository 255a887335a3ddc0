import CoreMetrics

/// What the socket counts, through swift-metrics (the server's owner chooses the backend;
/// without one, nothing is kept): calls by method and result, and their latency. Made once per
/// method when the dispatcher is built, so a call pays no lookup. Only method names the
/// registry serves become labels, never a name a client sent.
struct RPCMetrics: Sendable {
    static let calls = "vdsync_socket_requests_total"
    static let duration = "vdsync_socket_request_duration_seconds"

    private struct Method: Sendable {
        let succeeded: Counter
        let failed: Counter
        let duration: Timer
    }

    private let methods: [String: Method]

    init(methodNames: some Sequence<String>) {
        var methods: [String: Method] = [:]
        for name in methodNames {
            methods[name] = Method(
                succeeded: Counter(label: Self.calls, dimensions: [("method", name), ("result", "ok")]),
                failed: Counter(label: Self.calls, dimensions: [("method", name), ("result", "error")]),
                duration: Timer(label: Self.duration, dimensions: [("method", name)]))
        }
        self.methods = methods
    }

    func record(method name: String, succeeded: Bool, since started: ContinuousClock.Instant) {
        guard let method = methods[name] else { return }
        (succeeded ? method.succeeded : method.failed).increment()
        let elapsed = ContinuousClock.now - started
        method.duration.recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    }
}
