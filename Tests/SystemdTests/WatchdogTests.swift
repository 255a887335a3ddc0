import Glibc
import Logging
import Testing

@testable import Systemd

/// The watchdog: reading WATCHDOG_USEC/WATCHDOG_PID, and the decision to ping as a value.
@Suite("Watchdog settings and schedule")
struct WatchdogTests {
    let start = SuspendingClock.now
    let me = getpid()

    @Test("WATCHDOG_USEC gives the timeout; the interval is half of it")
    func settings() throws {
        let settings = try #require(try WatchdogSettings.from(environment: ["WATCHDOG_USEC": "30000000"], pid: me))
        #expect(settings.timeout == .seconds(30) && settings.interval == .seconds(15))
        let odd = try #require(try WatchdogSettings.from(environment: ["WATCHDOG_USEC": "3"], pid: me))
        #expect(odd.interval == .nanoseconds(1500))
    }

    @Test("WATCHDOG_PID: honoured when it is this process, ignored (no watchdog) when it is another")
    func pid() throws {
        let mine = ["WATCHDOG_USEC": "20000000", "WATCHDOG_PID": "\(me)"]
        #expect(try WatchdogSettings.from(environment: mine, pid: me) == WatchdogSettings(timeout: .seconds(20)))
        let other = ["WATCHDOG_USEC": "20000000", "WATCHDOG_PID": "\(me + 1)"]
        #expect(try WatchdogSettings.from(environment: other, pid: me) == nil)
        #expect(try WatchdogSettings.from(environment: [:], pid: me) == nil)
        #expect(try WatchdogSettings.from(environment: ["WATCHDOG_PID": "\(me)"], pid: me) == nil)
    }

    @Test(
        "malformed variables are errors that say which",
        arguments: [
            (["WATCHDOG_USEC": "abc"], WatchdogSettings.Failure.invalidTimeout("abc")),
            (["WATCHDOG_USEC": "0"], .invalidTimeout("0")),
            (["WATCHDOG_USEC": "-5"], .invalidTimeout("-5")),
            (["WATCHDOG_USEC": "18446744073709551615"], .invalidTimeout("18446744073709551615")),
            (["WATCHDOG_USEC": "30s"], .invalidTimeout("30s")),
            (["WATCHDOG_USEC": "1000", "WATCHDOG_PID": "x"], .invalidPID("x")),
            (["WATCHDOG_USEC": "1000", "WATCHDOG_PID": "0"], .invalidPID("0")),
        ])
    func malformed(environment: [String: String], error: WatchdogSettings.Failure) {
        #expect(throws: error) { try WatchdogSettings.from(environment: environment, pid: me) }
    }

    @Test("a ping only once the interval has passed and every loop has reported since the last one")
    func allLoopsAlive() {
        var schedule = WatchdogSchedule(interval: .seconds(15), loops: ["sync", "socket"], start: start)
        #expect(schedule.next(now: start) == .wait(until: start + .seconds(15)))
        schedule.alive("sync")
        schedule.alive("socket")
        #expect(schedule.next(now: start + .seconds(14)) == .wait(until: start + .seconds(15)), "never early")
        #expect(schedule.next(now: start + .seconds(15)) == .ping)
        #expect(schedule.lastPing == start + .seconds(15))
        // The reports were used up by that ping.
        #expect(schedule.next(now: start + .seconds(30)) == .withheld(missing: ["socket", "sync"], overdueSince: start + .seconds(30)))
        schedule.alive("socket")
        schedule.alive("socket")
        #expect(schedule.next(now: start + .seconds(31)) == .withheld(missing: ["sync"], overdueSince: start + .seconds(30)))
    }

    @Test("a wedged loop stops the pings for good; a late one releases the ping at once")
    func wedgedAndLateLoops() {
        var schedule = WatchdogSchedule(interval: .seconds(15), loops: ["sync", "socket"], start: start)
        var pings = 0
        // The socket loop keeps reporting, the sync loop never does: no ping, ever.
        for second in stride(from: 1, through: 120, by: 1) {
            schedule.alive("socket")
            if schedule.next(now: start + .seconds(second)) == .ping { pings += 1 }
        }
        #expect(pings == 0)
        #expect(schedule.missing == ["sync"])
        // It comes back (it was slow, not dead): the overdue ping goes out now, not 15 s later.
        schedule.alive("sync")
        #expect(schedule.next(now: start + .seconds(121)) == .ping)
        #expect(schedule.next(now: start + .seconds(122)) == .wait(until: start + .seconds(136)))
    }

