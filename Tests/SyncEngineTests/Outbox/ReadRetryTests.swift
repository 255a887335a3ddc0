import Testing
import UpstreamClient

@testable import SyncEngine

/// When a read made for a mutation asks a failed request again, without sockets or clocks.
@Suite("Outbox: read retries")
struct ReadRetryTests {
    let retry = ReadRetry()
    static let serverError = UpstreamOutcome<Int>.unknown(UpstreamUncertainty(.serverError(status: 500), httpStatus: 500))

    @Test("a server error or a reset is asked again after a short, doubling wait, up to the attempts allowed")
    func transientFailures() {
        #expect(retry.wait(after: Self.serverError, attempt: 1) == .milliseconds(250))
        #expect(retry.wait(after: Self.serverError, attempt: 2) == .milliseconds(500))
        #expect(retry.wait(after: Self.serverError, attempt: 3) == nil, "three requests, then the check decides")
        let reset = UpstreamOutcome<Int>.unknown(UpstreamUncertainty(.noAnswer(.connectionReset)))
        #expect(retry.wait(after: reset, attempt: 1) == .milliseconds(250))
    }

    @Test("a refused connection and a timeout are given back at once: the link is down, or a black hole would hold the check")
    func linkFailures() {
        let refused = UpstreamOutcome<Int>.retryable(UpstreamRetry(.notSent(.connectionRefused)))
        let timeout = UpstreamOutcome<Int>.unknown(UpstreamUncertainty(.noAnswer(.readTimeout)))
        #expect(retry.wait(after: refused, attempt: 1) == nil)
        #expect(retry.wait(after: timeout, attempt: 1) == nil)
    }

    @Test("an answer is never asked again: applied, refused, or an expired session")
    func answers() {
        #expect(retry.wait(after: UpstreamOutcome<Int>.applied(1), attempt: 1) == nil)
        #expect(retry.wait(after: UpstreamOutcome<Int>.rejected(UpstreamRejection(errorCode: 4004)), attempt: 1) == nil)
        #expect(retry.wait(after: UpstreamOutcome<Int>.authExpired, attempt: 1) == nil)
    }

    @Test("a short Retry-After is honoured; a long one is left to the check's own backoff")
    func retryAfter() {
        let soon = UpstreamOutcome<Int>.retryable(UpstreamRetry(.status(429), after: .seconds(1)))
        let late = UpstreamOutcome<Int>.retryable(UpstreamRetry(.status(429), after: .seconds(120)))
        #expect(retry.wait(after: soon, attempt: 1) == .seconds(1))
        #expect(retry.wait(after: late, attempt: 1) == nil)
    }

    @Test("run asks until an answer comes, and gives the last failure back when the attempts are spent")
    func run() async {
        var quick = ReadRetry()
        quick.base = .milliseconds(1)
        var requests = 0
        let recovered = await quick.run { () async -> UpstreamOutcome<Int> in
            requests += 1
            return requests < 3 ? Self.serverError : .applied(requests)
        }
        #expect(recovered == .applied(3))
        requests = 0
        let failed = await quick.run { () async -> UpstreamOutcome<Int> in
            requests += 1
            return Self.serverError
        }
        #expect(failed == Self.serverError)
        #expect(requests == quick.attempts)
    }
}
