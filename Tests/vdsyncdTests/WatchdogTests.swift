import Foundation
import Glibc
import Testing

/// `WATCHDOG=1` at half of `WATCHDOG_USEC` while the sync and socket loops are alive.
@Suite("vdsyncd process: watchdog", .tags(.process), .timeLimit(.minutes(1)))
struct WatchdogProcessTests {
    @Test("with WATCHDOG_USEC=2000000, WATCHDOG=1 pings arrive about every second")
    func cadence() async throws {
        try await DaemonWorld.with { world in
            // WATCHDOG_PID stays unset: the child's pid is not known before it is spawned, and
            // an unset WATCHDOG_PID means the watchdog is this process's.
            let daemon = try world.start(environment: ["WATCHDOG_USEC": "2000000"])
            defer { daemon.kill() }
            let ready = try await world.ready(daemon)
            var pings: [ContinuousClock.Instant] = []
            var from = ready.index
            while pings.count < 4, let ping = await world.notify.first("WATCHDOG", from: from, timeout: .seconds(10)) {
                pings.append(ping.message.receivedAt)
                from = ping.index + 1
            }
            let gaps = zip(pings.dropFirst(), pings).map { later, earlier in later - earlier }
            // Reported, not a benchmark: the interval is 1 s; the margins allow a loaded machine.
            print("vdsyncd watchdog: \(pings.count) pings, gaps \(gaps.map { $0.formatted(.units(allowed: [.milliseconds])) })")
            #expect(pings.count >= 3, "too few pings: \(world.notify.messages)")
            for gap in gaps {
                #expect(gap >= .milliseconds(300) && gap <= .milliseconds(1800), "ping gap \(gap)")
            }
        }
    }
}
