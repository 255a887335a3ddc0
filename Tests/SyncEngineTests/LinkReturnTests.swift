import Foundation
import Logging
import MirrorStore
import ReferenceServer
import Testing
import UpstreamClient
import VolunteerAPI

@testable import ReferenceServerTestKit
@testable import SyncEngine

/// The link's return (issue #21, "On reconnect"): a whole agent against a vdapi that stops
/// listening (connections refused) and listens again on the same port. The backoffs are set
/// to ten minutes, so only the probe can bring anything back within the tests' waits.
@Suite("Sync agent: the link's return")
struct LinkReturnTests {
    /// A doctor's agent over `host`, logged in and past its first pull, with backoffs of ten
    /// minutes and a probe every 200 ms (nil: no probe).
    static func withAgent(probe: Duration?, _ body: (UpstreamHost, SyncAgent, DemoIDs) async throws -> Void) async throws {
        let host = try UpstreamHost()
        let api = try await host.start()
        _ = try await Seed.demo(into: host.database, configuration: ReferenceServerConfiguration())
        let ids = try await RichDemo.enrich(host.database)
        let directory = OutboxScenario.scratchDirectory.appendingPathComponent("link-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var logger = Logger(label: "link-test")
        logger.logLevel = ProcessInfo.processInfo.environment["LINK_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        let store = try MirrorStore(path: directory.appendingPathComponent("mirror.sqlite").path)
        let client = UpstreamClient(configuration: UpstreamConfiguration(baseURL: api), logger: logger)
        var configuration = SyncAgent.Configuration()
        configuration.credentials = .init(phone: DemoAccount.doctor.phone, password: "demo123", role: .doctor)
        configuration.schedule = SyncSchedule.Configuration(backoffBase: .seconds(600), backoffCap: .seconds(600))
        configuration.policy.backoffBase = .seconds(600)
        configuration.policy.backoffCap = .seconds(600)
        configuration.policy.reconnectJitter = .zero
        configuration.probeInterval = probe
        let agent = SyncAgent(store: store, client: client, configuration: configuration, logger: logger)
        func close() async throws {
            await agent.stop()
            try await client.shutdown()
            try await host.stop()
            try? FileManager.default.removeItem(at: directory)
        }
        do {
            await agent.start()
            // Every tier, the cold one last: the outage starts after the first pull, not in it.
            let pulled = await OutboxWorld.waitUntil(timeout: .seconds(30)) { await agent.status().lastPulls["GET /doctor/list"] != nil }
            try #require(pulled, "the first pull did not end")
            try await body(host, agent, ids)
        } catch {
            try? await close()
            throw error
        }
        try await close()
    }

    static func chat(_ agent: SyncAgent, to patient: Int) async throws -> Int {
        let context = try #require(await agent.mutationContext)
        let entries = try await agent.outbox.submit(
            .sendChatMessage, parameters: ["to_user_id": .integer(patient), "content": .string("回来了 " + OutboxScenario.tag())], context: context)
        return try #require(entries.last).id
    }

    @Test("after an outage, a probe notices the link's return: the queued entry is applied and the hot tier pulled, backoffs cut short")
    func probeCutsTheBackoffShort() async throws {
        try await Self.withAgent(probe: .milliseconds(200)) { host, agent, ids in
            // The hot lists' last pulls before the outage (kept to the second): the pulls after
            // the link's return are those later than these.
            let hotLists = ["GET /message", "GET /chat"]
            let before = await agent.status().lastPulls
            try #require(hotLists.allSatisfy { before[$0] != nil })
            try await host.stop()
            await agent.syncNow([.hot])
            let entry = try await Self.chat(agent, to: ids.patients[0])
            let offline = await OutboxWorld.waitUntil(timeout: .seconds(20)) {
                let status = await agent.status()
                return status.connectivity == .offline && status.outbox[.queued] == 1
            }
            try #require(offline, "the agent never saw the link down")
            try await host.start()
            let applied = try await OutboxWorld.waitUntil(timeout: .seconds(20)) {
                try await agent.store.outboxEntry(entry)?.state == .applied
            }
            #expect(applied, "the entry waited for a ten-minute backoff")
            let hotFresh = await OutboxWorld.waitUntil(timeout: .seconds(20)) {
                let pulls = await agent.status().lastPulls
                return hotLists.allSatisfy { (pulls[$0] ?? .distantPast) > before[$0]! }
            }
            let after = await agent.status().lastPulls
            #expect(hotFresh, "the hot tier waited for a ten-minute backoff: \(before) → \(after)")
            #expect(await agent.status().connectivity == .online)
        }
    }

    @Test("without the probe the same outage leaves the entry queued for the backoff (what the probe is for)")
    func withoutProbeTheBackoffHolds() async throws {
        try await Self.withAgent(probe: nil) { host, agent, ids in
            try await host.stop()
            let entry = try await Self.chat(agent, to: ids.patients[0])
            let held = await OutboxWorld.waitUntil(timeout: .seconds(20)) { await agent.status().connectivity == .offline }
            try #require(held)
            try await host.start()
            let applied = try await OutboxWorld.waitUntil(timeout: .seconds(3)) {
                try await agent.store.outboxEntry(entry)?.state == .applied
            }
            #expect(!applied, "applied without a probe: the test would not show what the probe does")
        }
    }

    @Test("a pull held up by a slow list does not hold back a send: the entry is applied while the pull still waits")
    func pullNeverDelaysASend() async throws {
        try await Self.withAgent(probe: .milliseconds(200)) { host, agent, ids in
            let list = "GET /doctor/project"
            let before = try await agent.store.syncState(list)?.lastSuccess
            await host.faults.add(FaultRule(.delay, method: "GET", path: "/doctor/project", delayMilliseconds: 15_000))
            await agent.syncNow([.warm])
            let entry = try await Self.chat(agent, to: ids.patients[1])
            let applied = try await OutboxWorld.waitUntil(timeout: .seconds(12)) {
                try await agent.store.outboxEntry(entry)?.state == .applied
            }
            #expect(applied)
            #expect(try await agent.store.syncState(list)?.lastSuccess == before, "the slow list's pull had already ended: nothing was shown")
            await host.faults.removeAll()
        }
    }
}
