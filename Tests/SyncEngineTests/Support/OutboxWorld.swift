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
