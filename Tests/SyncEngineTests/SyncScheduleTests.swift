import Testing

@testable import SyncEngine

/// The sync loop's decisions as a value: no sockets, no real clock.
@Suite("Sync schedule")
struct SyncScheduleTests {
    let start = ContinuousClock.now
    let configuration = SyncSchedule.Configuration(
        intervals: [.hot: .seconds(60), .warm: .seconds(300), .cold: .seconds(3600)],
        backoffBase: .seconds(2), backoffCap: .seconds(60), jitter: 0.2)

    @Test("a full pull at start, the cold tier after the others, then each tier on its own interval, one pull at a time")
    func intervals() {
        var schedule = SyncSchedule(configuration: configuration, start: start)
        #expect(schedule.next(now: start) == .pull([.hot, .warm]))
        #expect(schedule.next(now: start) == .idle, "one pull at a time")
        schedule.finished(reachedUpstream: true, authExpired: false, now: start, jitterRoll: 0.5)
        #expect(schedule.next(now: start) == .pull([.cold]), "reference data once the rest is fresh")
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
        #expect(schedule.next(now: start + .seconds(1)) == .pull([.hot]), "at once; after a failure the hot tier alone first")
        schedule.finished(reachedUpstream: true, authExpired: false, now: start + .seconds(1), jitterRoll: 0.5)
        #expect(schedule.next(now: start + .seconds(1)) == .pull([.warm]), "the failed tiers are still due, the cold one last")
        schedule.finished(reachedUpstream: true, authExpired: false, now: start + .seconds(1), jitterRoll: 0.5)
        #expect(schedule.next(now: start + .seconds(1)) == .pull([.cold]))
    }

    @Test("a tier whose pulls find nothing new waits twice as long each time, up to its stretch; a change brings it back")
    func idleStretch() {
        var slow = configuration
        slow.intervals = [.hot: .seconds(60), .warm: .seconds(86_400), .cold: .seconds(86_400)]
        var schedule = SyncSchedule(configuration: slow, start: start)
        var now = start
        // The full pull at start changes everything.
        _ = schedule.next(now: now)
        schedule.finished(reachedUpstream: true, authExpired: false, now: now, jitterRoll: 0.5)
        _ = schedule.next(now: now)
        schedule.finished(reachedUpstream: true, authExpired: false, now: now, jitterRoll: 0.5)
        var waits: [Duration] = []
        for _ in 1...4 {
            guard case .wait(let until) = schedule.next(now: now) else {
                Issue.record("expected a wait")
                return
            }
            waits.append(until - now)
            now = until
            #expect(schedule.next(now: now) == .pull([.hot]))
            schedule.finished(reachedUpstream: true, authExpired: false, changed: [], now: now, jitterRoll: 0.5)
        }
        #expect(waits == [60, 120, 240, 240].map { Duration.seconds($0) }, "doubling from 60 s, at most 4 × 60 s")
        #expect(schedule.wait(for: .hot) == .seconds(240))
        guard case .wait(let until) = schedule.next(now: now) else {
            Issue.record("expected a wait")
            return
        }
        now = until
        _ = schedule.next(now: now)
        schedule.finished(reachedUpstream: true, authExpired: false, changed: [.hot], now: now, jitterRoll: 0.5)
        #expect(schedule.wait(for: .hot) == .seconds(60), "a pull that changed something: back to the interval")
        #expect(schedule.next(now: now) == .wait(until: now + .seconds(60)))
    }

    @Test("due times are spread by ±10 % jitter; a stretch of 1 keeps intervals fixed")
    func intervalJitter() {
        var early = SyncSchedule(configuration: configuration, start: start)
        _ = early.next(now: start)
        early.finished(reachedUpstream: true, authExpired: false, now: start, jitterRoll: 0)
        #expect(early.next(now: start) == .pull([.cold]))
        early.finished(reachedUpstream: true, authExpired: false, now: start, jitterRoll: 0)
        #expect(early.next(now: start) == .wait(until: start + .seconds(54)))

        var fixed = configuration
        fixed.idleStretch = [:]
        var schedule = SyncSchedule(configuration: fixed, start: start)
        var now = start
        for _ in 1...5 {
            guard case .pull = schedule.next(now: now) else {
                guard case .wait(let until) = schedule.next(now: now) else { return }
                now = until
                continue
            }
            schedule.finished(reachedUpstream: true, authExpired: false, changed: [], now: now, jitterRoll: 0.5)
        }
        #expect(schedule.wait(for: .hot) == .seconds(60))
    }

