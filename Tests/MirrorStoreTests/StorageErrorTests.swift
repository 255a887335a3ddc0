import Foundation
import GRDB
import Synchronization
import Testing

@testable import MirrorStore

/// How a write the disk refused is classified (not saved, or may come back at the next start),
/// and how an outcome write waits for the disk to work again. The disk is made full by capping
/// the writer connection's database size (`PRAGMA max_page_count`); the process-level version,
/// with libfiu's injected write and sync errors, is `scripts/reliability/run --only disk`.
@Suite("Mirror store: storage failures")
struct StorageErrorTests {
    private static func store() throws -> MirrorStore {
        try MirrorStore(path: MirrorStoreTests.temporaryDatabase())
    }

    private static func overwriteRows(_ store: MirrorStore) async throws -> Int {
        try await store.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sync_state WHERE key = 'storage.overwrite'") ?? 0
        }
    }

    /// Caps the database at its current size (`full`), or lifts the cap.
    private static func disk(_ store: MirrorStore, full: Bool) async throws {
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

    /// Makes the writer connection refuse writes (`PRAGMA query_only`), or accept them again.
    private static func writer(_ store: MirrorStore, readOnly: Bool) async throws {
        try await store.pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA query_only = \(readOnly ? 1 : 0)")
        }
    }

    @Test("an error that is not the disk's is not a storage failure")
    func notTheDisk() async throws {
        let store = try Self.store()
        #expect(await store.storageError(after: DatabaseError(resultCode: .SQLITE_CONSTRAINT)) == nil)
        #expect(await store.storageError(after: CancellationError()) == nil)
        #expect(try await Self.overwriteRows(store) == 0, "nothing to overwrite")
    }

    @Test("a full disk and a failed write are 'not saved' without any further write")
    func notSaved() async throws {
        let store = try Self.store()
        let full = try #require(await store.storageError(after: DatabaseError(resultCode: .SQLITE_FULL, message: "database or disk is full")))
        #expect(full.cause == .full && !full.mayReappear)
        #expect(full.detail.contains("database or disk is full"))
        let write = try #require(await store.storageError(after: DatabaseError(resultCode: .SQLITE_IOERR_WRITE)))
        #expect(write.cause == .ioError && !write.mayReappear)
        #expect(try await Self.overwriteRows(store) == 0, "a commit whose frames were never all written cannot come back")
    }

    @Test("a failed sync is overwritten at once, after which it is 'not saved'")
    func failedSyncOverwritten() async throws {
        let store = try Self.store()
        let failure = try #require(await store.storageError(after: DatabaseError(resultCode: .SQLITE_IOERR_FSYNC)))
        #expect(failure.cause == .ioError)
        #expect(!failure.mayReappear, "the overwrite was written, so the failed commit's frames are gone")
        #expect(try await Self.overwriteRows(store) == 1)
    }

    @Test("a failed sync that cannot be overwritten may still come back (the client's -32031)")
    func failedSyncNotOverwritten() async throws {
        let store = try Self.store()
        // The writer connection refuses every write, the overwrite's included.
        try await Self.writer(store, readOnly: true)
        let failure = try #require(await store.storageError(after: DatabaseError(resultCode: .SQLITE_IOERR_FSYNC)))
        #expect(failure.cause == .ioError && failure.mayReappear)
        try await Self.writer(store, readOnly: false)
        #expect(try await Self.overwriteRows(store) == 0)
    }

    @Test("an outcome write the full disk refuses is made again until space returns")
    func outcomeWrittenAgain() async throws {
        let store = try Self.store()
        try await Self.disk(store, full: true)
        let attempts = Mutex(0)
        let (firstAttempt, signal) = AsyncStream.makeStream(of: Void.self)
        let write = Task {
            try await store.writeOutcome { db in
                attempts.withLock { $0 += 1 }
                signal.yield()
                try db.execute(
                    sql: "INSERT INTO sync_state (key, cursor) VALUES ('outcome', ?)",
                    arguments: [String(repeating: "x", count: 64 * 1024)])
            }
        }
        // The first attempt ran (and failed: the cap was set before it); then the space returns.
        for await _ in firstAttempt { break }
        try await Self.disk(store, full: false)
        try await write.value
        signal.finish()
        #expect(attempts.withLock { $0 } >= 2, "the refused write was made again")
        let saved = try await store.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sync_state WHERE key = 'outcome'")
        }
        #expect(saved == 1)
    }

    @Test("an outcome write is given up when its task is cancelled, so the daemon can stop")
    func outcomeCancelled() async throws {
        let store = try Self.store()
        try await Self.disk(store, full: true)
        let (firstAttempt, signal) = AsyncStream.makeStream(of: Void.self)
        let write = Task {
            try await store.writeOutcome { db in
                signal.yield()
                try db.execute(
                    sql: "INSERT INTO sync_state (key, cursor) VALUES ('outcome', ?)",
                    arguments: [String(repeating: "x", count: 64 * 1024)])
            }
        }
        for await _ in firstAttempt { break }
        write.cancel()
        let outcome = await write.result
        signal.finish()
        // The disk's error, or GRDB's CancellationError when the retry found the task cancelled.
        #expect(throws: (any Error).self) { try outcome.get() }
        try await Self.disk(store, full: false)
        let saved = try await store.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sync_state WHERE key = 'outcome'")
        }
        #expect(saved == 0)
    }
}
