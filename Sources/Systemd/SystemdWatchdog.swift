import Logging
import Synchronization

/// Carries out a ``WatchdogSchedule``: pings systemd through a ``SystemdNotifier`` while every
/// registered loop keeps reporting, and logs when and why it stops pinging.
///
/// Loops report with ``alive(_:)``, a synchronous call that never waits, so a SwiftNIO event
/// loop or a plain thread can report as easily as a task. ``run()`` is the timer; the ping that
/// was withheld for a late loop goes out from that loop's own ``alive(_:)`` call, at once.
///
/// Guarantees: at most one ping per decision of the schedule (decisions are taken under one
/// lock, pings are sent outside it); ``run()`` returns when its task is cancelled and never
/// throws; a failed ping is logged by the notifier and changes nothing else.
public final class SystemdWatchdog: Sendable {
    private struct State {
        var schedule: WatchdogSchedule
        /// Whether the current withholding episode was logged already: once per episode is
        /// enough to find the culprit, and a wedged loop must not also flood the journal.
        var warned = false
    }

    private let state: Mutex<State>
    private let notifier: SystemdNotifier
    private let logger: Logger
    private let clock = SuspendingClock()

    /// A watchdog that pings every `settings.interval` while each of `loops` reports.
    public init(settings: WatchdogSettings, loops: [String], notifier: SystemdNotifier, logger: Logger) {
        self.state = Mutex(State(schedule: WatchdogSchedule(interval: settings.interval, loops: loops, start: clock.now)))
        self.notifier = notifier
        self.logger = logger
    }

    /// A sign of life from `loop`; sends the ping at once if it was only waiting for this report.
    public func alive(_ loop: String) {
        if decide({ $0.alive(loop) }) == .ping { send() }
    }

    /// Adds a loop whose reports every later ping needs.
    public func register(_ loop: String) {
        state.withLock { $0.schedule.register(loop) }
    }

    /// Removes a loop that ended on purpose, so its silence does not stop the pings.
    public func unregister(_ loop: String) {
        if decide({ $0.unregister(loop) }) == .ping { send() }
    }

    /// Pings on schedule until the calling task is cancelled.
    public func run() async {
        while !Task.isCancelled {
            let wakeUp: SuspendingClock.Instant
            switch decide({ _ in }) {
            case .ping:
                send()
                continue
            case .wait(let until):
                wakeUp = until
            case .withheld:
                // The ping resumes from alive(), at once; this wake-up only keeps the loop going.
                wakeUp = clock.now + interval
            }
            do {
                try await clock.sleep(until: wakeUp)
            } catch {
                return  // cancelled
            }
        }
    }

    private var interval: Duration { state.withLock { $0.schedule.interval } }

    /// Applies `change` and takes the schedule's decision, both under the lock; logs the first
    /// withholding of an episode and the recovery after it.
    private func decide(_ change: (inout WatchdogSchedule) -> Void) -> WatchdogSchedule.Decision {
        let now = clock.now
        let (decision, message) = state.withLock { state -> (WatchdogSchedule.Decision, Logger.Message?) in
            change(&state.schedule)
            let decision = state.schedule.next(now: now)
            switch decision {
            case .ping where state.warned:
                state.warned = false
                return (decision, "watchdog pings resume: every loop reported")
            case .withheld(let missing, _) where !state.warned:
                state.warned = true
                return (
                    decision,
                    "watchdog ping withheld: \(missing.joined(separator: ", ")) has not reported; systemd restarts the daemon if this lasts"
                )
            default:
                return (decision, nil)
            }
        }
        if let message {
            logger.log(level: decision == .ping ? .notice : .warning, message)
        }
        return decision
    }

    private func send() {
        notifier.watchdog()
    }
}
