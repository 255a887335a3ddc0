import Foundation
import GRDB
import Synchronization
import Testing
import VolunteerAPI

@testable import MirrorStore

/// What each outbox write waits for on disk, and the generation that says the database changed.
@Suite("Durability of outbox writes, and the store's generation")
struct DurabilityTests {
    /// The statements a connection ran, as SQLite reports them.
    final class Statements: Sendable {
        private let list = Mutex<[String]>([])
        func append(_ sql: String) { list.withLock { $0.append(sql) } }
        func removeAll() { list.withLock { $0.removeAll() } }
        var all: [String] { list.withLock { $0 } }
    }

    /// The statements the writer connection runs from now on.
    static func traceWriter(_ store: MirrorStore) async throws -> Statements {
        let statements = Statements()
        try await store.pool.writeWithoutTransaction { db in
            db.trace(options: .statement) { event in
                if case .statement(let statement) = event { statements.append(statement.sql) }
            }
        }
        return statements
    }

    static func writerSynchronous(_ store: MirrorStore) async throws -> Int? {
        try await store.pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
    }

    @Test("in_flight is committed synced; applied alone without waiting for the disk, and FULL is back after it")
    func appliedUnsynced() async throws {
        let store = try MirrorStore(path: try MirrorStoreTests.temporaryDatabase())
        try await store.write([OverlayTests.diagnosis(8, status: 1)])
        let entry = try await OverlayTests.enqueue(store, [.patch(.diagnoses, id: 8, ["status": 3])])
        #expect(try await Self.writerSynchronous(store) == 2, "FULL: every commit on disk before it returns")

        let statements = try await Self.traceWriter(store)
        try await store.markInFlight(entry, arguments: ["n": 1], baseline: nil)
        #expect(statements.all.allSatisfy { !$0.contains("synchronous") }, "in_flight goes out synced, as before")
        #expect(try await Self.writerSynchronous(store) == 2)

        statements.removeAll()
        try await store.markApplied(entry, result: ["ok": true])
        let applied = statements.all
        let normal = try #require(applied.firstIndex(of: "PRAGMA synchronous = NORMAL"))
        let commit = try #require(applied.firstIndex(of: "COMMIT TRANSACTION"))
        let full = try #require(applied.firstIndex(of: "PRAGMA synchronous = FULL"))
        #expect(normal < commit && commit < full, "\(applied)")
        #expect(try await Self.writerSynchronous(store) == 2, "the next commit is synced again")
        #expect(try await store.outboxEntry(entry)?.state == .applied)
        #expect(try await store.raw(.diagnoses, id: 8)?["status"] == 3)

        // A rejection is not settled by a read-back: it stays synced.
        let second = try await OverlayTests.enqueue(store, [.patch(.diagnoses, id: 8, ["status": 2])])
        try await store.markInFlight(second, arguments: ["n": 2], baseline: nil)
        statements.removeAll()
        try await store.markRejected(second, errorCode: 4009, message: "no")
        #expect(statements.all.allSatisfy { !$0.contains("synchronous") })
    }

    @Test("an applied outcome that fails is not half written, and the writer is synced again")
    func appliedFailure() async throws {
        let store = try MirrorStore(path: try MirrorStoreTests.temporaryDatabase())
        let entry = try await OverlayTests.enqueue(store, [.patch(.diagnoses, id: 8, ["status": 3])])
        try await store.markInFlight(entry, arguments: ["n": 1], baseline: nil)
        // markApplied empties the entry's blob; a trigger refuses that, midway through its transaction.
        try await store.pool.write { db in
            try db.execute(sql: "CREATE TEMP TRIGGER refuse BEFORE UPDATE ON main.outbox_blob BEGIN SELECT RAISE(ABORT, 'refused'); END")
            try db.execute(sql: "INSERT INTO outbox_blob (entry_id, data, content_type, filename) VALUES (?, x'00', 'image/png', 'a.png')", arguments: [entry])
        }
        await #expect(throws: DatabaseError.self) { try await store.markApplied(entry, result: nil) }
        #expect(try await store.outboxEntry(entry)?.state == .inFlight, "rolled back whole")
        #expect(try await Self.writerSynchronous(store) == 2)
    }

    @Test("the generation moves with every commit, of any kind, and not with reads")
    func generation() async throws {
        let store = try MirrorStore(path: try MirrorStoreTests.temporaryDatabase())
        var last = store.generation
        func moved() -> Bool {
            defer { last = store.generation }
            return store.generation != last
        }
        try await store.write([OverlayTests.diagnosis(8, status: 1)])
        #expect(moved(), "a pulled page")
        _ = try await store.query(MirrorQuery(.diagnoses))
        _ = try await store.raw(.diagnoses, id: 8)
        #expect(!moved(), "reads")
        let entry = try await OverlayTests.enqueue(store, [.patch(.diagnoses, id: 8, ["status": 3])])
        #expect(moved(), "an enqueue")
        try await store.markInFlight(entry, arguments: ["n": 1], baseline: nil)
        #expect(moved(), "in flight")
        try await store.markApplied(entry, result: nil)
        #expect(moved(), "applied, committed unsynced")
        try await store.clearSession()
        #expect(moved(), "the session")
    }
}
