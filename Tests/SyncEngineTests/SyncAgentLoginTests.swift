import Foundation
import Logging
import MirrorStore
import ReferenceServer
import ReferenceServerTestKit
import Testing
import UpstreamClient
import VolunteerAPI

@testable import SyncEngine

/// The agent's own logins with the configured account (a kiosk's daemon, started before its
/// link is up): retried while the upstream cannot answer, until one succeeds.
@Suite("Sync agent: logging in with the configured account")
struct SyncAgentLoginTests {
    @Test("started while every request fails, it logs in by itself once the upstream answers")
    func loginRetriedUntilTheUpstreamAnswers() async throws {
        try await RunningReferenceServer.withRunning { running in
            _ = try await Seed.demo(into: running.database, configuration: ReferenceServerConfiguration())
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("agent-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            var logger = Logger(label: "agent-login-test")
            logger.logLevel = .warning
            let store = try MirrorStore(path: directory.appendingPathComponent("mirror.sqlite").path)
            let client = UpstreamClient(configuration: UpstreamConfiguration(baseURL: running.api), logger: logger)
            var configuration = SyncAgent.Configuration()
            configuration.credentials = .init(phone: "13800000001", password: "demo123", role: .doctor)
            let agent = SyncAgent(store: store, client: client, configuration: configuration, logger: logger)

            await running.server.faults.add(FaultRule(.serverErrorBeforeHandler, status: 503))
            await agent.start()
            #expect(await agent.sessionState == .loggedOut, "the first login could not reach the upstream")
            #expect(try await store.session() == nil)

            await running.server.faults.removeAll()
            // The retries wait 1 s, then 2 s, 4 s ...: the next one after the faults end succeeds.
            let deadline = ContinuousClock.now + .seconds(30)
            while await agent.sessionState != .active, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(await agent.sessionState == .active, "no login after the upstream answered again")
            let session = try await store.session()
            #expect(session?.role == .doctor, "the session is stored for the next start")
            #expect(await agent.mutationContext?.role == .doctor)

            await agent.stop()
            try await client.shutdown()
        }
    }
}
