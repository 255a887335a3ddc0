import Foundation
import MirrorStore
import Testing

/// The change journal is bounded by count and by age; its horizon says which seqs are gone, and
/// the last seq never goes back, even when the journal is emptied (#17, item 6).
@Suite("The change journal's bounds")
struct JournalBoundsTests {
    static func store() throws -> (MirrorStore, String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return (try MirrorStore(path: directory.appendingPathComponent("mirror.sqlite").path), directory.path)
    }

    /// Adds `count` outbox entries: one journal entry each.
    static func write(_ store: MirrorStore, _ count: Int, at now: Date) async throws {
        for _ in 0..<count {
            _ = try await store.enqueue(now: now) { transaction in
                try transaction.add(NewOutboxEntry(account: "", kind: "chat.send", arguments: [:], chains: []))
            }
        }
    }

    @Test("trimming keeps the newest entries and none too old; the horizon and the last seq follow")
    func trimming() async throws {
        let (store, directory) = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let now = Date()
        try await Self.write(store, 5, at: now.addingTimeInterval(-10 * 86_400))
        try await Self.write(store, 20, at: now)
        #expect(try await store.lastSeq() == 25)
        #expect(try await store.journalHorizon() == 0, "nothing is gone yet")

        // By age: the five entries of ten days ago go.
        #expect(try await store.trimJournal(maxEntries: 1000, maxAge: 7 * 86_400, now: now) == 5)
        #expect(try await store.journalHorizon() == 5)
        #expect(try await store.journal(after: 0).map(\.seq) == Array(6...25))

        // By count: the newest 8 stay.
        #expect(try await store.trimJournal(maxEntries: 8, maxAge: 7 * 86_400, now: now) == 12)
        #expect(try await store.journal(after: 0).map(\.seq) == Array(18...25))
        #expect(try await store.journalHorizon() == 17)
        #expect(try await store.trimJournal(maxEntries: 8, maxAge: 7 * 86_400, now: now) == 0, "already within bounds")

        // Emptied (as a wipe does): the last seq does not go back, and the next entry follows it.
        #expect(try await store.trimJournal(maxEntries: 0, maxAge: 7 * 86_400, now: now) == 8)
        #expect(try await store.lastSeq() == 25)
        #expect(try await store.journalHorizon() == 25)
        try await Self.write(store, 1, at: now)
        #expect(try await store.journal(after: 0).map(\.seq) == [26])
        #expect(try await store.journalHorizon() == 25)
    }
}
