import GRDB
import Synchronization

/// Counts the transactions committed through the store's writer, so that anything derived from
/// the database (a cached read reply) can tell in one atomic load whether it may be stale.
///
/// Every write of the store goes through its pool's one writer connection, where this observer
/// sits; a commit is counted after SQLite made it visible, before the write returns to its
/// caller. So a value taken before a read names data at least as old as what that read saw,
/// and anything stored under it is discarded once a later commit is counted.
final class CommitCounter: TransactionObserver, Sendable {
    private let commits = Atomic<UInt64>(0)

    /// Commits counted so far.
    var value: UInt64 { commits.load(ordering: .acquiring) }

    // No per-row events: only the commit matters, and asking for none keeps writes cheap.
    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { false }
    func databaseDidChange(with event: DatabaseEvent) {}
    func databaseDidCommit(_ db: Database) { commits.add(1, ordering: .releasing) }
    func databaseDidRollback(_ db: Database) {}
}
