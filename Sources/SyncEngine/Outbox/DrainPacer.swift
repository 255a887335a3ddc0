/// A token bucket for the replayer's requests: at most ``OutboxPolicy/requestsPerSecond`` on
/// average, bursts of ``OutboxPolicy/burst``. A plain value over instants of the monotonic clock.
public struct DrainPacer: Sendable {
    private let rate: Double
    private let capacity: Double
    private var tokens: Double
    private var updated: ContinuousClock.Instant

    public init(requestsPerSecond: Double, burst: Int, now: ContinuousClock.Instant) {
        rate = max(requestsPerSecond, 0.001)
        capacity = Double(max(burst, 1))
        tokens = capacity
        updated = now
    }

    /// Takes one request's token and says when it may be sent (now, or later when the bucket is
    /// empty: the requests after it wait their turn).
    public mutating func reserve(now: ContinuousClock.Instant) -> ContinuousClock.Instant {
        let elapsed = now - updated
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        tokens = min(capacity, tokens + max(seconds, 0) * rate)
        updated = now
        tokens -= 1
        guard tokens < 0 else { return now }
        return now + .seconds(-tokens / rate)
    }
}
