import Foundation
import Testing
import UpstreamClient
import VolunteerAPI

@testable import SyncEngine

/// The outbox's decisions as a value: no sockets, no clocks.
@Suite("Outbox policy")
struct OutboxPolicyTests {
    let policy = OutboxPolicy()
    /// A fixed "now": the policy reads no clock.
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("applied confirms, a rejection keeps the server's message, an unknown outcome is checked before anything is resent")
    func afterSend() {
        #expect(policy.afterSend(UpstreamOutcome<Int>.applied(1), attempts: 1, roll: 0) == .confirm)
        let rejected = policy.afterSend(
            UpstreamOutcome<Int>.rejected(UpstreamRejection(errorCode: 4009, message: "名额已满", httpStatus: 409)), attempts: 1, roll: 0)
        #expect(rejected == .reject(errorCode: 4009, message: "名额已满"))
        guard case .check = policy.afterSend(UpstreamOutcome<Int>.unknown(UpstreamUncertainty(.noAnswer(.connectionReset))), attempts: 1, roll: 0)
        else {
            Issue.record("an unknown outcome must lead to a read-back check")
            return
        }
        #expect(policy.afterSend(UpstreamOutcome<Int>.authExpired, attempts: 1, roll: 0) == .pauseForLogin)
    }

    @Test("a retryable outcome is resent with growing backoff, then parked after the bounded attempts")
    func retryable() {
        let retry = UpstreamOutcome<Int>.retryable(UpstreamRetry(.status(429)))
        guard case .resend(let first, _) = policy.afterSend(retry, attempts: 1, roll: 0.999),
            case .resend(let third, _) = policy.afterSend(retry, attempts: 3, roll: 0.999)
        else {
            Issue.record("retryable outcomes below the bound must be resent")
            return
        }
        #expect(third > first)
        guard case .park = policy.afterSend(retry, attempts: policy.maximumAttempts, roll: 0) else {
            Issue.record("the last attempt must park the entry")
            return
        }
    }

    @Test("a Retry-After longer than the backoff is honoured")
    func retryAfter() {
        let outcome = UpstreamOutcome<Int>.retryable(UpstreamRetry(.status(429), after: .seconds(120)))
        #expect(policy.afterSend(outcome, attempts: 1, roll: 0) == .resend(after: .seconds(120), error: "HTTP 429, retry after 120.0 seconds"))
    }

    @Test("backoff doubles, stays within [half, full] of its step, and is capped")
    func backoff() {
        #expect(policy.backoff(attempt: 1, roll: 0) == .milliseconds(500))  // 1 s × 0.5
        #expect(policy.backoff(attempt: 3, roll: 0) == .seconds(2))
        #expect(policy.backoff(attempt: 3, roll: 0.999_999) < .seconds(4))
        #expect(policy.backoff(attempt: 40, roll: 0.999) <= policy.backoffCap)
    }

    @Test("a check that finds the effect confirms; a confirmed absence resends; an undecided check is retried, then parked")
    func afterCheck() {
        #expect(policy.afterCheck(.present(Confirmation()), checks: 0, attempts: 1, committed: false, now: Self.t0, roll: 0) == .confirm)
        #expect(policy.afterCheck(.absent, checks: 0, attempts: 1, committed: false, now: Self.t0, roll: 0) == .resend(after: .zero, error: nil))
        // The server answered success earlier: absence of a findable record never resends it.
        #expect(policy.afterCheck(.absent, checks: 0, attempts: 1, committed: true, now: Self.t0, roll: 0) == .confirm)
        guard case .check = policy.afterCheck(.undecided("offline"), checks: 0, attempts: 1, committed: false, now: Self.t0, roll: 0),
            case .park = policy.afterCheck(.undecided("offline"), checks: policy.maximumChecks - 1, attempts: 1, committed: false, now: Self.t0, roll: 0)
        else {
            Issue.record("undecided checks must be retried, then parked")
            return
        }
        #expect(policy.afterCheck(.authExpired, checks: 0, attempts: 1, committed: false, now: Self.t0, roll: 0) == .pauseForLogin)
    }

