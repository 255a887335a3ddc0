import Foundation
import GRDB

/// What an operator watches of the database, read in one transaction: no record's content, only
/// counts, times and sizes.
public struct OperationalFigures: Sendable, Hashable {
    /// Entries of every account, by state.
    public var outboxByState: [OutboxState: Int] = [:]
    /// When the oldest entry neither applied nor discarded was accepted; nil when there is none.
    public var oldestUnfinished: Date?
    /// Rows of the change journal.
    public var journalEntries = 0
    /// Bytes of photos taken offline, kept until uploaded.
    public var photoBytes = 0
    /// The last complete pull of each upstream list (`GET /doctor/project` ...).
    public var lastPulls: [String: Date] = [:]
}

extension MirrorStore {
    /// The figures of ``OperationalFigures``.
    public func operationalFigures() async throws -> OperationalFigures {
        try await pool.read { db in
            var figures = OperationalFigures()
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM outbox GROUP BY state") {
                if let state = OutboxState(rawValue: row["state"]) { figures.outboxByState[state] = row["n"] }
            }
            figures.oldestUnfinished = try Double.fetchOne(
                db, sql: "SELECT MIN(created_at) FROM outbox WHERE state NOT IN ('applied', 'discarded')"
            ).map(Date.init(timeIntervalSince1970:))
            figures.journalEntries = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM change_journal") ?? 0
            figures.photoBytes = try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(LENGTH(data)), 0) FROM outbox_blob") ?? 0
            for row in try Row.fetchAll(db, sql: "SELECT key, last_success FROM sync_state WHERE last_success IS NOT NULL AND key != 'owner'") {
                figures.lastPulls[row["key"]] = Date(timeIntervalSince1970: row["last_success"])
            }
            return figures
        }
    }

    /// `PRAGMA quick_check` of the open database: `["ok"]`, or what it found (page and b-tree
    /// problems; it never prints record contents).
    public func quickCheck() async throws -> [String] {
        try await pool.read { db in try String.fetchAll(db, sql: "PRAGMA quick_check") }
    }

    /// The bytes of the database file and its write-ahead log, as they stand on disk.
    public static func fileBytes(path: String) -> (database: Int, wal: Int) {
        func size(_ file: String) -> Int {
            ((try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? NSNumber)?.intValue ?? 0
        }
        return (size(path), size(path + "-wal"))
    }
}
