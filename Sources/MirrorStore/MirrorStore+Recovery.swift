import Foundation
import GRDB

/// What opening the database found and did about it.
public struct MirrorRecovery: Sendable, Hashable {
    /// Where the damaged database was moved (never deleted).
    public let quarantinedPath: String
    /// Why it was taken as damaged (`quick_check`'s first finding, or the open error).
    public let reason: String
    /// Outbox entries read from it and carried into the new database (the mirror itself is
    /// rebuilt by the next pull).
    public let carriedEntries: Int
}

extension MirrorStore {
    /// Opens the database at `path` after checking it: a file that SQLite cannot open or whose
    /// `PRAGMA quick_check` is not `ok` is moved aside (with its `-wal` and `-shm`) to
    /// `<path>.damaged-<unix time>`, the entries of its outbox that were not finished are carried
    /// into a fresh database if they can still be read, and the mirror is rebuilt from empty.
    ///
    /// Leftover `-wal`/`-shm` files of a clean database are not damage: SQLite recovers them.
    public static func openChecked(path: String, now: Date = Date()) throws -> (MirrorStore, MirrorRecovery?) {
        guard FileManager.default.fileExists(atPath: path), let problem = integrityProblem(path) else {
            return (try MirrorStore(path: path), nil)
        }
        let quarantined = "\(path).damaged-\(Int(now.timeIntervalSince1970))"
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            try FileManager.default.moveItem(atPath: path + suffix, toPath: quarantined + suffix)
        }
        let carried = readableOutbox(quarantined)
        let store = try MirrorStore(path: path)
        try store.pool.write { db in
            for entry in carried.entries {
                try db.execute(
                    sql: """
                        INSERT INTO outbox (id, kind, arguments, state, attempts, checks, committed, next_attempt_at, baseline, result,
                            last_error, error_code, error_message, created_at, updated_at, account)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: StatementArguments(entry))
            }
            for chain in carried.chains {
                try db.execute(sql: "INSERT OR IGNORE INTO outbox_chain (entry_id, chain) VALUES (?, ?)", arguments: StatementArguments(chain))
            }
            for blob in carried.blobs {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO outbox_blob (entry_id, data, content_type, filename) VALUES (?, ?, ?, ?)",
                    arguments: StatementArguments(blob))
            }
            for mapping in carried.tempIDs {
                try db.execute(sql: "INSERT OR IGNORE INTO temp_id (seq, collection, real_id) VALUES (?, ?, ?)", arguments: StatementArguments(mapping))
            }
        }
        return (store, MirrorRecovery(quarantinedPath: quarantined, reason: problem, carriedEntries: carried.entries.count))
    }

    /// Nil when the file opens and passes `quick_check`; else what is wrong. `quick_check` reads
    /// every page and checks every b-tree's structure, as `integrity_check` does, but not that
    /// indexes match their tables: a quarter of the time (0.15 s against 0.65 s on a 170 MB
    /// mirror), which READY waits for. A stale index surfaces later as a query error, not a crash.
    static func integrityProblem(_ path: String) -> String? {
        do {
            var configuration = Configuration()
            configuration.readonly = true
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            let findings = try queue.read { db in try String.fetchAll(db, sql: "PRAGMA quick_check") }
            try queue.close()
            return findings == ["ok"] ? nil : (findings.first ?? "quick_check found nothing to say")
        } catch {
            return "\(error)"
        }
    }

    private struct CarriedOutbox {
        var entries: [[DatabaseValue]] = []
        var chains: [[DatabaseValue]] = []
        var blobs: [[DatabaseValue]] = []
        var tempIDs: [[DatabaseValue]] = []
    }

    /// The unfinished outbox of a damaged database, as far as it can be read. Entries found in
    /// flight become unknown: they may have reached the server.
    private static func readableOutbox(_ path: String) -> CarriedOutbox {
        var carried = CarriedOutbox()
        guard
            let queue = try? DatabaseQueue(
                path: path,
                configuration: {
                    var c = Configuration()
                    c.readonly = true
                    return c
                }())
        else {
            return carried
        }
        defer { try? queue.close() }
        _ = try? queue.read { db in
            // A database older than schema v5 has no accounts: its entries are nobody's until the
            // owner key below is read, and then the owner's.
            let hasAccounts = (try? db.columns(in: "outbox").contains { $0.name == "account" }) ?? false
            let owner = (try? String.fetchOne(db, sql: "SELECT cursor FROM sync_state WHERE key = 'owner'")) ?? nil
            let account = hasAccounts ? "account" : "'" + (owner ?? "").replacingOccurrences(of: "'", with: "''") + "'"
            let columns =
                "id, kind, arguments, state, attempts, checks, committed, next_attempt_at, baseline, result, last_error, error_code, error_message, created_at, updated_at, \(account)"
            for row in try Row.fetchAll(db, sql: "SELECT \(columns) FROM outbox WHERE state NOT IN ('applied', 'discarded')") {
                var values = Array(row.databaseValues)
                if row["state"] as String? == "in_flight" { values[3] = "unknown".databaseValue }
                carried.entries.append(values)
            }
            let ids = Set(carried.entries.compactMap { Int.fromDatabaseValue($0[0]) })
            carried.chains = try Row.fetchAll(db, sql: "SELECT entry_id, chain FROM outbox_chain").map { Array($0.databaseValues) }
                .filter { Int.fromDatabaseValue($0[0]).map(ids.contains) ?? false }
            carried.blobs =
                (try? Row.fetchAll(db, sql: "SELECT entry_id, data, content_type, filename FROM outbox_blob").map { Array($0.databaseValues) }
                    .filter { Int.fromDatabaseValue($0[0]).map(ids.contains) ?? false }) ?? []
            carried.tempIDs = (try? Row.fetchAll(db, sql: "SELECT seq, collection, real_id FROM temp_id").map { Array($0.databaseValues) }) ?? []
        }
        return carried
    }

    /// Empties the mirror (every collection, list, shadow and sync state), with a journal entry
    /// per record removed: another account is about to fill it. The outbox is not touched.
    @discardableResult
    public func resetMirror(now: Date = Date()) async throws -> Int {
        try await pool.write { db in
            var removed = 0
            for collection in MirrorCollection.allCases {
                let ids = try Int.fetchAll(db, sql: "SELECT id FROM \(collection.table.quotedDatabaseIdentifier)")
                try db.execute(sql: "DELETE FROM \(collection.table.quotedDatabaseIdentifier)")
                for id in ids { _ = try Self.appendJournal(db, collection, id, .delete, now: now) }
                removed += ids.count
            }
            // Claims stay: they are the outbox's, and an entry still unresolved must not take a
            // record another entry already took (docs/outbox.md, "Accounts taking turns").
            try db.execute(sql: "DELETE FROM list_member; DELETE FROM shadow; DELETE FROM overlay; DELETE FROM sync_state")
            // The previous account's pictures: their index goes now, their files with it (SyncAgent).
            try db.execute(sql: "DELETE FROM image_cache")
            return removed
        }
    }

    /// Closes the database: the WAL is checkpointed and the files are left consistent.
    public func close() throws {
        _ = try pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
        try pool.close()
    }
}
