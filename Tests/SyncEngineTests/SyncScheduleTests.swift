import Testing

@testable import SyncEngine

/// The sync loop's decisions as a value: no sockets, no real clock.
@Suite("Sync schedule")
struct SyncScheduleTests {
    let start = ContinuousClock.now
    let configuration = SyncSchedule.Configuration(
        intervals: [.hot: .seconds(60), .warm: .seconds(300), .cold: .seconds(3600)],
        backoffBase: .seconds(2), backoffCap: .seconds(60), jitter: 0.2)

    @Test("a full pull at start, then each tier on its own interval, one pull at a time")
    func intervals() {
        var schedule = SyncSchedule(configuration: configuration, start: start)
        #expect(schedule.next(now: start) == .pull([.hot, .warm, .cold]))
        #expect(schedule.next(now: start) == .idle, "one pull at a time")
        schedule.finished(reachedUpstream: true, authExpired: false, now: start, jitterRoll: 0.5)
        #expect(schedule.connectivity == .online)
        #expect(schedule.next(now: start + .seconds(1)) == .wait(until: start + .seconds(60)))
        #expect(schedule.next(now: start + .seconds(60)) == .pull([.hot]))
        schedule.finished(reachedUpstream: true, authExpired: false, now: start + .seconds(61), jitterRoll: 0.5)
        #expect(schedule.next(now: start + .seconds(121)) == .pull([.hot]))
        schedule.finished(reachedUpstream: true, authExpired: false, now: start + .seconds(121), jitterRoll: 0.5)
        // The hot tier (due at 181 s) comes along with the warm one.
        #expect(schedule.next(now: start + .seconds(300)) == .pull([.hot, .warm]))
    }

    @Test("a request pulls at once, even while backing off")
    func onDemand() {
        var schedule = SyncSchedule(configuration: configuration, start: start)
        _ = schedule.next(now: start)
        schedule.finished(reachedUpstream: false, authExpired: false, now: start, jitterRoll: 0.5)
        #expect(schedule.next(now: start + .seconds(1)) == .wait(until: start + .seconds(2)))
        schedule.request([.hot])
        #expect(schedule.next(now: start + .seconds(1)) == .pull([.hot, .warm, .cold]), "the failed tiers are still due too")
    }

    @Test("unreachable: exponential backoff with jitter, capped, reset by success")
    func backoff() {
        var schedule = SyncSchedule(configuration: configuration, start: start)
        var now = start
        var waits: [Duration] = []
        for _ in 1...7 {
            guard case .pull = schedule.next(now: now) else {
                Issue.record("expected a pull")
                return
            }
            schedule.finished(reachedUpstream: false, authExpired: false, now: now, jitterRoll: 0.5)
            guard case .wait(let until) = schedule.next(now: now) else {
                Issue.record("expected a wait")
                return
            }
            waits.append(until - now)
            now = until
        }
        #expect(waits == [2, 4, 8, 16, 32, 60, 60].map { Duration.seconds($0) })
        #expect(schedule.connectivity == .offline && schedule.failures == 7)
        // Jitter spreads a wait over ±20 %.
        let shortest = schedule.backoff(after: 3, roll: 0)
        #expect(abs((shortest - .seconds(6.4)) / .milliseconds(1)) < 1)
        #expect(schedule.backoff(after: 3, roll: 0.999_999) > .seconds(9.59))
        _ = schedule.next(now: now)
        schedule.finished(reachedUpstream: true, authExpired: false, now: now, jitterRoll: 0.5)
        #expect(schedule.failures == 0 && schedule.connectivity == .online)
        #expect(schedule.next(now: now) == .wait(until: now + .seconds(60)))
    }

    @Test("an expired token stops pulling until a new login, which pulls everything")
    func expiredToken() {
        var schedule = SyncSchedule(configuration: configuration, start: start)
        _ = schedule.next(now: start)
        schedule.finished(reachedUpstream: true, authExpired: true, now: start, jitterRoll: 0.5)
        #expect(schedule.authExpired && schedule.next(now: start + .seconds(3600)) == .idle)
        schedule.request()
        #expect(schedule.next(now: start + .seconds(3600)) == .idle, "requests wait for a login")
        schedule.loggedIn(now: start + .seconds(4000))
        #expect(schedule.next(now: start + .seconds(4000)) == .pull([.hot, .warm, .cold]))
    }
}
