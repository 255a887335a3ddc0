/// When to pull what: the decision of the sync loop as a plain value, so that it is tested
/// without sockets or clocks (in the manner of AsyncHTTPClient's connection pool state machine).
///
/// A full pull at start; then each tier on its own interval; a pull on demand at once; one pull
/// at a time; while the upstream is unreachable, exponential backoff with jitter on the
/// monotonic clock; while the token is expired, nothing until a new login.
public struct SyncSchedule: Sendable {
    public struct Configuration: Sendable {
        public var intervals: [PullTier: Duration]
        public var backoffBase: Duration
        public var backoffCap: Duration
        /// Backoff waits are spread over ±`jitter` of their length, so a fleet of kiosks that
        /// lost the link together does not come back together.
        public var jitter: Double

        public init(
            intervals: [PullTier: Duration] = [.hot: .seconds(60), .warm: .seconds(300), .cold: .seconds(86_400)],
            backoffBase: Duration = .seconds(2), backoffCap: Duration = .seconds(300), jitter: Double = 0.2
        ) {
            self.intervals = intervals
            self.backoffBase = backoffBase
            self.backoffCap = backoffCap
            self.jitter = jitter
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
    private var due: [PullTier: ContinuousClock.Instant] = [:]
    private var pulling: Set<PullTier>?
    private var backoffUntil: ContinuousClock.Instant?
    private var requested = Set<PullTier>()

    /// Everything is due at `start`: the full pull at start.
    public init(configuration: Configuration = Configuration(), start: ContinuousClock.Instant) {
        self.configuration = configuration
        for tier in PullTier.allCases { due[tier] = start }
    }

    public mutating func next(now: ContinuousClock.Instant) -> Action {
        if authExpired || pulling != nil { return .idle }
        if let backoffUntil, now < backoffUntil { return .wait(until: backoffUntil) }
        let ready = Set(PullTier.allCases.filter { (due[$0].map { $0 <= now } ?? true) || requested.contains($0) })
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

    /// The pull that ``next(now:)`` started has finished. `jitterRoll` is a number in 0..<1.
    public mutating func finished(reachedUpstream: Bool, authExpired expired: Bool, now: ContinuousClock.Instant, jitterRoll: Double) {
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
        for tier in tiers {
            due[tier] = now + (configuration.intervals[tier] ?? .seconds(300))
        }
    }

    /// A new login: pulling resumes at once, in full.
    public mutating func loggedIn(now: ContinuousClock.Instant) {
        authExpired = false
        for tier in PullTier.allCases { due[tier] = now }
    }

    /// base × 2^(failures−1), capped, spread by ±jitter.
    func backoff(after failures: Int, roll: Double) -> Duration {
        let exponent = min(failures - 1, 30)
        let base = min(configuration.backoffBase * (1 << exponent), configuration.backoffCap)
        return base * (1 + configuration.jitter * (2 * roll - 1))
    }
}
