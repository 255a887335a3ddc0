import Foundation
import GRDB
import Testing
import VolunteerAPI

@testable import MirrorStore
@testable import SyncEngine

/// Issue #18, finding 6: what a failed `patient.create` keeps on disk. A rejected entry keeps its
/// arguments (a retry sends them again: it needs the password); a discarded one is final and
/// keeps neither the new patient's password nor their ID-card number or name. Read from the
/// SQLite file itself, through a connection of the test's own.
@Suite("Outbox: secrets of failed entries")
struct OutboxPrivacyTests {
    /// The stored `arguments` text of entry `id`, read from the database file.
    static func storedArguments(_ world: OutboxWorld, _ id: Int) throws -> String {
        let file = try DatabaseQueue(path: world.store.pool.path)
        defer { try? file.close() }
        return try #require(try file.read { db in try String.fetchOne(db, sql: "SELECT arguments FROM outbox WHERE id = ?", arguments: [id]) })
    }

    @Test("a rejected patient.create keeps its arguments for a retry; discarded, its password, ID-card number and name are gone from the file")
    func rejectedThenDiscarded() async throws {
        try await OutboxScenario.withCast([.assistant]) { cast in
            let world = cast.worlds[0]
            let idno = OutboxScenario.idCardNumber()
            var first = KindSpec.patientProfile(name: "隐私首位患者", idno: idno)
            first["password"] = "first-secret-1"
            try await world.submit(.createPatient, first)
            await world.drain()
            // The same ID-card number again: the server refuses it for good.
            var second = KindSpec.patientProfile(name: "隐私重复患者", idno: idno)
            second["password"] = "second-secret-2"
            let duplicate = try await world.submit(.createPatient, second)
            await world.drain()
            #expect(try await world.stored(duplicate).state == .rejected)
            let kept = try Self.storedArguments(world, duplicate.id)
            #expect(kept.contains("second-secret-2"), "a rejected entry may be retried: it keeps what a retry sends")

            #expect(try await world.outbox.discard(duplicate.id))
            #expect(try await world.stored(duplicate).state == .discarded)
            let left = try Self.storedArguments(world, duplicate.id)
            for secret in ["second-secret-2", idno, "隐私重复患者"] {
                #expect(!left.contains(secret), "the discarded entry still holds '\(secret)': \(left)")
            }
            #expect(Replayer.decode(try await world.stored(duplicate)) != nil, "the entry still reads as a patient.create")
        }
    }

    @Test("a patient.create discarded before it was ever sent keeps none of its secrets")
    func discardedWhileQueued() async throws {
        try await OutboxScenario.withCast([.assistant]) { cast in
            let world = cast.worlds[0]
            let idno = OutboxScenario.idCardNumber()
            var profile = KindSpec.patientProfile(name: "隐私离线患者", idno: idno)
            profile["password"] = "offline-secret-3"
            try await cast.goOffline()
            let created = try await world.submit(.createPatient, profile)
            #expect(try Self.storedArguments(world, created.id).contains("offline-secret-3"))
            #expect(try await world.outbox.discard(created.id))
            let left = try Self.storedArguments(world, created.id)
            for secret in ["offline-secret-3", idno, "隐私离线患者"] {
                #expect(!left.contains(secret), "the discarded entry still holds '\(secret)': \(left)")
            }
        }
    }
}
