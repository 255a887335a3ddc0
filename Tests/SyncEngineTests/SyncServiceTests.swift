import Foundation
import Logging
import MirrorStore
import ReferenceServer
import ReferenceServerTestKit
import Testing
import UpstreamClient
import VolunteerAPI

@testable import SyncEngine

/// The sync loop against vdapi: it pulls at start, refreshes on demand, goes offline and backs
/// off while the upstream fails, comes back by itself, and stops on an expired token.
@Suite("Sync service")
struct SyncServiceTests {
    /// The service's events as they come, for a test to wait on one at a time with a deadline.
    actor EventLog {
        private var events: [SyncService.Event] = []
        private var consumed = 0
        private var waiters: [CheckedContinuation<Void, Never>] = []

        func append(_ event: SyncService.Event) {
            events.append(event)
            wakeAll()
        }

        /// The next event not yet returned, or nil when none comes within `seconds`.
        func next(within seconds: Double = 20) async -> SyncService.Event? {
            let deadline = ContinuousClock.now + .seconds(seconds)
            while consumed >= events.count {
                guard ContinuousClock.now < deadline else { return nil }
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await self.waitForAppend() }
                    group.addTask {
                        try? await Task.sleep(until: deadline, clock: .continuous)
                        await self.wakeAll()
                    }
                    await group.next()
                    group.cancelAll()
                    self.wakeAll()
                }
            }
            consumed += 1
            return events[consumed - 1]
        }

        private func waitForAppend() async {
            await withCheckedContinuation { waiters.append($0) }
        }

        private func wakeAll() {
            for waiter in waiters { waiter.resume() }
            waiters = []
        }
    }

    @Test("pulls at start and on demand; offline with backoff while the upstream fails; back online by itself; stops on expiry")
    func loop() async throws {
        try await SyncWorld.withRunning("13800000021", .patient) { world in
            let (running, client, puller) = (world.running, world.client, world.puller)
            var logger = Logger(label: "service-test")
            logger.logLevel = .warning
            let service = SyncService(
                puller: puller,
                configuration: .init(
                    intervals: [.hot: .seconds(3600), .warm: .seconds(3600), .cold: .seconds(3600)], backoffBase: .milliseconds(100),
                    backoffCap: .milliseconds(400)),
                logger: logger)
            let log = EventLog()
            let stream = await service.events()
            let listener = Task { for await event in stream { await log.append(event) } }
            let loop = Task { await service.run() }

            // The full pull at start.
            guard case .pulled(let tiers, let report, .online)? = await log.next() else {
                Issue.record("no start pull")
                loop.cancel()
                return
            }
            #expect(tiers == [.hot, .warm] && !report.entries.isEmpty)
            guard case .pulled([.cold], _, .online)? = await log.next() else {
                Issue.record("no cold pull after the others")
                loop.cancel()
                return
            }

            // Every request fails: offline, and it retries by itself, backing off.
            await running.server.faults.add(FaultRule(.serverErrorBeforeHandler, status: 503))
            await service.syncNow()
            guard case .pulled(_, let failed, .offline)? = await log.next() else {
                Issue.record("not offline")
                loop.cancel()
                return
            }
            #expect(failed.answered == 0 && failed.unanswered > 0)
            guard case .pulled(_, _, .offline)? = await log.next() else {
                Issue.record("no retry")
                loop.cancel()
                return
            }
            #expect(await service.connectivity == .offline)

            // The upstream recovers: the next retry brings it back online without being asked.
            await running.server.faults.removeAll()
            guard case .pulled(_, _, .online)? = await log.next() else {
                Issue.record("not back online")
                loop.cancel()
                return
            }
            // Back after failures the hot tier went alone; the others, requested when the link
            // failed, follow, the cold tier last.
            guard case .pulled([.warm], _, .online)? = await log.next(), case .pulled([.cold], _, .online)? = await log.next() else {
                Issue.record("the cold tier was not pulled after the others")
                loop.cancel()
                return
            }

            // The token expires: reported once, then nothing until a new login.
            running.server.advanceClock(by: 8 * 24 * 3600)
            await service.syncNow()
            guard case .authExpired? = await log.next() else {
                Issue.record("expiry not reported")
                loop.cancel()
                return
            }
            #expect(await service.isAuthExpired)
            guard case .applied = await client.login(phone: "13800000021", password: "demo123", role: .patient) else {
                loop.cancel()
                return
            }
            await service.loggedIn()
            guard case .pulled(_, _, .online)? = await log.next() else {
                Issue.record("no pull after login")
                loop.cancel()
                return
            }

            loop.cancel()
            await loop.value
            await listener.value
        }
    }
}