    @Test("an undecided check comes back within a minute while a send's backoff goes on growing; parked after about 18 minutes of failed reads")
    func checkBackoff() {
        guard case .check(let late, _) = policy.afterCheck(.undecided("server error 500"), checks: 20, attempts: 1, committed: false, now: Self.t0, roll: 0.999)
        else {
            Issue.record("an undecided check is checked again")
            return
        }
        #expect(late <= policy.checkBackoffCap)
        #expect(policy.backoff(attempt: 21, roll: 0.999) > policy.checkBackoffCap, "a send's backoff is not capped as low")
        var patience = Duration.zero
        for checks in 0..<(policy.maximumChecks - 1) {
            guard case .check(let after, _) = policy.afterCheck(.undecided("offline"), checks: checks, attempts: 1, committed: false, now: Self.t0, roll: 0.5)
            else {
                Issue.record("check \(checks + 1) parked the entry")
                return
            }
            patience += after
        }
        #expect(patience > .seconds(15 * 60) && patience < .seconds(25 * 60), "\(patience)")
        var tight = policy
        tight.backoffCap = .zero
        #expect(
            tight.afterCheck(.undecided("offline"), checks: 5, attempts: 1, committed: false, now: Self.t0, roll: 0.5) == .check(after: .zero, error: "offline")
        )
    }

    @Test("an empty read-back within the settle time of the last send reads again and does not resend; after it, resends")
    func settleTime() {
        let sent = Self.t0
        var policy = self.policy
        policy.settleTime = .seconds(120)
        policy.settleCheckInterval = .seconds(15)
        let send = OutboxPolicy.SendTimes(sentAt: sent)
        // 1 s after the send (a crash, a restart, a check at once): not found proves nothing yet;
        // read again soon (half the time since the send, at least a second): a late send most
        // often lands soon after the agent gave up on it.
        let early = policy.afterCheck(.absent, checks: 0, attempts: 1, committed: false, send: send, now: sent + 1, roll: 0)
        #expect(early == .settle(until: sent + 120, checkAfter: .seconds(1)))
        let later = policy.afterCheck(.absent, checks: 0, attempts: 1, committed: false, send: send, now: sent + 8, roll: 0)
        #expect(later == .settle(until: sent + 120, checkAfter: .seconds(4)))
        // Long after the send, at most every `settleCheckInterval`.
        let long = policy.afterCheck(.absent, checks: 0, attempts: 1, committed: false, send: send, now: sent + 60, roll: 0)
        #expect(long == .settle(until: sent + 120, checkAfter: .seconds(15)))
        // Near its end, the next read is at the end, not later.
        let late = policy.afterCheck(.absent, checks: 0, attempts: 1, committed: false, send: send, now: sent + 110, roll: 0)
        #expect(late == .settle(until: sent + 120, checkAfter: .seconds(10)))
        // A read that began once the settle time had passed may resend.
        #expect(
            policy.afterCheck(.absent, checks: 0, attempts: 1, committed: false, send: send, now: sent + 120, roll: 0) == .resend(after: .zero, error: nil))
        // A time an earlier check set stands (a settle time since shortened by a reload).
        var shorter = policy
        shorter.settleTime = .seconds(5)
        let set = OutboxPolicy.SendTimes(sentAt: sent, settlesAt: sent + 120)
        guard case .settle(let until, _) = shorter.afterCheck(.absent, checks: 0, attempts: 1, committed: false, send: set, now: sent + 60, roll: 0)
        else {
            Issue.record("a settle time set by an earlier check must stand")
            return
        }
        #expect(until == sent + 120)
        // The effect found, or known committed, confirms at once; an upload (no read-back) is sent
        // again as before: a duplicate file is harmless.
        #expect(policy.afterCheck(.present(Confirmation()), checks: 0, attempts: 1, committed: false, send: send, now: sent + 1, roll: 0) == .confirm)
        #expect(policy.afterCheck(.absent, checks: 0, attempts: 1, committed: true, send: send, now: sent + 1, roll: 0) == .confirm)
        #expect(
            policy.afterCheck(.uncheckable, checks: 0, attempts: 1, committed: false, send: send, now: sent + 1, roll: 0) == .resend(after: .zero, error: nil))
        // The attempts bound waits for the settle time too: parked only when nothing can still land.
        #expect(
            policy.afterCheck(.absent, checks: 0, attempts: policy.maximumAttempts, committed: false, send: send, now: sent + 1, roll: 0)
                == .settle(until: sent + 120, checkAfter: .seconds(1)))
        // The server's own answer (a 500) showed it was done with the request: nothing can land.
        #expect(
            policy.afterCheck(.absent, checks: 0, attempts: 1, committed: false, send: .init(sentAt: sent, answered: true), now: sent + 1, roll: 0)
                == .resend(after: .zero, error: nil))
        // A settle time of zero turns the rule off; an entry never sent has nothing to wait for.
        var off = policy
        off.settleTime = .zero
        #expect(off.afterCheck(.absent, checks: 0, attempts: 1, committed: false, send: send, now: sent + 1, roll: 0) == .resend(after: .zero, error: nil))
        #expect(policy.afterCheck(.absent, checks: 0, attempts: 1, committed: false, now: sent + 1, roll: 0) == .resend(after: .zero, error: nil))
    }

    @Test("a wall clock set back after the send waits one settle time from now, not until the clock catches up")
    func settleAfterClockSetBack() {
        let sent = Self.t0
        let now = sent - 86_400  // a kiosk without a clock battery, booted a day behind
        let decision = policy.afterCheck(.absent, checks: 0, attempts: 1, committed: false, send: .init(sentAt: sent), now: now, roll: 0)
        #expect(decision == .settle(until: now + 120, checkAfter: .seconds(1)), "the send seems to be in the future: read again soon")
    }

    @Test("which outcomes leave a send that may still take effect: no answer, a gateway's 502 or 504, a status the API never sends")
    func mayStillTakeEffect() {
        #expect(UpstreamUncertainty(.noAnswer(.readTimeout)).mayStillTakeEffect)
        #expect(UpstreamUncertainty(.noAnswer(.connectionReset)).mayStillTakeEffect)
        #expect(UpstreamUncertainty(.serverError(status: 504)).mayStillTakeEffect)
        #expect(UpstreamUncertainty(.serverError(status: 502)).mayStillTakeEffect)
        #expect(UpstreamUncertainty(.unexpectedStatus(302)).mayStillTakeEffect)
        #expect(!UpstreamUncertainty(.serverError(status: 500)).mayStillTakeEffect)
        #expect(!UpstreamUncertainty(.serverError(status: 503)).mayStillTakeEffect)
        #expect(!UpstreamUncertainty(.notAnEnvelope(status: 200)).mayStillTakeEffect)
    }

    @Test("the pacer lets a burst through, then spaces requests at the configured rate")
    func pacer() {
        let start = ContinuousClock.now
        var pacer = DrainPacer(requestsPerSecond: 10, burst: 3, now: start)
        #expect((0..<3).map { _ in pacer.reserve(now: start) } == [start, start, start])
        func near(_ instant: ContinuousClock.Instant, _ expected: ContinuousClock.Instant) -> Bool {
            abs((instant - expected) / .microseconds(1)) < 1
        }
        #expect(near(pacer.reserve(now: start), start + .milliseconds(100)))
        #expect(near(pacer.reserve(now: start), start + .milliseconds(200)))
        // After a quiet second the bucket is full again.
        let later = start + .seconds(2)
        #expect(pacer.reserve(now: later) == later)
    }
}
