/// When to pull what: the decision of the sync loop as a plain value, so that it is tested
/// without sockets or clocks (in the manner of AsyncHTTPClient's connection pool state machine).
///
/// A full pull at start; then each tier on its own interval, stretched while its pulls find
/// nothing new and spread by jitter; a pull on demand at once; one pull at a time, the cold tier
/// after the others; while the upstream is unreachable, exponential backoff with jitter on the
/// monotonic clock, cut short when the link is known to be back; while the token is expired,
/// nothing until a new login.
public struct SyncSchedule: Sendable {
    public struct Configuration: Sendable {
        public var intervals: [PullTier: Duration]
        public var backoffBase: Duration
        public var backoffCap: Duration
        /// Backoff waits are spread over ±`jitter` of their length, so a fleet of kiosks that
        /// lost the link together does not come back together.
        public var jitter: Double
        /// How far each tier's interval grows while its pulls find nothing new, as a multiple of
        /// its interval: each pull that changed nothing doubles the wait, up to this; a pull that
        /// changed something brings it back to the interval. A tier not named, or 1, keeps its
        /// interval fixed. (An idle kiosk pays for every re-read on a metered link:
        /// docs/performance.md, "The link".)
        public var idleStretch: [PullTier: Double]
        /// Due times are spread over ±`intervalJitter` of their wait, so kiosks started together
        /// do not pull together for ever after.
        public var intervalJitter: Double

        public init(
            intervals: [PullTier: Duration] = Self.defaultIntervals,
            backoffBase: Duration = .seconds(2), backoffCap: Duration = .seconds(300), jitter: Double = 0.2,
            idleStretch: [PullTier: Double] = Self.defaultIdleStretch, intervalJitter: Double = 0.1
        ) {
            self.intervals = intervals
            self.backoffBase = backoffBase
            self.backoffCap = backoffCap
            self.jitter = jitter
            self.idleStretch = idleStretch
            self.intervalJitter = min(max(0, intervalJitter), 0.5)
        }

        public static let defaultIntervals: [PullTier: Duration] = [.hot: .seconds(60), .warm: .seconds(300), .cold: .seconds(86_400)]
        /// Chat and the waiting lists at most 4 minutes old while nothing happens; the open lists
        /// and people 40 minutes (a booking at a clinic that filled meanwhile is refused by the
        /// server and shown so); reference data every 4 days.
        public static let defaultIdleStretch: [PullTier: Double] = [.hot: 4, .warm: 8, .cold: 4]
        /// The shortest intervals on a metered link (`VDSYNC_METERED`): what a clinic works from
        /// every 5 minutes, the rest every 30 minutes and once a week.
        public static let meteredIntervals: [PullTier: Duration] = [.hot: .seconds(300), .warm: .seconds(1800), .cold: .seconds(604_800)]

        /// The tier's interval, configured or the default.
        public func interval(_ tier: PullTier) -> Duration {
            intervals[tier] ?? Self.defaultIntervals[tier] ?? .seconds(300)
        }

        /// How many times each tier is pulled over `span` when nothing ever changes upstream:
        /// the schedule's own decisions played out on a simulated clock, with jitter at its
        /// middle. (What an idle kiosk costs a day: bench/, "link".)
        public func idlePulls(over span: Duration) -> [PullTier: Int] {
            let start = ContinuousClock.now
            var schedule = SyncSchedule(configuration: self, start: start)
            var pulls: [PullTier: Int] = [:]
            var now = start
            while now < start + span {
                switch schedule.next(now: now) {
                case .pull(let tiers):
                    for tier in tiers { pulls[tier, default: 0] += 1 }
                    schedule.finished(reachedUpstream: true, authExpired: false, changed: [], now: now, jitterRoll: 0.5)
                case .wait(let until):
                    now = until
                case .idle:
                    return pulls
                }
            }
            return pulls
        }
    }

    /// What the loop should do now.
    public enum Action: Sendable, Equatable {
        /// Pull these tiers.
        case pull(Set<PullTier>)
        /// Nothing is due before this instant (or a request for a pull).
        case wait(until: ContinuousClock.Instant)
        /// Nothing to do until something changes: a pull is running, or the token expired.
        case idle
    }

    /// What the upstream looks like from here, from real outcomes.
    public enum Connectivity: Sendable, Equatable {
        case unknown, online, offline
    }

