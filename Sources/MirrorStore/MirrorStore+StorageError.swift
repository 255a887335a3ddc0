import Foundation
import GRDB

/// A write the database could not commit because of the disk: it is full, or the file system
/// reported an I/O error (a failed `write` or `fsync`).
///
/// **Whether the write can come back.** In WAL mode SQLite appends a transaction's pages to the
/// WAL, then syncs it, then publishes it in the WAL index. When the sync (or the publication)
/// fails, it reports the commit as failed, but the frames stay in the WAL file, valid; if the
/// process ends before the next write overwrites them, the recovery at the next start replays
/// them, and the "failed" transaction is committed after all. For an enqueue that would turn a
/// mutation the client was told was refused into one that is sent upstream (reproduced with
/// libfiu: `fdatasync` failing with EIO, then SIGKILL; docs/reliability.md). So after such a
/// failure the store at once makes a small write of its own (``MirrorStore/storageError(after:)``),
/// whose frames take the place of the failed ones: once they are written, the failed
/// transaction can no longer come back, even if that write's own sync fails too.
public struct StorageError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Cause: String, Sendable, Hashable {
        /// SQLITE_FULL: the disk (or the file size limit) is full.
        case full = "storage_full"
        /// SQLITE_IOERR: a read, write or sync failed.
        case ioError = "storage_error"
    }

    public let cause: Cause
    /// False when the failed write is certainly not in the database and can never come back;
    /// true when it may still be committed by the recovery at the next start.
    public let mayReappear: Bool
    /// SQLite's own words (no data of the write).
    public let detail: String

    public init(cause: Cause, mayReappear: Bool, detail: String) {
        self.cause = cause
        self.mayReappear = mayReappear
        self.detail = detail
    }

    public var description: String {
        "\(cause.rawValue) (\(mayReappear ? "may still be committed" : "not saved")): \(detail)"
    }
}

extension MirrorStore {
    /// Classifies a failed write: nil when `error` is not the disk's (a constraint, a refusal, a
    /// bug); otherwise a ``StorageError`` saying whether the write can still come back, after
    /// making sure, when it can, that it cannot (see ``StorageError``).
    public func storageError(after error: any Error) async -> StorageError? {
        guard let error = error as? DatabaseError else { return nil }
        let detail = "SQLite error \(error.extendedResultCode.rawValue): \(error.message ?? "")"
        switch error.resultCode {
        case .SQLITE_FULL:
            // Writing the frames failed: the commit frame, written last, is not in the WAL.
            return StorageError(cause: .full, mayReappear: false, detail: detail)
        case .SQLITE_IOERR:
            if error.extendedResultCode == .SQLITE_IOERR_WRITE {
                return StorageError(cause: .ioError, mayReappear: false, detail: detail)
            }
            return StorageError(cause: .ioError, mayReappear: !(await overwriteFailedCommit()), detail: detail)
        default:
            return nil
        }
    }

    /// One small write (a row of `sync_state` that nothing reads), whose frames go where a failed
    /// commit left its own: true when they were written, even if their sync failed.
    private func overwriteFailedCommit() async -> Bool {
        do {
            try await pool.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO sync_state (key, last_success) VALUES ('storage.overwrite', ?)
                        ON CONFLICT(key) DO UPDATE SET last_success = excluded.last_success
                        """,
                    arguments: [Date().timeIntervalSince1970])
            }
            return true
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_IOERR_FSYNC {
            return true
        } catch {
            return false
        }
    }
}

extension MirrorStore {
    /// A write recording what became of an outbox entry after it was worked on (requeued,
    /// unknown, applied, rejected, parked), made again while the disk refuses it (full, I/O
    /// error), until it succeeds or the task is cancelled (the daemon stops: the entry is then
    /// resolved at the next start, as after a crash).
    ///
    /// Without this, one failed write left the entry `in_flight` in the database while the
    /// replayer moved on: it works only on `queued` and `unknown` entries, so the entry and every
    /// entry of its chains waited until the daemon was restarted, however soon the disk
    /// recovered (docs/reliability.md, "Disk").
    ///
    /// `synced: false` commits without waiting for the disk (`synchronous = NORMAL` for this one
    /// transaction): a process crash loses nothing, a power cut may lose this commit and any
    /// later unsynced one, never an earlier synced one (the WAL is replayed in order). Only for
    /// outcomes that a loss turns back into a state the read-back settles (docs/outbox.md,
    /// "What is synced to disk").
    func writeOutcome<T: Sendable>(synced: Bool = true, _ updates: @escaping @Sendable (Database) throws -> T) async throws -> T {
        var delay: Duration = .milliseconds(50)
        while true {
            do {
                return try await synced ? pool.write(updates) : writeUnsynced(updates)
            } catch let error as DatabaseError where error.resultCode == .SQLITE_FULL || error.resultCode == .SQLITE_IOERR {
                if Task.isCancelled { throw error }
                try? await Task.sleep(for: delay)
                if Task.isCancelled { throw error }
                delay = min(delay * 2, .seconds(2))
            }
        }
    }

    /// One transaction committed with `synchronous = NORMAL`, the writer's `FULL` restored after
    /// it whatever happened, before any other write can run (the pool has one writer).
    private func writeUnsynced<T: Sendable>(_ updates: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            let outcome = Result<T, any Error> {
                var value: T?
                try db.inTransaction {
                    value = try updates(db)
                    return .commit
                }
                return value!
            }
            try db.execute(sql: "PRAGMA synchronous = FULL")
            return try outcome.get()
        }
    }
}
