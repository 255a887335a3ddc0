import Foundation
import GRDB

/// What a wipe removed, for the log and for `session.logout`'s answer.
public struct WipeReport: Sendable, Hashable {
    /// Mirrored records removed, over every collection.
    public var records = 0
    /// Change-journal entries removed.
    public var journalEntries = 0
    /// Finished (applied or discarded) outbox entries of the account removed.
    public var finishedEntries = 0
    /// Rows of the image cache's index removed (the files go with them: ``SyncAgent``).
    public var images = 0
    /// Unfinished entries of the account kept for its next login.
    public var keptEntries = 0
    /// Whether the write-ahead log was emptied afterwards (false: a reader held it; the deleted
    /// content there is zeroed all the same).
    public var checkpointed = false
}

extension MirrorStore {
    /// Wipes what the database holds of `account`, for a logout at a shared kiosk: every
    /// mirrored record, list, shadow and overlay, the search index (its triggers empty it, and it
    /// is rebuilt so that its segments keep nothing), the sync state, the change journal, the
    /// session, and the account's finished outbox entries. Only its unfinished entries stay, to
    /// be sent at its next login (docs/configuration.md, "Shared kiosks").
    ///
    /// The deletes run with `secure_delete`, so SQLite overwrites the deleted content with zeros,
    /// and a `TRUNCATE` checkpoint then copies the zeroed pages into the database file and
    /// empties the write-ahead log: afterwards neither file holds the deleted values.
    @discardableResult
    public func wipe(account: String) async throws -> WipeReport {
        CrashPoint.reach(.beforeStateChange)
        defer { CrashPoint.reach(.afterStateChange) }
        var report = try await pool.writeWithoutTransaction { db -> WipeReport in
            try db.execute(sql: "PRAGMA secure_delete = ON")
            defer { try? db.execute(sql: "PRAGMA secure_delete = FAST") }
            var report = WipeReport()
            try db.inTransaction {
                for collection in MirrorCollection.allCases {
                    try db.execute(sql: "DELETE FROM \(collection.table.quotedDatabaseIdentifier)")
                    report.records += db.changesCount
                }
                try SearchIndex.purgeRemnants(db)
                try db.execute(sql: "DELETE FROM change_journal")
                report.journalEntries = db.changesCount
                try db.execute(sql: "DELETE FROM list_member; DELETE FROM shadow; DELETE FROM overlay; DELETE FROM sync_state; DELETE FROM session")
                // The cache's index: the files themselves are the image fetcher's to remove.
                try db.execute(sql: "DELETE FROM image_cache")
                report.images = db.changesCount
                let finished = "SELECT id FROM outbox WHERE account = ? AND state IN ('applied', 'discarded')"
                try db.execute(sql: "DELETE FROM outbox_chain WHERE entry_id IN (\(finished))", arguments: [account])
                try db.execute(sql: "DELETE FROM outbox_blob WHERE entry_id IN (\(finished))", arguments: [account])
                try db.execute(sql: "DELETE FROM outbox WHERE account = ? AND state IN ('applied', 'discarded')", arguments: [account])
                report.finishedEntries = db.changesCount
                report.keptEntries = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE account = ?", arguments: [account]) ?? 0
                return .commit
            }
            return report
        }
        report.checkpointed = try await truncateLog()
        return report
    }

    /// Checkpoints the write-ahead log into the database file and truncates it to zero bytes;
    /// a reader in the middle of a read can hold it back, so it is tried a few times.
    private func truncateLog() async throws -> Bool {
        for attempt in 0..<20 {
            let emptied = try await pool.writeWithoutTransaction { db -> Bool in
                let result = try db.checkpoint(.truncate)
                return result.walFrameCount == result.checkpointedFrameCount
            }
            if emptied { return true }
            try await Task.sleep(for: .milliseconds(50 * (attempt + 1)))
        }
        return false
    }
}
