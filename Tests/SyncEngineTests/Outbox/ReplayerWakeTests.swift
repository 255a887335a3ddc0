import Foundation
import Logging
import MirrorStore
import Synchronization
import Testing
import UpstreamClient
import VolunteerAPI

@testable import SyncEngine

/// The replayer's loop waits between turns; an enqueue wakes it. A wake that comes while the
/// loop is busy reading the outbox (neither sleeping nor idle) must not be lost: the entry it
/// announces may have been committed just after that read, and nothing else may wake the loop
/// for a long time (CI once saw a `chat.send` wait 12 s behind a slow pull, LinkReturnTests).
@Suite("Replayer: waking the loop")
struct ReplayerWakeTests {
    /// A replayer over an empty mirror file and a client that is never asked anything.
    static func withReplayer(_ body: (Replayer) async throws -> Void) async throws {
        let directory = OutboxScenario.scratchDirectory.appendingPathComponent("wake-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try MirrorStore(path: directory.appendingPathComponent("mirror.sqlite").path)
        let logger = Logger(label: "wake-test")
        let client = UpstreamClient(configuration: UpstreamConfiguration(baseURL: URL(string: "http://127.0.0.1:9")!), logger: logger)
        let replayer = Replayer(
            client: client, store: store, context: MutationContext(role: .doctor, userID: 1), policy: OutboxPolicy(), logger: logger)
        try await OutboxWorld.shuttingDown(client) { try await body(replayer) }
    }

    /// Runs `wait` and reports whether it returned within `timeout` by itself; if it did not,
    /// wakes the replayer so that the test ends (and fails) instead of hanging.
    static func returnsByItself(_ replayer: Replayer, timeout: Duration = .seconds(5), _ wait: @escaping @Sendable (Replayer) async -> Void) async
        -> Bool
    {
        let returned = Mutex(false)
        let waiter = Task {
            await wait(replayer)
            returned.withLock { $0 = true }
        }
        let byItself = await OutboxWorld.waitUntil(timeout: timeout) { returned.withLock { $0 } }
        if !byItself { await replayer.wake() }
        await waiter.value
        return byItself
    }

    @Test("a wake that came while the loop was not waiting makes its next wait return at once")
    func wakeWhileBusyIsKept() async throws {
        try await Self.withReplayer { replayer in
            await replayer.wake()
            #expect(await Self.returnsByItself(replayer) { await $0.waitForWake() }, "the wake was lost: the loop idles with an entry ready")
        }
    }

    @Test("a wake that came while the loop was not waiting cuts its next sleep short")
    func wakeWhileBusyCutsTheSleep() async throws {
        try await Self.withReplayer { replayer in
            await replayer.wake()
            #expect(await Self.returnsByItself(replayer) { await $0.sleep(until: .now + .seconds(3600)) }, "the wake was lost: the loop sleeps an hour")
        }
    }

    @Test("a kept wake is used once: the wait after it waits for the next wake")
    func keptWakeIsUsedOnce() async throws {
        try await Self.withReplayer { replayer in
            await replayer.wake()
            #expect(await Self.returnsByItself(replayer) { await $0.waitForWake() })
            // Nothing woke it since: this wait lasts until the wake below, which only
            // returnsByItself sends, once its timeout passed.
            #expect(await Self.returnsByItself(replayer, timeout: .milliseconds(300)) { await $0.waitForWake() } == false, "a wake was used twice")
        }
    }
}
