import Foundation
import GRDB
import Testing
import VolunteerAPI

@testable import MirrorStore

/// A damaged database at start: moved aside (never deleted), its unfinished outbox carried
/// over when it can be read, and a fresh mirror opened.
@Suite("Mirror recovery")
struct RecoveryTests {
    /// A database with mirrored projects and three outbox entries (one in flight), closed.
    static func populated() async throws -> String {
        let path = try MirrorStoreTests.temporaryDatabase()
        let store = try MirrorStore(path: path)
        try await store.write((1...400).map { MirrorStoreTests.project($0) }, list: "GET /doctor/project")
        for n in 1...3 {
            _ = try await store.enqueue { transaction in
                try transaction.add(NewOutboxEntry(account: "", kind: "chat.send", arguments: ["n": .integer(n)], chains: ["chat:\(n)"]))
            }
        }
        try await store.markInFlight(3, arguments: ["n": 3], baseline: nil)
        try store.close()
        return path
    }

    /// Overwrites `count` bytes at `offset` of the file with garbage.
    static func damage(_ path: String, at offset: UInt64, count: Int) throws {
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.seek(toOffset: offset)
        try handle.write(contentsOf: Data(repeating: 0xA5, count: count))
        try handle.close()
    }

    @Test("a clean database opens as it is, leftover WAL included")
    func clean() async throws {
        let path = try await Self.populated()
        let (store, recovery) = try MirrorStore.openChecked(path: path)
        #expect(recovery == nil)
        #expect(try await store.outboxEntries().count == 3)
    }

    @Test("a damaged mirror table: the file is moved aside and the unfinished outbox carried over")
    func damagedMirror() async throws {
        let path = try await Self.populated()
        let (rootPage, pageSize) = try await DatabaseQueue(path: path).read { db in
            (
                try Int.fetchOne(db, sql: "SELECT rootpage FROM sqlite_master WHERE name = 'project'") ?? 0,
                try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
            )
        }
        try Self.damage(path, at: UInt64((rootPage - 1) * pageSize), count: pageSize)
        let (store, recovery) = try MirrorStore.openChecked(path: path, now: Date(timeIntervalSince1970: 1_000))
        let found = try #require(recovery)
        #expect(found.quarantinedPath == path + ".damaged-1000")
        #expect(FileManager.default.fileExists(atPath: found.quarantinedPath))
        #expect(found.carriedEntries == 3)
        let entries = try await store.outboxEntries()
        #expect(entries.map(\.id) == [1, 2, 3])
        #expect(entries.map(\.state) == [.queued, .queued, .unknown], "an entry in flight may have reached the server")
        #expect(entries.allSatisfy { !$0.chains.isEmpty })
        #expect(try await store.ids(.projects).isEmpty, "the mirror is rebuilt by the next pull")
        // New entries continue after the carried ones.
        let next = try await store.enqueue { transaction in try transaction.add(NewOutboxEntry(account: "", kind: "chat.send", arguments: [:], chains: [])) }
        #expect(next.entries.first?.id == 4)
    }

    @Test("a truncated file that is no longer a database is moved aside and replaced")
    func notADatabase() async throws {
        let path = try await Self.populated()
        // A power cut mid-copy: the first bytes overwritten, the WAL that held them lost.
        try Self.damage(path, at: 0, count: 100)
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let (store, recovery) = try MirrorStore.openChecked(path: path)
        #expect(recovery?.carriedEntries == 0)
        #expect(try await store.outboxEntries().isEmpty)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }
}