    @Test("a day and a week of an idle kiosk, played out on the schedule: stretched intervals pull a quarter to an eighth as often")
    func idlePulls() {
        let day = Duration.seconds(86_400)
        let stretched = SyncSchedule.Configuration().idlePulls(over: day)
        var fixedConfiguration = SyncSchedule.Configuration()
        fixedConfiguration.idleStretch = [:]
        let fixed = fixedConfiguration.idlePulls(over: day)
        #expect(fixed[.hot] == 1440 && fixed[.warm] == 288 && fixed[.cold] == 1)
        // Nothing changes from the first pull on: the hot tier at 0 and 120 s, then from 360 s
        // every 240 s (359 times); the warm one at 0, 600 and 1800 s, then from 4200 s every
        // 2400 s (35 times).
        #expect(stretched[.hot] == 361)
        #expect(stretched[.warm] == 38)
        #expect(stretched[.cold] == 1)
        // The cold tier over a week: at 0, after 2 days, then after 4 more.
        #expect(SyncSchedule.Configuration().idlePulls(over: day * 7)[.cold] == 3)
    }

    @Test("a pull that reached the upstream but left requests unanswered (the link dropped or came back meanwhile) is pulled again after a backoff")
    func partialPull() {
        var schedule = SyncSchedule(configuration: configuration, start: start)
        _ = schedule.next(now: start)
        schedule.finished(reachedUpstream: true, authExpired: false, unanswered: true, now: start, jitterRoll: 0.5)
        #expect(schedule.connectivity == .online)
        _ = schedule.next(now: start)
        schedule.finished(reachedUpstream: true, authExpired: false, now: start, jitterRoll: 0.5)
        #expect(schedule.next(now: start) == .wait(until: start + .seconds(2)), "the hot and warm lists that failed: in 2 s, not 60")
        #expect(schedule.next(now: start + .seconds(2)) == .pull([.hot, .warm]))
        schedule.finished(reachedUpstream: true, authExpired: false, unanswered: true, now: start + .seconds(2), jitterRoll: 0.5)
        #expect(schedule.partialFailures == 1)
        #expect(schedule.next(now: start + .seconds(2)) == .wait(until: start + .seconds(4)), "again")
        _ = schedule.next(now: start + .seconds(4))
        schedule.finished(reachedUpstream: true, authExpired: false, unanswered: true, now: start + .seconds(4), jitterRoll: 0.5)
        #expect(schedule.next(now: start + .seconds(4)) == .wait(until: start + .seconds(8)), "twice in a row: the backoff doubles")
        _ = schedule.next(now: start + .seconds(8))
        schedule.finished(reachedUpstream: true, authExpired: false, now: start + .seconds(8), jitterRoll: 0.5)
        #expect(schedule.partialFailures == 0)
        #expect(schedule.next(now: start + .seconds(8)) == .wait(until: start + .seconds(68)), "a whole pull: back to the interval")
    }

    @Test("the link known to be back ends the backoff at once and pulls the hot tier")
    func linkRestored() {
        var schedule = SyncSchedule(configuration: configuration, start: start)
        var now = start
        for _ in 1...6 {
            guard case .pull = schedule.next(now: now) else {
                Issue.record("expected a pull")
                return
            }
            schedule.finished(reachedUpstream: false, authExpired: false, now: now, jitterRoll: 0.5)
            guard case .wait(let until) = schedule.next(now: now) else { return }
            now = until
        }
        guard case .pull = schedule.next(now: now) else { return }
        schedule.finished(reachedUpstream: false, authExpired: false, now: now, jitterRoll: 0.5)
        #expect(schedule.next(now: now + .seconds(1)) == .wait(until: now + .seconds(60)), "backing off for a minute")
        schedule.linkRestored()
        #expect(schedule.next(now: now + .seconds(1)) == .pull([.hot]), "at once, the hot tier alone first")
        schedule.finished(reachedUpstream: true, authExpired: false, now: now + .seconds(2), jitterRoll: 0.5)
        #expect(schedule.next(now: now + .seconds(2)) == .pull([.warm]))
    }

    @Test("probes of a lost link: every interval; a false alarm doubles the wait up to the cap; the link working resets it")
    func probeSchedule() {
        var probes = LinkProbeSchedule(interval: .seconds(1), cap: .seconds(8))
        #expect(probes.wait == .seconds(1))
        for _ in 1...5 { probes.falseAlarm() }
        #expect(probes.wait == .seconds(8))
        probes.linkWorked()
        #expect(probes.wait == .seconds(1))
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
        #expect(schedule.next(now: now) == .pull([.warm]), "the hot tier went alone; the warm one next, the cold one last")
        schedule.finished(reachedUpstream: true, authExpired: false, now: now, jitterRoll: 0.5)
        #expect(schedule.next(now: now) == .pull([.cold]))
        schedule.finished(reachedUpstream: true, authExpired: false, now: now, jitterRoll: 0.5)
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
        #expect(schedule.next(now: start + .seconds(4000)) == .pull([.hot, .warm]))
    }
}
