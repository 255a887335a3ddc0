import Foundation
import GRDB
import Testing
import VolunteerAPI

@testable import MirrorStore
@testable import SyncEngine

/// A full disk while mutations are enqueued and applied (the process-level version, with libfiu's
/// injected write and sync errors, is `scripts/reliability/run --only disk`). The disk is made
/// full by capping the writer connection's database size (`PRAGMA max_page_count`).
@Suite("Outbox: a full disk")
struct OutboxDiskTests {
    /// Caps the database at its current size (`full`), or lifts the cap.
    private func disk(_ store: MirrorStore, full: Bool) async throws {
        try await store.pool.writeWithoutTransaction { db in
            if full {
                try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
                let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
                try db.execute(sql: "PRAGMA max_page_count = \(pages)")
            } else {
                try db.execute(sql: "PRAGMA max_page_count = 1073741823")
            }
        }
    }

    @Test("a mutation the full disk refuses is a clear 'not saved', reads go on, and all recovers with space")
    func fullDisk() async throws {
        try await OutboxWorld.withRunning("13800000001", .doctor) { world in
            let patient = try #require(
                try await world.world.running.database.read { db in
                    try Int.fetchOne(db, sql: "SELECT patient_user_id FROM chat_dialog WHERE doctor_user_id = ? LIMIT 1", arguments: [world.world.userID])
                })
            let before = try await world.upstreamCount("chat_message", where: "from_user_id = ?", [world.world.userID])
            let saved = try await world.submit(.sendChatMessage, ["to_user_id": .integer(patient), "content": "saved before the disk filled"])

            try await disk(world.store, full: true)
            var refusals = 0
            for index in 0..<20 {
                do {
                    _ = try await world.submit(.sendChatMessage, ["to_user_id": .integer(patient), "content": .string("while full \(index)")])
                } catch let failure as StorageError {
                    #expect(failure.cause == .full && !failure.mayReappear, "a full disk fails the write before the commit: nothing can come back")
                    refusals += 1
                }
            }
            #expect(refusals > 0, "the capped database refused some enqueue")
            // Reads keep working while the disk is full.
            #expect(try await world.store.query(MirrorQuery(.chatMessages, limit: 5)).rows.count > 0)
            #expect(try await world.store.outboxEntry(saved.id)?.state == .queued)

            try await disk(world.store, full: false)
            let after = try await world.submit(.sendChatMessage, ["to_user_id": .integer(patient), "content": "saved after space returned"])
            await world.drain()
            #expect(try await world.state(saved) == .applied)
            #expect(try await world.state(after) == .applied)
            let accepted = 2 + (20 - refusals)
            #expect(try await world.upstreamCount("chat_message", where: "from_user_id = ?", [world.world.userID]) == before + accepted)
            #expect(
                try await world.upstreamCount("chat_message", where: "from_user_id = ? AND content LIKE 'while full%'", [world.world.userID]) == 20 - refusals)
        }
    }
}
