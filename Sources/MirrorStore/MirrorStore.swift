import Foundation
import GRDB
import VolunteerAPI

/// The one SQLite database of vdsyncd (GRDB over the system libsqlite3): mirrored records with
/// their raw JSON, which lists hold them, the change journal, sync state and the session.
///
/// It is a `DatabasePool` in WAL mode with `synchronous = FULL`, so a write that returned is on
/// disk and readers never wait for writers. The file and its WAL are created readable by the
/// owner only (0600). Every page is written in one transaction; an unchanged record is not
/// written at all and adds no journal entry.
public final class MirrorStore: Sendable {
    let pool: DatabasePool
    private let commits = CommitCounter()

    /// Changes with every committed write (mirror, outbox, session, anything): equal values
    /// mean nothing was committed in between. Taken before a read, it names data no newer than
    /// what the read returns, which is what a cache of reads needs (``CommitCounter``).
    public var generation: UInt64 { commits.value }

    /// The schema this build writes (the newest migration's name), for `status`.
    public static var schemaVersion: String { MirrorSchema.version }

    /// Opens (creating if needed) the database at `path`. Throws
    /// ``MirrorStoreError/newerSchema(unknown:)`` for a database written by a newer vdsync.
    public init(path: String) throws {
        try Self.createPrivately(path)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        pool = try DatabasePool(path: path, configuration: configuration)
        // The pool sets `synchronous = NORMAL` for WAL; the outbox needs every commit on disk.
        // Medical data: deleted and overwritten content is zeroed in the pages a write touches
        // anyway (`FAST` costs no extra I/O); a logout's wipe turns it fully on (MirrorStore+Wipe).
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL; PRAGMA secure_delete = FAST") }
        let migrator = MirrorSchema.migrator
        try pool.read { db in
            if try migrator.hasBeenSuperseded(db) {
                let known = Set(migrator.migrations)
                let unknown = try migrator.appliedIdentifiers(db).subtracting(known).sorted()
                throw MirrorStoreError.newerSchema(unknown: unknown)
            }
        }
        try migrator.migrate(pool)
        pool.add(transactionObserver: commits, extent: .databaseLifetime)
        // The search triggers follow this build's list of what is indexed (a no-op when unchanged).
        try pool.write { db in try SearchIndex.install(db) }
        // SQLite gives the WAL and shared-memory files the database file's mode; make sure.
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path + suffix)
        }
    }

    private static func createPrivately(_ path: String) throws {
        guard !FileManager.default.fileExists(atPath: path) else {
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
            return
        }
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw MirrorStoreError.cannotCreate(path: path)
        }
    }

    // MARK: - Writing pages

    /// Writes one page of records in one transaction: new records are inserted, changed ones
    /// (another content hash, or newly known context) updated, each with a journal entry;
    /// unchanged ones are not touched. With `list`, the records also become members of that list
    /// at `offset` onwards.
    ///
    /// A record that pending mutations change is server truth beneath their overlay: it is kept
    /// as the record's shadow and the visible row stays the shadow with the changes laid over it.
    /// Context columns the page does not know (``MirrorCollection/contextColumns``) keep their
    /// stored values.
    @discardableResult
    public func write(_ records: [MirroredRecord], list: String? = nil, offset: Int = 0, now: Date = Date()) async throws -> PageWrite {
        try await pool.write { db in
            var result = PageWrite()
            for (index, record) in records.enumerated() {
                if let shadow = try Self.shadowRecord(db, record.collection, record.id) {
                    var context = shadow.context
                    for (name, value) in record.context where value != .null { context[name] = value }
                    try Self.writeShadow(db, record.collection, record.id, raw: record.raw, context: context)
                    if let entry = try Self.recompute(db, record.collection, record.id, now: now) {
                        result.entries.append(entry)
                    } else {
                        result.unchanged += 1
                    }
                } else if let operation = try Self.change(db, record) {
                    try Self.upsert(db, record, keepingContext: true, now: now)
                    result.entries.append(try Self.appendJournal(db, record.collection, record.id, operation, now: now))
                } else {
                    result.unchanged += 1
                }
                if let list {
                    // A record a pending mutation took out of this list stays out until it resolves.
                    let hidden =
                        try Bool.fetchOne(
                            db,
                            sql: "SELECT EXISTS (SELECT 1 FROM overlay WHERE list = ? AND collection = ? AND record_id = ? AND op = 'remove')",
                            arguments: [list, record.collection.rawValue, record.id]) ?? false
                    guard !hidden else { continue }
                    try db.execute(
                        sql: """
                            INSERT INTO list_member (list, collection, record_id, position) VALUES (?, ?, ?, ?)
                            ON CONFLICT DO UPDATE SET position = excluded.position WHERE position != excluded.position
                            """,
                        arguments: [list, record.collection.rawValue, record.id, offset + index])
                }
            }
            return result
        }
    }

    /// How writing `record` changes the stored row: nil when it holds the same content and
    /// context already.
    private static func change(_ db: Database, _ record: MirroredRecord) throws -> JournalEntry.Operation? {
        let context = record.collection.contextColumns
        let names = (["content_hash"] + context).map(\.quotedDatabaseIdentifier).joined(separator: ", ")
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT \(names) FROM \(record.collection.table.quotedDatabaseIdentifier) WHERE id = ?", arguments: [record.id])
        else { return .insert }
        if row["content_hash"] as String? != record.contentHash { return .update }
        for name in context {
            let given = record.columns[name] ?? .null
            guard given != .null else { continue }
            let stored = row[name] as DatabaseValue? ?? .null
            let matches: Bool
            switch given {
            case .integer(let number): matches = Int.fromDatabaseValue(stored) == number
            case .text(let text): matches = String.fromDatabaseValue(stored) == text
            case .null: matches = true
            }
            if !matches { return .update }
        }
        return nil
    }

    /// Inserts or replaces the visible row; with `keepingContext`, a context column the record
    /// does not know keeps its stored value.
    static func upsert(_ db: Database, _ record: MirroredRecord, keepingContext: Bool, now: Date) throws {
        let collection = record.collection
        let names = ["id"] + collection.columns + ["raw", "content_hash", "written_at"]
        var values: [(any DatabaseValueConvertible)?] = [record.id]
        for column in collection.columns {
            switch record.columns[column] ?? .null {
            case .null: values.append(nil)
            case .integer(let number): values.append(number)
            case .text(let text): values.append(text)
            }
        }
        values += [record.canonicalJSON, record.contentHash, now.timeIntervalSince1970]
        let quoted = names.map(\.quotedDatabaseIdentifier)
        let updates = names.dropFirst().map { (name: String) -> String in
            let column = name.quotedDatabaseIdentifier
            return keepingContext && collection.contextColumns.contains(name)
                ? "\(column) = COALESCE(excluded.\(column), \(column))" : "\(column) = excluded.\(column)"
        }.joined(separator: ", ")
        try db.execute(
            sql: """
                INSERT INTO \(collection.table.quotedDatabaseIdentifier) (\(quoted.joined(separator: ", ")))
                VALUES (\(Array(repeating: "?", count: names.count).joined(separator: ", ")))
                ON CONFLICT(id) DO UPDATE SET \(updates)
                """,
            arguments: StatementArguments(values))
    }

    static func appendJournal(_ db: Database, _ collection: MirrorCollection, _ id: Int, _ operation: JournalEntry.Operation, now: Date) throws -> JournalEntry
    {
        try appendJournal(db, .collection(collection), id, operation, now: now)
    }

    static func appendJournal(_ db: Database, _ topic: JournalEntry.Topic, _ id: Int, _ operation: JournalEntry.Operation, now: Date) throws -> JournalEntry {
        try db.execute(
            sql: "INSERT INTO change_journal (collection, record_id, operation, at) VALUES (?, ?, ?, ?)",
            arguments: [topic.name, id, operation.rawValue, now.timeIntervalSince1970])
        return JournalEntry(seq: Int(db.lastInsertedRowID), topic: topic, recordID: id, operation: operation, at: now)
    }

    // MARK: - Complete lists and deletions

    /// Records that `list` was fetched completely and held exactly `ids` of `collection`.
    ///
    /// Members no longer in it leave the list; a record that no list holds any more is deleted,
    /// with a journal entry. A list that comes back empty while it held records is not believed
    /// at once: unless `emptyConfirmed`, nothing changes and the answer is
    /// ``ListReconciliation/needsConfirmation`` (fetch it again, then confirm).
    public func completeList(_ list: String, of collection: MirrorCollection, ids: [Int], emptyConfirmed: Bool = false, now: Date = Date())
        async throws -> ListReconciliation
    {
        try await pool.write { db in
            // Members a pending mutation added, and records it changes, stay until it resolves.
            let pendingMembers = Set(
                try Int.fetchAll(
                    db, sql: "SELECT record_id FROM overlay WHERE list = ? AND collection = ? AND op = 'add'",
                    arguments: [list, collection.rawValue]))
            let held = Set(
                try Int.fetchAll(db, sql: "SELECT record_id FROM list_member WHERE list = ? AND collection = ?", arguments: [list, collection.rawValue])
            ).subtracting(pendingMembers)
            if ids.isEmpty, !held.isEmpty, !emptyConfirmed {
                return .needsConfirmation
            }
            let gone = held.subtracting(ids)
            var deleted: [JournalEntry] = []
            for id in gone.sorted() {
                try db.execute(
                    sql: "DELETE FROM list_member WHERE list = ? AND collection = ? AND record_id = ?", arguments: [list, collection.rawValue, id])
                let stillHeld =
                    try Int.fetchOne(
                        db, sql: "SELECT COUNT(*) FROM list_member WHERE collection = ? AND record_id = ?", arguments: [collection.rawValue, id]) ?? 0
                if stillHeld == 0, try !Self.hasOverlay(db, collection, id) {
                    try db.execute(sql: "DELETE FROM \(collection.table.quotedDatabaseIdentifier) WHERE id = ?", arguments: [id])
                    if db.changesCount > 0 {
                        deleted.append(try Self.appendJournal(db, collection, id, .delete, now: now))
                    }
                }
            }
            return .applied(removedFromList: gone.count, deleted: deleted)
        }
    }

    /// The ids `list` holds, in the order they were fetched.
    public func members(of list: String, collection: MirrorCollection) async throws -> [Int] {
        try await pool.read { db in
            try Int.fetchAll(
                db, sql: "SELECT record_id FROM list_member WHERE list = ? AND collection = ? ORDER BY position, record_id",
                arguments: [list, collection.rawValue])
        }
    }

    // MARK: - Reading

    /// The stored raw JSON of a record, or nil.
    public func raw(_ collection: MirrorCollection, id: Int) async throws -> JSONValue? {
        let text = try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT raw FROM \(collection.table.quotedDatabaseIdentifier) WHERE id = ?", arguments: [id])
        }
        return try text.map { try JSONValue.parse($0) }
    }

    /// The ids of every stored record of `collection`, ascending.
    public func ids(_ collection: MirrorCollection) async throws -> [Int] {
        try await pool.read { db in
            try Int.fetchAll(db, sql: "SELECT id FROM \(collection.table.quotedDatabaseIdentifier) ORDER BY id")
        }
    }

    /// Journal entries after `seq`, oldest first.
    public func journal(after seq: Int = 0, limit: Int = 1000) async throws -> [JournalEntry] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM change_journal WHERE seq > ? ORDER BY seq LIMIT ?", arguments: [seq, limit]
            ).compactMap { row in
                guard let topic = JournalEntry.Topic(name: row["collection"]),
                    let operation = JournalEntry.Operation(rawValue: row["operation"])
                else { return nil }
                return JournalEntry(
                    seq: row["seq"], topic: topic, recordID: row["record_id"], operation: operation,
                    at: Date(timeIntervalSince1970: row["at"]))
            }
        }
    }

    /// The last journal `seq` written; 0 when none. It never goes back, even when the journal is
    /// trimmed or wiped (AUTOINCREMENT keeps it in `sqlite_sequence`).
    public func lastSeq() async throws -> Int {
        try await pool.read { db in try Self.lastSeq(db) }
    }

    static func lastSeq(_ db: Database) throws -> Int {
        let kept = try Int.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'change_journal'") ?? 0
        return max(kept, try Int.fetchOne(db, sql: "SELECT MAX(seq) FROM change_journal") ?? 0)
    }

    /// The newest `seq` no longer in the journal (trimmed or wiped): a subscriber that last saw
    /// an older one cannot be caught up from the journal and must read again.
    public func journalHorizon() async throws -> Int {
        try await pool.read { db in
            if let oldest = try Int.fetchOne(db, sql: "SELECT MIN(seq) FROM change_journal") { return oldest - 1 }
            return try Self.lastSeq(db)
        }
    }

    /// Keeps the journal bounded: removes entries beyond the newest `maxEntries` and those older
    /// than `maxAge`. Returns how many went.
    @discardableResult
    public func trimJournal(maxEntries: Int, maxAge: TimeInterval, now: Date = Date()) async throws -> Int {
        try await pool.write { db in
            try db.execute(
                sql: """
                    DELETE FROM change_journal
                    WHERE seq <= (SELECT seq FROM change_journal ORDER BY seq DESC LIMIT 1 OFFSET ?) OR at < ?
                    """,
                arguments: [maxEntries, now.timeIntervalSince1970 - maxAge])
            return db.changesCount
        }
    }

    // MARK: - Sync state and session

    /// When `key` (a collection or list) was last pulled completely, and where paging stopped.
    public func syncState(_ key: String) async throws -> SyncState? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM sync_state WHERE key = ?", arguments: [key]).map { row in
                SyncState(key: key, lastSuccess: (row["last_success"] as Double?).map(Date.init(timeIntervalSince1970:)), cursor: row["cursor"])
            }
        }
    }

    public func markSynced(_ key: String, at date: Date, cursor: String? = nil) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO sync_state (key, last_success, cursor) VALUES (?, ?, ?)
                    ON CONFLICT(key) DO UPDATE SET last_success = excluded.last_success, cursor = excluded.cursor
                    """,
                arguments: [key, date.timeIntervalSince1970, cursor])
        }
    }

    /// Records several lists' last complete pull in one transaction.
    public func markSynced(_ lists: [String: Date]) async throws {
        try await pool.write { db in
            for (key, date) in lists.sorted(by: { $0.key < $1.key }) {
                try db.execute(
                    sql: """
                        INSERT INTO sync_state (key, last_success) VALUES (?, ?)
                        ON CONFLICT(key) DO UPDATE SET last_success = excluded.last_success
                        """,
                    arguments: [key, date.timeIntervalSince1970])
            }
        }
    }

    public func saveSession(_ session: StoredSession) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO session (id, token, role, user_id, saved_at, origin) VALUES (1, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET token = excluded.token, role = excluded.role,
                        user_id = excluded.user_id, saved_at = excluded.saved_at, origin = excluded.origin
                    """,
                arguments: [session.token, session.role.rawValue, session.userID, session.savedAt.timeIntervalSince1970, session.origin?.rawValue])
        }
    }

    public func session() async throws -> StoredSession? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM session WHERE id = 1").flatMap { row in
                UserRole(rawValue: row["role"]).map {
                    StoredSession(
                        token: row["token"], role: $0, userID: row["user_id"], savedAt: Date(timeIntervalSince1970: row["saved_at"]),
                        origin: (row["origin"] as String?).flatMap(StoredSession.Origin.init(rawValue:)))
                }
            }
        }
    }

    public func clearSession() async throws {
        try await pool.write { db in try db.execute(sql: "DELETE FROM session") }
    }
}
