/// When to send the watchdog ping, decided from the liveness reports of the daemon's loops: a
/// value, tested without clocks.
///
/// A ping is a promise that the daemon is doing its work, not merely that a timer fires. So
/// each loop that matters (the sync loop, the socket's accept loop) registers a name and reports
/// ``alive(_:)`` as it goes round, and the ping is sent only when every registered loop has
/// reported since the last ping. A wedged loop stops the pings, and systemd restarts the daemon
/// after `WatchdogSec`.
///
/// Guarantees:
/// - No ping before ``interval`` has passed since the last one (or since the start): pings are
///   never more frequent than the interval.
/// - No ping unless every registered loop has reported since the last ping. A loop counts only
///   once it reports: being registered is not a sign of life.
/// - Once due, the ping goes out as soon as the last missing loop reports, not an interval
///   later: a loop that was merely slow does not cost a restart.
/// - With no loops registered, pings go by time alone.
///
/// Times are `SuspendingClock` instants, the `CLOCK_MONOTONIC` systemd measures the watchdog
/// with: while the machine sleeps, neither clock moves, so a resume is not a missed ping.
public struct WatchdogSchedule: Sendable {
    public typealias Instant = SuspendingClock.Instant

    /// What to do now.
    public enum Decision: Sendable, Equatable {
        /// Send `WATCHDOG=1` now. The schedule has recorded the ping.
        case ping
        /// Nothing is due before this instant.
        case wait(until: Instant)
        /// A ping is due since `overdueSince`, but these loops (sorted) have not reported yet.
        case withheld(missing: [String], overdueSince: Instant)
    }

    /// The time between pings: half of `WATCHDOG_USEC`.
    public let interval: Duration
    /// The loops whose reports every ping needs.
    public private(set) var loops: Set<String>
    /// When the last ping was sent, or when the schedule started.
    public private(set) var lastPing: Instant
    private var reported: Set<String> = []

    public init(interval: Duration, loops: some Sequence<String>, start: Instant) {
        self.interval = interval
        self.loops = Set(loops)
        self.lastPing = start
    }

    /// The registered loops that have not reported since the last ping, sorted.
    public var missing: [String] { loops.subtracting(reported).sorted() }

    /// Adds a loop whose reports every later ping needs.
    public mutating func register(_ loop: String) {
        loops.insert(loop)
    }

    /// Removes a loop that ended on purpose (shutdown), so its silence no longer stops the pings.
    public mutating func unregister(_ loop: String) {
        loops.remove(loop)
        reported.remove(loop)
    }

    /// Records a sign of life from `loop`. Reports from loops that are not registered are ignored.
    public mutating func alive(_ loop: String) {
        if loops.contains(loop) {
            reported.insert(loop)
        }
    }

    /// The decision at `now`. When it is ``Decision/ping``, the ping counts as sent at `now`
    /// and every loop must report again before the next one.
    public mutating func next(now: Instant) -> Decision {
        let due = lastPing + interval
        guard now >= due else { return .wait(until: due) }
        let missing = self.missing
        guard missing.isEmpty else { return .withheld(missing: missing, overdueSince: due) }
        lastPing = now
        reported.removeAll()
        return .ping
    }
}
