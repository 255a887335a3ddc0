import UpstreamClient

/// When one request of a read made for a mutation (a read-back check, a refresh) is asked again
/// at once. A read changes nothing upstream, so a request that failed on a server error, a reset
/// or a lost answer is repeated after a short wait instead of failing the whole read: a check
/// that must walk every page of a long dialog would otherwise succeed only when every page did,
/// and each failed check pushes the entry, and its chain, back by a growing backoff.
///
/// A refused connection is not repeated (the link is down: the check waits for its backoff), nor
/// is a timeout (a black hole would hold the check for one timeout per attempt).
struct ReadRetry: Sendable, Hashable {
    /// Requests per page or record, the first included.
    var attempts = 3
    /// The wait before the second request; each later one doubles.
    var base: Duration = .milliseconds(250)
    /// The longest wait honoured, whatever the server's `Retry-After` asks; a longer one gives
    /// the failure back to the check's own backoff.
    var longest: Duration = .seconds(2)

    /// The wait before asking again after `outcome`, the `attempt`-th request (from 1), or nil to
    /// give `outcome` back as it is.
    func wait<Payload>(after outcome: UpstreamOutcome<Payload>, attempt: Int) -> Duration? {
        guard attempt < attempts else { return nil }
        let asked: Duration?
        switch outcome {
        case .applied, .rejected, .authExpired:
            return nil
        case .retryable(let retry):
            if retry.isConnectionFailure { return nil }
            asked = retry.after
        case .unknown(let uncertainty):
            if case .noAnswer(let failure) = uncertainty.reason, failure.isTimeout { return nil }
            asked = uncertainty.retryAfter
        }
        let backoff = base * (1 << min(attempt - 1, 16))
        let wait = max(backoff, asked ?? .zero)
        return wait <= longest ? wait : nil
    }

    /// Runs `request` until it succeeds, is refused, or ``wait(after:attempt:)`` says to stop.
    func run<Payload>(_ request: () async -> UpstreamOutcome<Payload>) async -> UpstreamOutcome<Payload> {
        var attempt = 1
        while true {
            let outcome = await request()
            guard let wait = wait(after: outcome, attempt: attempt) else { return outcome }
            do {
                try await Task.sleep(for: wait)
            } catch {
                return outcome
            }
            attempt += 1
        }
    }
}
