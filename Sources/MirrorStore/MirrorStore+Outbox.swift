import Foundation
import GRDB
import VolunteerAPI

/// The mirror as one enqueue transaction sees it: what a mutation kind reads to validate and
/// shape its optimistic effect, and where it adds its entries. Valid only inside
/// ``MirrorStore/enqueue(now:_:)``.
public struct OutboxTransaction {
    let db: Database
    public let now: Date
    /// Entries added so far, with the journal entries of their effects.
    var added: [OutboxEntry] = []
    var journal: [JournalEntry] = []

    /// A new temporary (negative) id for a record of `collection` created offline.
    public func allocateTempID(_ collection: MirrorCollection) throws -> Int {
        try db.execute(sql: "INSERT INTO temp_id (collection) VALUES (?)", arguments: [collection.rawValue])
        return -Int(db.lastInsertedRowID)
    }

    /// The server id a temporary id resolved to, once known.
    public func realID(forTemp tempID: Int) throws -> Int? {
        try MirrorStore.realID(db, tempID)
    }

    /// The visible JSON of a record (server truth with pending changes laid over it).
    public func raw(_ collection: MirrorCollection, id: Int) throws -> JSONValue? {
        try MirrorStore.visibleRecord(db, collection, id)?.raw
    }

    /// The visible record, columns included.
    public func record(_ collection: MirrorCollection, id: Int) throws -> MirroredRecord? {
        try MirrorStore.visibleRecord(db, collection, id)
    }

    /// Ids of `collection` whose column `name` equals `value`, ascending.
    public func ids(_ collection: MirrorCollection, where name: String, is value: MirrorValue) throws -> [Int] {
        guard collection.columns.contains(name) else { return [] }
        let table = collection.table.quotedDatabaseIdentifier
        switch value {
        case .null: return try Int.fetchAll(db, sql: "SELECT id FROM \(table) WHERE \(name.quotedDatabaseIdentifier) IS NULL ORDER BY id")
        case .integer(let number):
            return try Int.fetchAll(db, sql: "SELECT id FROM \(table) WHERE \(name.quotedDatabaseIdentifier) = ? ORDER BY id", arguments: [number])
        case .text(let text):
            return try Int.fetchAll(db, sql: "SELECT id FROM \(table) WHERE \(name.quotedDatabaseIdentifier) = ? ORDER BY id", arguments: [text])
        }
    }

    /// The largest id stored in `collection` (0 when empty): a baseline for "created after".
    public func maximumID(_ collection: MirrorCollection) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT MAX(id) FROM \(collection.table.quotedDatabaseIdentifier)") ?? 0
    }

    /// The state of an entry accepted earlier (or in this transaction).
    public func entry(_ id: Int) throws -> OutboxEntry? {
        try MirrorStore.entry(db, id)
    }

    /// Adds one entry with its chains, blob and optimistic effect; returns its id.
    @discardableResult
    public mutating func add(_ new: NewOutboxEntry) throws -> Int {
        try db.execute(
            sql: """
                INSERT INTO outbox (kind, arguments, state, next_attempt_at, created_at, updated_at, account)
                VALUES (?, ?, 'queued', ?, ?, ?, ?)
                """,
            arguments: [
                new.kind, ContentHash.canonicalText(new.arguments), now.timeIntervalSince1970, now.timeIntervalSince1970, now.timeIntervalSince1970,
                new.account,
            ])
        let id = Int(db.lastInsertedRowID)
        for chain in Set(new.chains) {
            try db.execute(sql: "INSERT INTO outbox_chain (entry_id, chain) VALUES (?, ?)", arguments: [id, chain])
        }
        if let blob = new.blob {
            try db.execute(
                sql: "INSERT INTO outbox_blob (entry_id, data, content_type, filename) VALUES (?, ?, ?, ?)",
                arguments: [id, blob.data, blob.contentType, blob.filename])
        }
        journal += try MirrorStore.addOverlay(db, entryID: id, effects: new.effects, now: now)
        journal.append(try MirrorStore.appendJournal(db, .outbox, id, .insert, now: now))
        if let entry = try MirrorStore.entry(db, id) { added.append(entry) }
        return id
    }
}

