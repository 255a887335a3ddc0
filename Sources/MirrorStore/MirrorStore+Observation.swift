import GRDB

extension MirrorStore {
    /// The journal's last `seq`, now and after every transaction that adds to it (GRDB's value
    /// observation: no polling). Ends when the consuming task is cancelled.
    public func journalUpdates() -> AsyncStream<Int> {
        let observation = ValueObservation.tracking { db in
            try Int.fetchOne(db, sql: "SELECT MAX(seq) FROM change_journal") ?? 0
        }.removeDuplicates()
        let pool = self.pool
        return AsyncStream { continuation in
            let task = Task {
                do {
                    for try await seq in observation.values(in: pool) {
                        continuation.yield(seq)
                    }
                } catch {}
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