    @Test("registration: a new loop counts once it reports; an ended loop no longer holds pings back")
    func registration() {
        var schedule = WatchdogSchedule(interval: .seconds(10), loops: ["sync"], start: start)
        schedule.alive("sync")
        schedule.register("socket")
        #expect(schedule.next(now: start + .seconds(10)) == .withheld(missing: ["socket"], overdueSince: start + .seconds(10)))
        schedule.alive("unknown-loop")
        #expect(schedule.missing == ["socket"], "reports of unregistered loops are ignored")
        schedule.unregister("socket")
        #expect(schedule.next(now: start + .seconds(11)) == .ping)
        #expect(schedule.loops == ["sync"])
    }

    @Test("with no loops registered, pings go by time alone")
    func timeAlone() {
        var schedule = WatchdogSchedule(interval: .seconds(5), loops: [], start: start)
        #expect(schedule.next(now: start + .seconds(4)) == .wait(until: start + .seconds(5)))
        #expect(schedule.next(now: start + .seconds(5)) == .ping)
        #expect(schedule.next(now: start + .seconds(5)) == .wait(until: start + .seconds(10)), "one ping per interval")
        #expect(schedule.next(now: start + .seconds(12)) == .ping)
        #expect(schedule.next(now: start + .seconds(12)) == .wait(until: start + .seconds(17)))
    }
}

/// The watchdog runner against a real notify socket: it pings while loops report, withholds
/// (and says so) while one does not, and pings at once when it comes back.
@Suite("Watchdog runner")
struct SystemdWatchdogTests {
    @Test("pings through the notifier while the loops report", .timeLimit(.minutes(1)))
    func pings() async throws {
        let receiver = try NotifyReceiver()
        let watchdog = SystemdWatchdog(
            settings: WatchdogSettings(timeout: .milliseconds(20)), loops: ["sync"],
            notifier: SystemdNotifier(socket: receiver.name), logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let running = Task { await watchdog.run() }
        for _ in 1...3 {
            watchdog.alive("sync")
            #expect(await receiver.next() == "WATCHDOG=1\n")
        }
        running.cancel()
        await running.value  // run() returns on cancellation
    }

    @Test("with no loops registered, run() pings on its own", .timeLimit(.minutes(1)))
    func pingsByTime() async throws {
        let receiver = try NotifyReceiver()
        let watchdog = SystemdWatchdog(
            settings: WatchdogSettings(timeout: .milliseconds(20)), loops: [],
            notifier: SystemdNotifier(socket: receiver.name), logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let running = Task { await watchdog.run() }
        #expect(await receiver.next() == "WATCHDOG=1\n")
        #expect(await receiver.next() == "WATCHDOG=1\n")
        running.cancel()
        await running.value
    }

    @Test("withholds while a loop is silent, logs it once, and pings as soon as it reports", .timeLimit(.minutes(1)))
    func withholds() async throws {
        let receiver = try NotifyReceiver()
        let capture = LogCapture()
        let watchdog = SystemdWatchdog(
            settings: WatchdogSettings(timeout: .milliseconds(2)), loops: ["sync", "socket"],
            notifier: SystemdNotifier(socket: receiver.name), logger: capture.logger())
        watchdog.alive("sync")
        let running = Task { await watchdog.run() }
        // The runner's own word that it withheld the ping is the synchronisation: no sleeping.
        let warning = try #require(await capture.first(containing: "withheld"))
        #expect(warning.contains("warning") && warning.contains("socket has not reported"))
        #expect(receiver.pending() == nil, "no ping while the socket loop is silent")
        // However often run() wakes meanwhile, the episode is logged once (no ping can have
        // started a second one: the socket loop has not reported).
        #expect(capture.lines.filter { $0.contains("withheld") }.count == 1)

        watchdog.alive("socket")  // the overdue ping leaves from this very call
        #expect(receiver.pending() == "WATCHDOG=1\n")
        #expect(await capture.first(containing: "resume") != nil)
        running.cancel()
        await running.value
    }
}