extension OutboxTransaction {
    /// Adds entry `entryID` (added in this transaction) to `chain`: for a chain named after the
    /// entry itself (`upload:<id>`), which can only be named once its id is known.
    public mutating func addChain(_ chain: String, to entryID: Int) throws {
        try db.execute(sql: "INSERT OR IGNORE INTO outbox_chain (entry_id, chain) VALUES (?, ?)", arguments: [entryID, chain])
        if let index = added.firstIndex(where: { $0.id == entryID }), let entry = try MirrorStore.entry(db, entryID) {
            added[index] = entry
        }
    }
}

/// What an enqueue committed: the entries (in order) and the journal entries of their effects.
public struct EnqueueResult: Sendable, Hashable {
    public let entries: [OutboxEntry]
    public let journal: [JournalEntry]
}

/// The outbox's durable state changes. Each is one transaction, so a crash leaves an entry in
/// exactly one state with its overlay consistent.
extension MirrorStore {
    /// Accepts mutations: `build` validates against the mirror and adds entries; all of them and
    /// their optimistic effects commit together, or nothing does (an error thrown by `build`
    /// rolls back everything).
    public func enqueue(now: Date = Date(), _ build: @escaping @Sendable (inout OutboxTransaction) throws -> Void) async throws -> EnqueueResult {
        CrashPoint.reach(.beforeStateChange)
        defer { CrashPoint.reach(.afterStateChange) }
        return try await pool.write { db in
            var transaction = OutboxTransaction(db: db, now: now)
            try build(&transaction)
            return EnqueueResult(entries: transaction.added, journal: transaction.journal)
        }
    }

    // MARK: - Reading the outbox

    public func outboxEntry(_ id: Int) async throws -> OutboxEntry? {
        try await pool.read { db in try Self.entry(db, id) }
    }

