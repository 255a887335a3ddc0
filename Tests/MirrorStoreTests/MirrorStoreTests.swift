import Foundation
import GRDB
import Testing
import VolunteerAPI

@testable import MirrorStore

/// The mirror's database on a real file: change detection, the journal, complete lists and
/// deletions, sync state, the session, file modes and schema versions.
@Suite("Mirror store")
struct MirrorStoreTests {
    /// A fresh directory for one test's database.
    static func temporaryDatabase() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mirror-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent("mirror.sqlite").path
    }

    static func project(_ id: Int, date: String = "2030-03-01", joined: Int = 0) -> MirroredRecord {
        let raw: JSONValue = ["id": .integer(id), "date": .string(date), "begin": "09:00:00", "end": "11:00:00", "join_people_count": .integer(joined)]
        let project = Project(id: id, date: date, begin: "09:00:00", end: "11:00:00", joinedCount: joined)
        return .project(project, raw: raw)
    }

    @Test("a page written twice unchanged writes nothing the second time and adds no journal entry")
    func unchangedPages() async throws {
        let store = try MirrorStore(path: try Self.temporaryDatabase())
        let first = try await store.write([Self.project(1), Self.project(2)], list: "doctor/project", now: Date(timeIntervalSince1970: 100))
        #expect(first.inserted == 2 && first.updated == 0 && first.unchanged == 0)
        #expect(first.entries.map(\.seq) == [1, 2])

        let second = try await store.write([Self.project(1), Self.project(2)], list: "doctor/project", now: Date(timeIntervalSince1970: 200))
        #expect(second.entries.isEmpty && second.unchanged == 2)
        #expect(try await store.lastSeq() == 2)
        let writtenAt = try await store.pool.read { db in try Double.fetchAll(db, sql: "SELECT written_at FROM project ORDER BY id") }
        #expect(writtenAt == [100, 100], "an unchanged record is not rewritten")
    }

    @Test("a changed record is updated in place, columns and raw JSON, with one journal entry")
    func changedRecord() async throws {
        let store = try MirrorStore(path: try Self.temporaryDatabase())
        try await store.write([Self.project(7, joined: 1)])
        let change = try await store.write([Self.project(7, date: "2030-03-02", joined: 2), Self.project(8)])
        #expect(change.updated == 1 && change.inserted == 1)
        #expect(change.entries.map(\.recordID) == [7, 8] && change.entries.map(\.operation) == [.update, .insert])
        #expect(try await store.raw(.projects, id: 7)?["join_people_count"] == .integer(2))
        let date = try await store.pool.read { db in try String.fetchOne(db, sql: "SELECT date FROM project WHERE id = 7") }
        #expect(date == "2030-03-02")
        // Key order does not make a change: the hash is of the canonical form.
        let one = try JSONDecoder().decode(JSONValue.self, from: Data(#"{"id": 8, "date": "2030-03-01", "x": [1, {"b": 2, "a": 1}]}"#.utf8))
        let other = try JSONDecoder().decode(JSONValue.self, from: Data(#"{"x": [1, {"a": 1, "b": 2}], "date": "2030-03-01", "id": 8}"#.utf8))
        #expect(MirroredRecord(.projects, id: 8, columns: [:], raw: one).contentHash == MirroredRecord(.projects, id: 8, columns: [:], raw: other).contentHash)
        #expect(MirroredRecord(.projects, id: 8, columns: [:], raw: one).contentHash != Self.project(8).contentHash)
    }

    @Test("the journal is monotonic and resumes after a seq")
    func journal() async throws {
        let store = try MirrorStore(path: try Self.temporaryDatabase())
        for id in 1...5 { try await store.write([Self.project(id)]) }
        let all = try await store.journal()
        #expect(all.map(\.seq) == [1, 2, 3, 4, 5])
        #expect(try await store.journal(after: 3).map(\.recordID) == [4, 5])
        #expect(try await store.journal(after: 1, limit: 2).map(\.seq) == [2, 3])
    }

    @Test("a complete list removes what left it; a record no list holds is deleted and journaled")
    func completeLists() async throws {
        let store = try MirrorStore(path: try Self.temporaryDatabase())
        try await store.write([Self.project(1), Self.project(2), Self.project(3)], list: "doctor/project")
        try await store.write([Self.project(3)], list: "sp_project/9")
        let seqBefore = try await store.lastSeq()

        let result = try await store.completeList("doctor/project", of: .projects, ids: [1])
        guard case .applied(let removed, let deleted) = result else {
            Issue.record("expected applied, got \(result)")
            return
        }
        #expect(removed == 2)
        #expect(deleted.map(\.recordID) == [2], "3 is still held by another list")
        #expect(deleted.first?.operation == .delete && deleted.first?.seq == seqBefore + 1)
        #expect(try await store.ids(.projects) == [1, 3])
        #expect(try await store.members(of: "doctor/project", collection: .projects) == [1])
    }

    @Test("a list that suddenly comes back empty is not believed until confirmed")
    func emptyList() async throws {
        let store = try MirrorStore(path: try Self.temporaryDatabase())
        try await store.write([Self.project(1), Self.project(2)], list: "custom/follow")
        #expect(try await store.completeList("custom/follow", of: .projects, ids: []) == .needsConfirmation)
        #expect(try await store.ids(.projects) == [1, 2], "nothing changed")
        let confirmed = try await store.completeList("custom/follow", of: .projects, ids: [], emptyConfirmed: true)
        guard case .applied(let removed, let deleted) = confirmed else {
            Issue.record("expected applied")
            return
        }
        #expect(removed == 2 && deleted.count == 2)
        #expect(try await store.ids(.projects).isEmpty)
        // An empty list that was empty before needs no confirmation.
        #expect(try await store.completeList("custom/follow", of: .projects, ids: []) == .applied(removedFromList: 0, deleted: []))
    }

    @Test("list positions follow the order of the pages, and a complete refetch reorders the list")
    func positions() async throws {
        let store = try MirrorStore(path: try Self.temporaryDatabase())
        try await store.write([Self.project(5), Self.project(3)], list: "project?sort=2", offset: 0)
        try await store.write([Self.project(9)], list: "project?sort=2", offset: 2)
        #expect(try await store.members(of: "project?sort=2", collection: .projects) == [5, 3, 9])
        // The next complete fetch: 9 now comes first, 3 is gone.
        try await store.write([Self.project(9), Self.project(5)], list: "project?sort=2", offset: 0)
        _ = try await store.completeList("project?sort=2", of: .projects, ids: [9, 5])
        #expect(try await store.members(of: "project?sort=2", collection: .projects) == [9, 5])
    }

    @Test("sync state and the session survive reopening; a session never prints its token")
    func stateAndSession() async throws {
        let path = try Self.temporaryDatabase()
        do {
            let store = try MirrorStore(path: path)
            try await store.markSynced("chat", at: Date(timeIntervalSince1970: 1_000), cursor: "page=3")
            try await store.saveSession(StoredSession(token: "secret-token-123", role: .doctor, userID: 42, savedAt: Date(timeIntervalSince1970: 5)))
        }
        let reopened = try MirrorStore(path: path)
        #expect(try await reopened.syncState("chat") == SyncState(key: "chat", lastSuccess: Date(timeIntervalSince1970: 1_000), cursor: "page=3"))
        #expect(try await reopened.syncState("news") == nil)
        let session = try #require(try await reopened.session())
        #expect(session.token == "secret-token-123" && session.role == .doctor && session.userID == 42)
        #expect(!"\(session)".contains("secret") && !String(reflecting: session).contains("secret"))
        try await reopened.clearSession()
        #expect(try await reopened.session() == nil)
    }

    @Test("the database and its WAL are readable by the owner only")
    func fileModes() async throws {
        let path = try Self.temporaryDatabase()
        let store = try MirrorStore(path: path)
        try await store.write([Self.project(1)])
        for file in [path, path + "-wal"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: file)
            let mode = try #require(attributes[.posixPermissions] as? Int)
            #expect(mode & 0o077 == 0, "\(file) has mode \(String(mode, radix: 8))")
        }
        let journalMode = try await store.pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        let synchronous = try await store.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(journalMode == "wal" && synchronous == 2, "WAL with synchronous FULL")
    }

    @Test("a database written by a newer vdsync is refused with a message that says so")
    func newerSchema() async throws {
        let path = try Self.temporaryDatabase()
        _ = try MirrorStore(path: path)
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')") }
        try queue.close()
        let error = try #require(throws: MirrorStoreError.self) { try MirrorStore(path: path) }
        #expect(error == .newerSchema(unknown: ["v99-from-the-future"]))
        #expect(error.description.contains("newer vdsync"))
    }

    @Test("a mirror of schema v5 gains the new collections, and its doctors the directory's columns from their stored JSON")
    func upgradeFromV5() async throws {
        let path = try Self.temporaryDatabase()
        let queue = try DatabaseQueue(path: path)
        try MirrorSchema.migrator.migrate(queue, upTo: "v5-accounts")
        try await queue.write { db in
            try db.execute(
                sql: "INSERT INTO user (id, role, real_name, raw, content_hash, written_at) VALUES (6, 2, '王建国', ?, 'old', 0)",
                arguments: [#"{"id":6,"real_name":"王建国","departments":"心内科","job_position":"主任医师","hospital":"北京朝阳康宁医院","score":"4.8"}"#])
            try db.execute(
                sql: "INSERT INTO user (id, role, real_name, raw, content_hash, written_at) VALUES (7, 1, '赵明', ?, 'old', 0)",
                arguments: [#"{"id":7,"real_name":"赵明"}"#])
        }
        try queue.close()
        let store = try MirrorStore(path: path)
        let (cardiology, _) = try await store.query(MirrorQuery(.users, filters: [.init("departments", .equal, .text("心内科"))]))
        #expect(cardiology.map(\.id) == [6])
        let (best, _) = try await store.query(MirrorQuery(.users, filters: [.init("score", .greater, .text("4"))]))
        #expect(best.map(\.id) == [6])
        for collection in [MirrorCollection.visits, .reviews, .casebooks, .pages] {
            #expect(try await store.ids(collection).isEmpty, "\(collection.table) exists")
        }
        #expect(MirrorStore.schemaVersion == "v8-images")
    }

    @Test("records from the documented structures carry their indexed columns")
    func recordsFromModels() throws {
        let diagnosis = Diagnosis(id: 5, assistantUserID: 3, verifyStatus: 1, visitTime: "2030-03-01 09:30:00", status: 2, patient: Patient(id: 9))
        let record = MirroredRecord.diagnosis(diagnosis, raw: ["id": 5], projectID: 12, doctorID: 4)
        #expect(record.columns["project_id"] == .integer(12) && record.columns["patient_id"] == .integer(9))
        #expect(record.columns["status"] == .integer(2) && record.columns["visit_time"] == .text("2030-03-01 09:30:00"))
        let message = MirroredRecord.chatMessage(ChatMessage(id: 1, fromUserID: 2, toUserID: 3, isRead: 0, dialogID: "7"), raw: ["id": 1])
        #expect(message.columns["dialog_id"] == .text("7") && message.columns["is_read"] == .integer(0))
        for collection in MirrorCollection.allCases {
            #expect(Set(collection.columns).count == collection.columns.count)
        }
    }
}
