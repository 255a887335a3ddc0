import Foundation
import UpstreamClient

/// The outbox's rules as a value: what becomes of an entry after each send and each read-back
/// check, backoff with jitter, and the pacing of a drain. Tested without sockets or clocks; the
/// ``Replayer`` carries its decisions out.
public struct OutboxPolicy: Sendable, Hashable {
    /// Sends before an entry is parked.
    public var maximumAttempts = 8
    /// Read-back checks that could not decide before an entry is parked: with
    /// ``checkBackoffCap``, about 20 minutes of reads failing.
    public var maximumChecks = 30
    /// The first backoff; each later one doubles, up to ``backoffCap``.
    public var backoffBase: Duration = .seconds(1)
    public var backoffCap: Duration = .seconds(300)
    /// The longest wait between two read-back checks of one entry (never above ``backoffCap``).
    /// Lower than a send's: a check only reads, and an `unknown` entry holds back every later
    /// entry of its chains (a busy dialog's queued messages), so a check that failed is tried
    /// again within a minute instead of five.
    public var checkBackoffCap: Duration = .seconds(60)
    /// Requests per second while draining (sends and read-backs), and the burst allowed.
    public var requestsPerSecond: Double = 5
    public var burst = 5
    /// The longest random wait before a drain after the link came back, so that kiosks that
    /// lost the same link do not all send at the same instant.
    /// Short: the link's return is noticed within a probe interval, and a clinic waits for its
    /// queued work (issue #21: the first entry applied within 2 s of the link's return).
    public var reconnectJitter: Duration = .milliseconds(500)
    /// Entries worked on at once (never two of the same chain).
    public var concurrency = 4
    /// How long a request that got no answer may still take effect upstream, from the moment it
    /// left: a slow handler, a proxy's queue, a wait on a lock. A read-back that does not find
    /// the effect sooner proves nothing, so the entry is read again but not resent before then.
    /// The default is above what servers of this kind allow a request (PHP's
    /// `max_execution_time` of 30 s, nginx's `proxy_read_timeout` of 60 s). The guarantee rests on
    /// it: docs/outbox.md, "The settle time".
    public var settleTime: Duration = .seconds(120)
    /// The longest wait between two reads of an entry waiting out its settle time. The wait is
    /// half the time since the send, at least a second: a send that lands late most often lands
    /// soon after the agent gave up on it, and is then confirmed within seconds, while an entry
    /// that waits long costs a read every `settleCheckInterval` at most.
    public var settleCheckInterval: Duration = .seconds(15)

    public init() {}

    /// What to do with an entry next.
    public enum Decision: Sendable, Hashable {
        /// The server applied it: confirm (read the fresh records), then mark applied.
        case confirm
        /// The server refused it for good.
        case reject(errorCode: Int?, message: String)
        /// Send again, not before `after`.
        case resend(after: Duration, error: String?)
        /// Read the server before anything else, not before `after`.
        case check(after: Duration, error: String)
        /// Not found, but the last send may still take effect upstream: read again after
        /// `checkAfter`, and send again no sooner than `until`.
        case settle(until: Date, checkAfter: Duration)
        /// Give up for now: an operator may retry or discard it.
        case park(error: String)
        /// The session is not valid: nothing is sent until a login succeeds.
        case pauseForLogin
    }

    /// After a send that ended in `outcome`, the entry having been sent `attempts` times.
    public func afterSend<Payload>(_ outcome: UpstreamOutcome<Payload>, attempts: Int, roll: Double) -> Decision {
        switch outcome {
        case .applied: return .confirm
        case .rejected(let rejection): return .reject(errorCode: rejection.errorCode, message: rejection.message ?? "\(rejection)")
        case .retryable(let retry):
            guard attempts < maximumAttempts else { return .park(error: "gave up after \(attempts) attempts: \(retry)") }
            let wait = backoff(attempt: attempts, roll: roll)
            return .resend(after: max(wait, retry.after ?? .zero), error: "\(retry)")
        case .unknown(let reason):
            // The wait before the read-back grows with the attempts, as for retryable outcomes:
            // a server answering 5xx again and again is met with exponential backoff, not with
            // a send and a read every first-step backoff.
            return .check(after: backoff(attempt: attempts, roll: roll), error: "\(reason)")
        case .authExpired:
            return .pauseForLogin
        }
    }

    /// After a read-back check of an entry checked `checks` times before; `committed` when
    /// the server is known to have applied it. `send` is when its last request left and when a
    /// previous check set its settle time, if it did; `now` is when this check's reads began.
    public func afterCheck(
        _ readBack: ReadBack, checks: Int, attempts: Int, committed: Bool, send: SendTimes = SendTimes(), now: Date, roll: Double
    ) -> Decision {
        switch readBack {
        case .present: return .confirm
        case .absent, .uncheckable:
            if committed { return .confirm }
            if case .absent = readBack, let until = settlesAt(send, now: now), now < until {
                let sinceSend = send.sentAt.map { now.timeIntervalSince($0) } ?? 0
                let wait = min(max(.seconds(sinceSend / 2), min(.seconds(1), settleCheckInterval)), settleCheckInterval)
                return .settle(until: until, checkAfter: min(.seconds(until.timeIntervalSince(now)), wait))
            }
            guard attempts < maximumAttempts else { return .park(error: "not applied after \(attempts) attempts") }
            return .resend(after: .zero, error: nil)
        case .undecided(let reason):
            guard checks + 1 < maximumChecks else { return .park(error: "could not confirm after \(checks + 1) checks: \(reason)") }
            return .check(after: backoff(attempt: checks + 1, roll: roll, cap: min(checkBackoffCap, backoffCap)), error: reason)
        case .authExpired:
            return .pauseForLogin
        }
    }

    /// When an entry's last send and its settle time stand, as stored.
    public struct SendTimes: Sendable, Hashable {
        /// When the last request left; nil if it never did.
        public var sentAt: Date?
        /// Whether the server's own answer showed it was done with that request (a 500, say):
        /// then an empty read-back is a confirmed absence at once.
        public var answered: Bool
        /// The settle time an earlier check set, if one did.
        public var settlesAt: Date?

        public init(sentAt: Date? = nil, answered: Bool = false, settlesAt: Date? = nil) {
            self.sentAt = sentAt
            self.answered = answered
            self.settlesAt = settlesAt
        }
    }

    /// When an entry that a read-back did not find may be sent again: ``settleTime`` after its
    /// last send, or what an earlier check set. A wall clock set back (a kiosk without a clock
    /// battery, before NTP) never makes the wait longer than one settle time from `now`.
    public func settlesAt(_ send: SendTimes, now: Date) -> Date? {
        if let settlesAt = send.settlesAt { return settlesAt }
        guard let sentAt = send.sentAt, !send.answered, settleTime > .zero else { return nil }
        let seconds = Double(settleTime.components.seconds) + Double(settleTime.components.attoseconds) / 1e18
        return min(sentAt.addingTimeInterval(seconds), now.addingTimeInterval(seconds))
    }

    /// Exponential backoff with jitter: `base × 2^(attempt-1)`, capped (at ``backoffCap`` unless
    /// told otherwise), then scaled by a random factor in [0.5, 1) (`roll` in [0, 1)) so that
    /// entries and kiosks spread out.
    public func backoff(attempt: Int, roll: Double, cap: Duration? = nil) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        let raw = backoffBase * (1 << exponent)
        let capped = min(raw, cap ?? backoffCap)
        return capped * (0.5 + 0.5 * min(max(roll, 0), 0.999_999))
    }
}