    public let configuration: Configuration
    public private(set) var connectivity = Connectivity.unknown
    public private(set) var authExpired = false
    /// Consecutive pulls that reached nobody.
    public private(set) var failures = 0
    /// Consecutive pulls that reached the upstream but left requests unanswered (a link that
    /// dropped or returned while they ran).
    public private(set) var partialFailures = 0
    private var due: [PullTier: ContinuousClock.Instant] = [:]
    private var pulling: Set<PullTier>?
    private var backoffUntil: ContinuousClock.Instant?
    private var requested = Set<PullTier>()
    /// Each tier's current wait between pulls: its interval, stretched while nothing changes.
    private var waits: [PullTier: Duration] = [:]

    /// Everything is due at `start`: the full pull at start.
    public init(configuration: Configuration = Configuration(), start: ContinuousClock.Instant) {
        self.configuration = configuration
        for tier in PullTier.allCases { due[tier] = start }
    }

    public mutating func next(now: ContinuousClock.Instant) -> Action {
        if authExpired || pulling != nil { return .idle }
        if let backoffUntil, now < backoffUntil { return .wait(until: backoffUntil) }
        var ready = Set(PullTier.allCases.filter { (due[$0].map { $0 <= now } ?? true) || requested.contains($0) })
        // Reference data waits for what a clinic works from: after an outage, when every tier
        // is due at once, the cold tier is pulled only after the others are fresh.
        if ready.contains(.cold), ready.count > 1 { ready.remove(.cold) }
        // After an outage the hot tier goes alone, so that chat, messages and the waiting lists
        // are fresh (and say so in `status.last_pulls`) before the open lists are walked.
        if failures > 0, ready.contains(.hot) { ready = [.hot] }
        if !ready.isEmpty {
            pulling = ready
            requested.subtract(ready)
            return .pull(ready)
        }
        guard let soonest = due.values.min() else { return .idle }
        return .wait(until: soonest)
    }

    /// A pull of these tiers, or all, is wanted now (`sync.now`).
    public mutating func request(_ tiers: Set<PullTier> = Set(PullTier.allCases)) {
        requested.formUnion(tiers)
        backoffUntil = nil
    }

    /// The link is known to be back after an outage (a probe reached the upstream): the
    /// backoff ends, and the hot tier is pulled at once (what came in meanwhile), whether or not
    /// a pull of this schedule met the outage.
    public mutating func linkRestored() {
        backoffUntil = nil
        requested.insert(.hot)
    }

    /// The pull that ``next(now:)`` started has finished; `changed` holds the tiers whose pulls
    /// changed the mirror; `unanswered` says some of its requests got no answer although others
    /// did (its failed lists are then pulled again after a backoff, not a whole interval later).
    /// `jitterRoll` is a number in 0..<1.
    public mutating func finished(
        reachedUpstream: Bool, authExpired expired: Bool, changed: Set<PullTier> = Set(PullTier.allCases), unanswered: Bool = false,
        now: ContinuousClock.Instant, jitterRoll: Double
    ) {
        let tiers = pulling ?? []
        pulling = nil
        if expired {
            authExpired = true
            connectivity = .online
            failures = 0
            return
        }
        guard reachedUpstream else {
            connectivity = .offline
            failures += 1
            backoffUntil = now + backoff(after: failures, roll: jitterRoll)
            requested.formUnion(tiers)
            return
        }
        connectivity = .online
        failures = 0
        backoffUntil = nil
        partialFailures = unanswered ? partialFailures + 1 : 0
        for tier in tiers {
            let interval = configuration.interval(tier)
            let longest = interval * max(1, configuration.idleStretch[tier] ?? 1)
            let wait = changed.contains(tier) ? interval : max(min((waits[tier] ?? interval) * 2, longest), interval)
            waits[tier] = wait
            var next = now + wait * (1 + configuration.intervalJitter * (2 * jitterRoll - 1))
            if partialFailures > 0 { next = min(next, now + backoff(after: partialFailures, roll: jitterRoll)) }
            due[tier] = next
        }
    }

    /// The tier's current wait between pulls (its interval while its pulls find changes).
    public func wait(for tier: PullTier) -> Duration {
        waits[tier] ?? configuration.interval(tier)
    }

    /// A new login: pulling resumes at once, in full.
    public mutating func loggedIn(now: ContinuousClock.Instant) {
        authExpired = false
        waits = [:]
        for tier in PullTier.allCases { due[tier] = now }
    }

    /// base × 2^(failures−1), capped, spread by ±jitter.
    func backoff(after failures: Int, roll: Double) -> Duration {
        let exponent = min(failures - 1, 30)
        let base = min(configuration.backoffBase * (1 << exponent), configuration.backoffCap)
        return base * (1 + configuration.jitter * (2 * roll - 1))
    }
}
