import Foundation
import GRDB
import Testing
import VolunteerAPI

@testable import MirrorStore

/// Pending mutations over the mirror, on a real file: shown at once, never overwritten by a
/// pull, kept when applied, rolled back when rejected, with journal entries for each change.
@Suite("Mirror overlay")
struct OverlayTests {
    static func diagnosis(_ id: Int, status: Int, project: Int? = nil) -> MirroredRecord {
        let raw: JSONValue = ["id": .integer(id), "status": .integer(status), "verify_status": 1]
        return .diagnosis(Diagnosis(id: id, verifyStatus: 1, status: status), raw: raw, projectID: project)
    }

    /// Enqueues one entry with `effects`; returns its id.
    static func enqueue(_ store: MirrorStore, _ effects: [RecordEffect], chains: [String] = []) async throws -> Int {
        let result = try await store.enqueue { transaction in
            try transaction.add(NewOutboxEntry(account: "", kind: "test.kind", arguments: ["n": 1], chains: chains, effects: effects))
        }
        return try #require(result.entries.first?.id)
    }

    @Test("a pending change is shown at once, and a pull beneath it changes the server truth, not what is shown")
    func pullBeneath() async throws {
        let store = try MirrorStore(path: try MirrorStoreTests.temporaryDatabase())
        try await store.write([Self.diagnosis(7, status: 1, project: 3)], list: "p3")
        let entry = try await Self.enqueue(store, [.patch(.diagnoses, id: 7, ["status": 3])])
        #expect(try await store.raw(.diagnoses, id: 7)?["status"] == 3)
        #expect(try await store.isPending(.diagnoses, id: 7))

        // The server still says 1 (the write is not sent yet), and a new field appeared.
        var raw = Self.diagnosis(7, status: 1).raw
        raw = MergePatch.apply(["reject_msg": "x"], to: raw)
        try await store.write([.diagnosis(Diagnosis(id: 7, verifyStatus: 1, status: 1), raw: raw)], list: "p3")
        let shown = try #require(try await store.raw(.diagnoses, id: 7))
        #expect(shown["status"] == 3, "the pending change stays on top")
        #expect(shown["reject_msg"] == "x", "the server's news shows beneath it")
        let columns = try await store.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT status, project_id FROM diagnosis WHERE id = 7").map { [$0["status"], $0["project_id"]] as [Int?] }
        }
        #expect(columns?.first == 3)
        #expect(columns?.last == 3, "a page without context keeps the known project")

        // Rejected: the server truth comes back, with a journal entry.
        let before = try await store.lastSeq()
        let journal = try await store.markRejected(entry, errorCode: 4009, message: "状态不允许")
        #expect(try await store.raw(.diagnoses, id: 7)?["status"] == 1)
        #expect(try await !store.isPending(.diagnoses, id: 7))
        #expect(journal.contains { $0.collection == .diagnoses && $0.recordID == 7 && $0.operation == .update })
        #expect(try await store.lastSeq() > before)
        let stored = try #require(try await store.outboxEntry(entry))
        #expect(stored.state == .rejected && stored.errorCode == 4009 && stored.errorMessage == "状态不允许")
    }

    @Test("an applied change stays shown until the server's record replaces it")
    func appliedKept() async throws {
        let store = try MirrorStore(path: try MirrorStoreTests.temporaryDatabase())
        try await store.write([Self.diagnosis(8, status: 1)])
        let entry = try await Self.enqueue(store, [.patch(.diagnoses, id: 8, ["status": 3])])
        try await store.markApplied(entry, result: nil)
        #expect(try await store.raw(.diagnoses, id: 8)?["status"] == 3)
        #expect(try await !store.isPending(.diagnoses, id: 8))
        // The next pull brings the server's record.
        try await store.write([Self.diagnosis(8, status: 3)])
        #expect(try await store.raw(.diagnoses, id: 8) == Self.diagnosis(8, status: 3).raw)
    }

    @Test("a record created offline survives a complete list without it, and gives way to the server's record")
    func createdOffline() async throws {
        let store = try MirrorStore(path: try MirrorStoreTests.temporaryDatabase())
        try await store.write([Self.diagnosis(1, status: 1)], list: "mine")
        let result = try await store.enqueue { transaction in
            let temp = try transaction.allocateTempID(.diagnoses)
            #expect(temp < 0)
            try transaction.add(
                NewOutboxEntry(
                    account: "", kind: "test.create", arguments: [:], chains: [],
                    effects: [
                        .create(.diagnoses, id: temp, raw: ["id": .integer(temp), "status": 1], context: ["project_id": .integer(5)]),
                        .addToList("mine", .diagnoses, id: temp),
                    ]))
        }
        let entry = try #require(result.entries.first)
        let temp = try #require(try await store.ids(.diagnoses).first { $0 < 0 })
        #expect(Set(try await store.members(of: "mine", collection: .diagnoses)) == [1, temp])

        // A complete list from the server (which does not know the temporary record yet).
        _ = try await store.completeList("mine", of: .diagnoses, ids: [1])
        #expect(try await store.ids(.diagnoses).contains(temp))

        // Applied: the server's record (id 42) replaces it.
        try await store.markApplied(
            entry.id, result: ["id": 42], refreshed: [Self.diagnosis(42, status: 1, project: 5)],
            mapping: TempIDMapping(.diagnoses, tempID: temp, realID: 42))
        #expect(try await store.ids(.diagnoses) == [1, 42])
        #expect(try await store.realID(forTemp: temp) == 42)
    }

    @Test("a member hidden by a pending change stays hidden through a pull, and comes back when the change is rolled back")
    func listRemoval() async throws {
        let store = try MirrorStore(path: try MirrorStoreTests.temporaryDatabase())
        try await store.write([Self.diagnosis(1, status: 1), Self.diagnosis(2, status: 1)], list: "follows")
        let entry = try await Self.enqueue(store, [.removeFromList("follows", .diagnoses, id: 2)])
        #expect(try await store.members(of: "follows", collection: .diagnoses) == [1])
        try await store.write([Self.diagnosis(1, status: 1), Self.diagnosis(2, status: 1)], list: "follows")
        #expect(try await store.members(of: "follows", collection: .diagnoses) == [1])
        #expect(try await store.discard(entry))
        #expect(try await store.members(of: "follows", collection: .diagnoses) == [1, 2])
    }

    @Test("entries wait for earlier entries of their chains; independent chains are ready together")
    func chains() async throws {
        let store = try MirrorStore(path: try MirrorStoreTests.temporaryDatabase())
        let first = try await Self.enqueue(store, [], chains: ["diagnosis:1"])
        let second = try await Self.enqueue(store, [], chains: ["diagnosis:1"])
        let other = try await Self.enqueue(store, [], chains: ["chat:9"])
        #expect(try await store.readyOutboxEntries(account: "").map(\.id) == [first, other])
        // A rejected entry holds its chain back until it is discarded.
        try await store.markRejected(first, errorCode: 4009, message: "no")
        #expect(try await store.readyOutboxEntries(account: "").map(\.id) == [other])
        #expect(try await store.discard(first))
        #expect(try await store.readyOutboxEntries(account: "").map(\.id) == [second, other])
        // Entries in flight at a crash are found unknown at start-up.
        try await store.markInFlight(second, arguments: [:], baseline: nil)
        #expect(try await store.recoverInFlight() == [second])
        #expect(try await store.outboxEntry(second)?.state == .unknown)
        #expect(try await !store.discard(second), "an entry that may be on the server is never dropped")
    }
}
