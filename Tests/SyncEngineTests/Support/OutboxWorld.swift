import Foundation
import GRDB
import Logging
import MirrorStore
import Testing
import UpstreamClient
import VolunteerAPI

@testable import SyncEngine

/// A sync world with an outbox: the replayer on a policy with no backoff waits and no pacing,
/// so tests drive it turn by turn (``drain(maximumTurns:)``) without clocks.
struct OutboxWorld {
    let world: SyncWorld
    let outbox: Outbox
    let replayer: Replayer
    let context: MutationContext

    var store: MirrorStore { world.store }

    static func policy() -> OutboxPolicy {
        var policy = OutboxPolicy()
        policy.backoffBase = .zero
        policy.backoffCap = .zero
        policy.reconnectJitter = .zero
        policy.requestsPerSecond = 10_000
        policy.burst = 10_000
        // Turn by turn, no clock runs: a read-back that finds nothing resends at once, as if
        // every send had settled. The settle time is proven with a running replayer instead
        // (`OutboxSlowServerTests`, the kind matrix's slow-server scenario).
        policy.settleTime = .zero
        return policy
    }

    /// Seeds the demo world, logs in, pulls the role's mirror, and runs `body`.
    static func withRunning(_ phone: String, _ role: UserRole, policy: OutboxPolicy = policy(), _ body: (OutboxWorld) async throws -> Void) async throws {
        try await SyncWorld.withRunning(phone, role) { world in
            _ = await world.puller.pullAll()
            var logger = Logger(label: "outbox-test")
            logger.logLevel = .warning
            let context = MutationContext(role: role, userID: world.userID)
            let replayer = Replayer(client: world.client, store: world.store, context: context, policy: policy, logger: logger)
            let outbox = Outbox(store: world.store)
            try await body(OutboxWorld(world: world, outbox: outbox, replayer: replayer, context: context))
        }
    }

    /// Submits one mutation and returns its entry (the last one: photo uploads come first).
    @discardableResult
    func submit(_ kind: MutationKind, _ parameters: [String: JSONValue]) async throws -> OutboxEntry {
        let entries = try await outbox.submit(kind, parameters: parameters, context: context)
        return try #require(entries.last)
    }

    /// Works on the outbox until nothing is ready, at most `maximumTurns` turns. Returns the
    /// turns taken.
    @discardableResult
    func drain(maximumTurns: Int = 200) async -> Int {
        for turn in 0..<maximumTurns {
            if await replayer.drainReady() == 0 { return turn }
        }
        return maximumTurns
    }

    func state(_ entry: OutboxEntry) async throws -> OutboxState? {
        try await store.outboxEntry(entry.id)?.state
    }

    /// How many rows of vdapi's `table` match `condition`.
    func upstreamCount(_ table: String, where condition: String, _ arguments: [any DatabaseValueConvertible & Sendable] = []) async throws -> Int {
        try await world.running.database.count(table, where: condition, arguments)
    }
}

extension OutboxWorld {
    /// A replayer of its own on this world's mirror and session, with `policy`, through a client
    /// that waits at most `readTimeout` for an answer: an agent less patient than a slow server.
    func impatient(readTimeout: Duration, policy: OutboxPolicy, _ body: (Replayer) async throws -> Void) async throws {
        var logger = Logger(label: "impatient")
        logger.logLevel = .critical
        let client = UpstreamClient(configuration: UpstreamConfiguration(baseURL: world.running.api, readTimeout: readTimeout), logger: logger)
        if let session = await world.client.session { await client.restore(session) }
        let replayer = Replayer(client: client, store: store, context: context, policy: policy, logger: logger)
        try await Self.shuttingDown(client) { try await body(replayer) }
    }

    /// Runs `body`, then shuts `client` down, whether `body` threw or not.
    static func shuttingDown(_ client: UpstreamClient, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    /// Runs `replayer` as the daemon does (its loop, with real waits) until `entry` is applied,
    /// rejected or parked, or `timeout` passes; returns the events seen until then.
    func run(_ replayer: Replayer, until entry: OutboxEntry, timeout: Duration) async -> [Replayer.Event] {
        await run(replayer, timeout: timeout) { seen in
            guard case .entry(entry.id, let state)? = seen.last else { return false }
            return [.applied, .rejected, .parked].contains(state)
        }
    }

    /// Runs `replayer`'s loop until the events seen so far satisfy `done`, or `timeout` passes;
    /// returns them.
    func run(_ replayer: Replayer, timeout: Duration, until done: @escaping @Sendable ([Replayer.Event]) -> Bool) async -> [Replayer.Event] {
        let events = await replayer.events()
        let loop = Task { await replayer.run() }
        let seen = await withTaskGroup(of: [Replayer.Event]?.self) { group in
            group.addTask {
                var seen: [Replayer.Event] = []
                for await event in events {
                    seen.append(event)
                    if done(seen) { return seen }
                }
                return seen
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? []
        }
        loop.cancel()
        await loop.value
        return seen
    }

    /// Waits until `condition` holds, reading it every 50 ms, for at most `timeout`; whether it
    /// held. (For effects upstream that no event announces: a slow request landing.)
    func waitUntil(timeout: Duration, _ condition: () async throws -> Bool) async rethrows -> Bool {
        try await Self.waitUntil(timeout: timeout, condition)
    }

    /// ``waitUntil(timeout:_:)`` without a world (a whole agent's tests).
    static func waitUntil(timeout: Duration, _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }
}