    /// Entries in `states` (all when nil) of `account` (every account's when nil), ascending by
    /// id, after `afterID`.
    public func outboxEntries(
        states: Set<OutboxState>? = nil, kind: String? = nil, account: String? = nil, afterID: Int = 0, limit: Int = 1000
    ) async throws -> [OutboxEntry] {
        try await pool.read { db in
            var sql = "SELECT * FROM outbox WHERE id > ?"
            var arguments: StatementArguments = [afterID]
            if let account {
                sql += " AND account = ?"
                _ = arguments.append(contentsOf: [account])
            }
            if let states {
                sql += " AND state IN (\(states.map { _ in "?" }.joined(separator: ", ")))"
                for state in states.sorted(by: { $0.rawValue < $1.rawValue }) { _ = arguments.append(contentsOf: [state.rawValue]) }
            }
            if let kind {
                sql += " AND kind = ?"
                _ = arguments.append(contentsOf: [kind])
            }
            sql += " ORDER BY id LIMIT ?"
            _ = arguments.append(contentsOf: [limit])
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.entry(from:)).compactMap { $0 }.map { try Self.withChains(db, $0) }
        }
    }

    /// How many entries of `account` (every account's when nil) are in each state.
    public func outboxCounts(account: String? = nil) async throws -> [OutboxState: Int] {
        try await pool.read { db in
            var counts: [OutboxState: Int] = [:]
            let rows =
                if let account {
                    try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM outbox WHERE account = ? GROUP BY state", arguments: [account])
                } else {
                    try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM outbox GROUP BY state")
                }
            for row in rows {
                if let state = OutboxState(rawValue: row["state"]) { counts[state] = row["n"] }
            }
            return counts
        }
    }

    /// Entries of `account` that may be worked on now: `queued` or `unknown`, due, and first in
    /// every chain they belong to (no earlier entry of the chain still unresolved). Entries
    /// returned together never share a chain, so they may be sent concurrently.
    public func readyOutboxEntries(account: String, now: Date = Date(), limit: Int = 16, excluding excluded: Set<Int> = []) async throws -> [OutboxEntry] {
        guard limit > 0 else { return [] }
        return try await pool.read { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT e.* FROM outbox e INDEXED BY outbox_pending
                        WHERE e.state IN ('queued', 'unknown') AND e.account = ? AND e.next_attempt_at <= ?
                          AND e.id NOT IN (SELECT value FROM json_each(?))
                          AND NOT EXISTS (\(Self.earlierHolder))
                        ORDER BY e.id LIMIT ?
                        """),
                arguments: [account, now.timeIntervalSince1970, "[" + excluded.map(String.init).joined(separator: ",") + "]", limit]
            ).compactMap(Self.entry(from:)).map { try Self.withChains(db, $0) }
        }
    }

    /// An earlier entry of the same account that still holds one of `e`'s chains (not applied,
    /// not discarded): one probe of the partial index `outbox_chain_holding` per chain of `e`,
    /// however long the chain's applied history (schema v3). Another account's entries never
    /// hold an entry back: they are not sent while this account is logged in.
    static let earlierHolder = """
        SELECT 1 FROM outbox_chain c
        JOIN outbox_chain earlier ON earlier.chain = c.chain AND earlier.holds = 1 AND earlier.entry_id < c.entry_id
        JOIN outbox holder ON holder.id = earlier.entry_id AND holder.account = e.account
        WHERE c.entry_id = e.id
        """

    /// When the earliest `queued` or `unknown` entry of `account` first in its chains becomes
    /// due; nil when none is waiting to be worked on.
    public func nextOutboxDue(account: String) async throws -> Date? {
        try await pool.read { db in
            try Double.fetchOne(
                db,
                sql: """
                    SELECT MIN(e.next_attempt_at) FROM outbox e INDEXED BY outbox_pending
                    WHERE e.state IN ('queued', 'unknown') AND e.account = ? AND NOT EXISTS (\(Self.earlierHolder))
                    """,
                arguments: [account]
            ).map(Date.init(timeIntervalSince1970:))
        }
    }

    /// The photo of an upload entry, while it is not uploaded.
    public func blob(of entryID: Int) async throws -> OutboxBlob? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM outbox_blob WHERE entry_id = ? AND data IS NOT NULL", arguments: [entryID]).map {
                OutboxBlob(data: $0["data"], contentType: $0["content_type"], filename: $0["filename"])
            }
        }
    }

    /// The server id a temporary id resolved to, once known.
    public func realID(forTemp tempID: Int) async throws -> Int? {
        try await pool.read { db in try Self.realID(db, tempID) }
    }

    /// Whether a server record was already taken as the effect of another entry.
    public func isClaimed(_ claim: RecordClaim, byOtherThan entryID: Int) async throws -> Bool {
        try await pool.read { db in
            try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM claim WHERE collection = ? AND record_id = ? AND entry_id != ?)",
                arguments: [claim.collection.rawValue, claim.recordID, entryID]) ?? false
        }
    }

    /// Entries a read-back did not find while their last send may still take effect upstream:
    /// how many, and the latest time one of them may be sent again.
    public func settlingOutboxEntries(account: String? = nil, now: Date = Date()) async throws -> (count: Int, until: Date?) {
        try await pool.read { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) AS n, MAX(settles_at) AS until FROM outbox
                    WHERE state = 'unknown' AND settles_at > ? AND (? IS NULL OR account = ?)
                    """,
                arguments: [now.timeIntervalSince1970, account, account])
            return (row?["n"] ?? 0, (row?["until"] as Double?).map(Date.init(timeIntervalSince1970:)))
        }
    }

    /// Entries of `kind` other than `entryID` (in one of `chains`, when given) that were sent
    /// and are not resolved: each may yet find its own effect upstream, so a record like theirs
    /// is not another entry's late copy.
    public func unresolvedSends(of kind: String, excluding entryID: Int, inChains chains: [String]? = nil) async throws -> Int {
        try await pool.read { db in
            var sql = """
                SELECT COUNT(*) FROM outbox e WHERE e.kind = ? AND e.id != ? AND e.attempts > 0 AND e.state IN ('in_flight', 'unknown', 'parked')
                  AND e.account = (SELECT account FROM outbox WHERE id = ?2)
                """
            var arguments: StatementArguments = [kind, entryID]
            if let chains {
                sql += " AND EXISTS (SELECT 1 FROM outbox_chain c WHERE c.entry_id = e.id AND c.chain IN (SELECT value FROM json_each(?)))"
                _ = arguments.append(contentsOf: [ContentHash.canonicalText(.array(chains.map(JSONValue.string)))])
            }
            return try Int.fetchOne(db, sql: sql, arguments: arguments) ?? 0
        }
    }

    /// How many entries of accounts other than `account` are not finished (neither applied nor
    /// discarded): work that waits for its own account's next login.
    public func unfinishedOutboxEntries(otherThan account: String?) async throws -> Int {
        try await pool.read { db in
            try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM outbox WHERE state NOT IN ('applied', 'discarded') AND (? IS NULL OR account != ?)",
                arguments: [account, account]) ?? 0
        }
    }

    /// Whether pending mutations change this record.
    public func isPending(_ collection: MirrorCollection, id: Int) async throws -> Bool {
        try await pool.read { db in try Self.hasOverlay(db, collection, id) }
    }

    // MARK: - State changes

    /// Start-up: every entry found in flight may have reached the server. They become `unknown`,
    /// to be resolved by reading before anything is resent.
    @discardableResult
    public func recoverInFlight(now: Date = Date()) async throws -> [Int] {
        CrashPoint.reach(.beforeStateChange)
        defer { CrashPoint.reach(.afterStateChange) }
        return try await pool.write { db in
            let ids = try Int.fetchAll(db, sql: "SELECT id FROM outbox WHERE state = 'in_flight' ORDER BY id")
            for id in ids {
                try Self.update(
                    db, id, now: now, ["state": "unknown", "last_error": "found in flight at start-up", "next_attempt_at": now.timeIntervalSince1970])
            }
            return ids
        }
    }

    /// Made durable before the request leaves: the arguments as sent (temporary ids resolved,
    /// photo URLs filled in) and the baseline the read-back check compares with.
    public func markInFlight(_ id: Int, arguments: JSONValue, baseline: JSONValue?, now: Date = Date()) async throws {
        CrashPoint.reach(.beforeStateChange)
        defer { CrashPoint.reach(.afterStateChange) }
        try await pool.write { db in
            try Self.update(
                db, id, now: now,
                [
                    "state": "in_flight", "arguments": ContentHash.canonicalText(arguments),
                    "baseline": baseline.map(ContentHash.canonicalText), "attempts": Expression("attempts + 1"),
                    "sent_at": now.timeIntervalSince1970, "send_answered": 0,
                ])
        }
    }

    /// Back to `queued`, not before `at` (backoff, or a confirmed absence). `uncountingAttempt`
    /// takes back the attempt of a request refused before it could act (an expired session).
    public func requeue(_ id: Int, at: Date, error: String?, countingCheck: Bool = false, uncountingAttempt: Bool = false, now: Date = Date()) async throws {
        CrashPoint.reach(.beforeStateChange)
        defer { CrashPoint.reach(.afterStateChange) }
        try await writeOutcome { db in
            var changes: [String: (any Sendable)?] = ["state": "queued", "next_attempt_at": at.timeIntervalSince1970, "last_error": error]
            if countingCheck { changes["checks"] = Expression("checks + 1") }
            if uncountingAttempt { changes["attempts"] = Expression("MAX(attempts - 1, 0)") }
            try Self.update(db, id, now: now, changes)
        }
    }

    /// The link is back: entries waiting out a backoff become due now (the replayer paces them).
    public func expediteQueued(now: Date = Date()) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE outbox SET next_attempt_at = ? WHERE state IN ('queued', 'unknown') AND next_attempt_at > ?",
                arguments: [now.timeIntervalSince1970, now.timeIntervalSince1970])
        }
    }

    /// Sent, no readable answer: the read-back check decides, not before `checkAt`. `settlesAt`,
    /// when a read-back did not find the effect but the last send may still take effect: not
    /// sent again before then (cleared by any other change of state). `sendAnswered`, when the
    /// server's own answer showed it was done with the request that just ended.
    public func markUnknown(
        _ id: Int, checkAt: Date, error: String, committed: Bool = false, countingCheck: Bool = false, settlesAt: Date? = nil,
        sendAnswered: Bool = false, now: Date = Date()
    ) async throws {
        CrashPoint.reach(.beforeStateChange)
        defer { CrashPoint.reach(.afterStateChange) }
        try await writeOutcome { db in
            var changes: [String: (any Sendable)?] = [
                "state": "unknown", "next_attempt_at": checkAt.timeIntervalSince1970, "last_error": error,
                "settles_at": settlesAt?.timeIntervalSince1970,
            ]
            if committed { changes["committed"] = 1 }
            if countingCheck { changes["checks"] = Expression("checks + 1") }
            if sendAnswered { changes["send_answered"] = 1 }
            try Self.update(db, id, now: now, changes)
        }
    }

    /// The server has the effect. In one transaction: the entry becomes `applied` with its
    /// result; its pending changes become the record's state until the server's own records
    /// (`refreshed`, written beneath any other pending changes) replace them; a record created
    /// offline gives way to the server's (`mapping`), and other entries' changes follow it.
    /// `notice` stays on the entry as its last error: something an operator should know though
    /// the entry is done (a late copy found upstream).
    ///
    /// Committed without waiting for the disk: lost to a power cut, the entry is found
    /// `in_flight` again, which the read-back settles as `applied` without resending; and any
    /// later synced commit (the next `in_flight`, an enqueue) makes this one durable first
    /// (docs/outbox.md, "What is synced to disk").
    @discardableResult
    public func markApplied(
        _ id: Int, result: JSONValue?, refreshed: [MirroredRecord] = [], mapping: TempIDMapping? = nil, claims: [RecordClaim] = [],
        scrubbedArguments: JSONValue? = nil, notice: String? = nil, now: Date = Date()
    ) async throws -> [JournalEntry] {
        CrashPoint.reach(.beforeStateChange)
        defer { CrashPoint.reach(.afterStateChange) }
        return try await writeOutcome(synced: false) { db in
            var journal: [JournalEntry] = []
            if let mapping {
                try db.execute(sql: "UPDATE temp_id SET real_id = ? WHERE seq = ?", arguments: [mapping.realID, -mapping.tempID])
                journal += try Self.moveOverlays(db, from: mapping, now: now)
            }
            for claim in claims {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO claim (collection, record_id, entry_id) VALUES (?, ?, ?)",
                    arguments: [claim.collection.rawValue, claim.recordID, id])
            }
            journal += try Self.removeOverlay(db, entryID: id, keep: true, now: now)
            journal += try Self.writeRefreshed(db, refreshed, now: now)
            try db.execute(sql: "UPDATE outbox_blob SET data = NULL WHERE entry_id = ?", arguments: [id])
            var changes: [String: (any Sendable)?] = [
                "state": "applied", "committed": 1, "result": result.map(ContentHash.canonicalText), "last_error": notice,
            ]
            if let scrubbedArguments { changes["arguments"] = ContentHash.canonicalText(scrubbedArguments) }
            try Self.update(db, id, now: now, changes)
            journal.append(try Self.appendJournal(db, .outbox, id, .update, now: now))
            return journal
        }
    }

    /// The server refused it for good: the effect is rolled back and the server's message kept.
    @discardableResult
    public func markRejected(_ id: Int, errorCode: Int?, message: String, now: Date = Date()) async throws -> [JournalEntry] {
        CrashPoint.reach(.beforeStateChange)
        defer { CrashPoint.reach(.afterStateChange) }
        return try await writeOutcome { db in
            var journal = try Self.removeOverlay(db, entryID: id, keep: false, now: now)
            try Self.update(db, id, now: now, ["state": "rejected", "error_code": errorCode, "error_message": message, "last_error": message])
            journal.append(try Self.appendJournal(db, .outbox, id, .update, now: now))
            return journal
        }
    }

    /// Gave up after the bounded number of attempts; the effect stays shown (it may yet be
    /// retried) and the last error is kept.
    public func park(_ id: Int, error: String, now: Date = Date()) async throws {
        CrashPoint.reach(.beforeStateChange)
        defer { CrashPoint.reach(.afterStateChange) }
        try await writeOutcome { db in
            try Self.update(db, id, now: now, ["state": "parked", "last_error": error])
            _ = try Self.appendJournal(db, .outbox, id, .update, now: now)
        }
    }

    /// An operator's retry of a parked or rejected entry: queued again with fresh attempts. A
    /// rejected entry's effect is laid over the mirror again. Returns false when the entry is in
    /// another state.
    public func retry(
        _ id: Int, now: Date = Date(), effects: @escaping @Sendable (OutboxEntry, OutboxTransaction) throws -> [RecordEffect]
    ) async throws -> Bool {
        try await pool.write { db in
            guard let entry = try Self.entry(db, id), entry.state == .parked || entry.state == .rejected else { return false }
            if entry.state == .rejected {
                _ = try Self.addOverlay(db, entryID: id, effects: try effects(entry, OutboxTransaction(db: db, now: now)), now: now)
            }
            // A parked entry may have reached the server: resolve it by reading, never by resending.
            let state = entry.state == .parked && entry.attempts > 0 ? "unknown" : "queued"
            try Self.update(
                db, id, now: now,
                [
                    "state": state, "attempts": 0, "checks": 0, "next_attempt_at": now.timeIntervalSince1970,
                    "error_code": nil, "error_message": nil,
                ])
            _ = try Self.appendJournal(db, .outbox, id, .update, now: now)
            return true
        }
    }

    /// An operator's (or the user's) discard of an entry that is queued, parked or rejected:
    /// its effect is rolled back and it no longer holds back its chain. A discarded entry is
    /// final, so `scrubbed` may give the arguments it keeps instead (without a new patient's
    /// password and personal numbers); nil keeps them. Returns false in another state (in
    /// flight or unknown: it may be on the server; applied: done).
    public func discard(
        _ id: Int, now: Date = Date(), scrubbed: @escaping @Sendable (OutboxEntry) -> JSONValue? = { _ in nil }
    ) async throws -> Bool {
        try await pool.write { db in
            guard let entry = try Self.entry(db, id), [.queued, .parked, .rejected].contains(entry.state) else { return false }
            _ = try Self.removeOverlay(db, entryID: id, keep: false, now: now)
            try db.execute(sql: "UPDATE outbox_blob SET data = NULL WHERE entry_id = ?", arguments: [id])
            var changes: [String: (any Sendable)?] = ["state": "discarded"]
            if let arguments = scrubbed(entry) { changes["arguments"] = ContentHash.canonicalText(arguments) }
            try Self.update(db, id, now: now, changes)
            _ = try Self.appendJournal(db, .outbox, id, .update, now: now)
            return true
        }
    }

    // MARK: - Helpers

    static func realID(_ db: Database, _ tempID: Int) throws -> Int? {
        guard tempID < 0 else { return tempID }
        return try Int.fetchOne(db, sql: "SELECT real_id FROM temp_id WHERE seq = ?", arguments: [-tempID])
    }

    private static func writeRefreshed(_ db: Database, _ records: [MirroredRecord], now: Date) throws -> [JournalEntry] {
        var journal: [JournalEntry] = []
        for record in records {
            if let shadow = try shadowRecord(db, record.collection, record.id) {
                var context = shadow.context
                for (name, value) in record.context where value != .null { context[name] = value }
                try writeShadow(db, record.collection, record.id, raw: record.raw, context: context)
                if let entry = try recompute(db, record.collection, record.id, now: now) { journal.append(entry) }
            } else {
                let existing = try visibleRecord(db, record.collection, record.id)
                guard existing?.contentHash != record.contentHash || existing?.context != record.context else { continue }
                try upsert(db, record, keepingContext: true, now: now)
                journal.append(try Self.appendJournal(db, record.collection, record.id, existing == nil ? .insert : .update, now: now))
            }
        }
        return journal
    }

    static func entry(_ db: Database, _ id: Int) throws -> OutboxEntry? {
        try Row.fetchOne(db, sql: "SELECT * FROM outbox WHERE id = ?", arguments: [id]).flatMap(entry(from:)).map { try withChains(db, $0) }
    }

    private static func withChains(_ db: Database, _ entry: OutboxEntry) throws -> OutboxEntry {
        let chains = try String.fetchAll(db, sql: "SELECT chain FROM outbox_chain WHERE entry_id = ? ORDER BY chain", arguments: [entry.id])
        return OutboxEntry(
            id: entry.id, kind: entry.kind, arguments: entry.arguments, chains: chains, state: entry.state, attempts: entry.attempts,
            checks: entry.checks, committed: entry.committed, nextAttemptAt: entry.nextAttemptAt, sentAt: entry.sentAt,
            sendAnswered: entry.sendAnswered, settlesAt: entry.settlesAt,
            baseline: entry.baseline, result: entry.result,
            lastError: entry.lastError, errorCode: entry.errorCode, errorMessage: entry.errorMessage, createdAt: entry.createdAt,
            updatedAt: entry.updatedAt, account: entry.account)
    }

    private static func entry(from row: Row) -> OutboxEntry? {
        guard let state = OutboxState(rawValue: row["state"]) else { return nil }
        func json(_ name: String) -> JSONValue? {
            (row[name] as String?).flatMap { try? decodeJSON($0) }
        }
        return OutboxEntry(
            id: row["id"], kind: row["kind"], arguments: json("arguments") ?? .null, chains: [], state: state, attempts: row["attempts"],
            checks: row["checks"], committed: row["committed"], nextAttemptAt: Date(timeIntervalSince1970: row["next_attempt_at"]),
            sentAt: (row["sent_at"] as Double?).map(Date.init(timeIntervalSince1970:)), sendAnswered: row["send_answered"],
            settlesAt: (row["settles_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
            baseline: json("baseline"), result: json("result"), lastError: row["last_error"], errorCode: row["error_code"],
            errorMessage: row["error_message"], createdAt: Date(timeIntervalSince1970: row["created_at"]),
            updatedAt: Date(timeIntervalSince1970: row["updated_at"]), account: row["account"])
    }

    private static func update(_ db: Database, _ id: Int, now: Date, _ changes: [String: (any Sendable)?]) throws {
        var assignments: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        for (name, value) in changes.sorted(by: { $0.key < $1.key }) {
            if let expression = value as? Expression {
                assignments.append("\(name.quotedDatabaseIdentifier) = \(expression.sql)")
            } else {
                assignments.append("\(name.quotedDatabaseIdentifier) = ?")
                arguments.append(value.flatMap { $0 as? any DatabaseValueConvertible })
            }
        }
        // A wait for a send to settle belongs to the `unknown` state that set it.
        if changes["state"] != nil, changes["settles_at"] == nil {
            assignments.append("settles_at = NULL")
        }
        assignments.append("updated_at = ?")
        arguments.append(now.timeIntervalSince1970)
        arguments.append(id)
        // Cached: the few shapes of state change repeat for every entry of a drain.
        try db.cachedStatement(sql: "UPDATE outbox SET \(assignments.joined(separator: ", ")) WHERE id = ?").execute(
            arguments: StatementArguments(arguments))
    }
}

extension MirrorStore {
    /// The largest id stored in `collection` (0 when empty): a baseline for "created after".
    public func maximumID(_ collection: MirrorCollection) async throws -> Int {
        try await pool.read { db in
            try Int.fetchOne(db, sql: "SELECT MAX(id) FROM \(collection.table.quotedDatabaseIdentifier)") ?? 0
        }
    }
}

/// A column update computed by SQLite from the row itself (`attempts + 1`).
private struct Expression: Sendable {
    let sql: String
    init(_ sql: String) { self.sql = sql }
}
