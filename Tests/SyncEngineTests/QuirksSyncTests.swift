import Foundation
import MirrorStore
import ReferenceServer
import Testing
import VolunteerAPI

@testable import SyncEngine

/// Sync against a legacy server: vdapi in quirks mode writes each value as PHP servers do
/// (numbers as text, `""` or nothing for null, `[]` for `{}`, times without zero seconds,
/// undocumented fields), and varies it from one answer to the next. The mirror must still hold
/// vdapi's values, and an idle sync must still write nothing. `scripts/test` also reruns whole
/// suites with `VDAPI_QUIRKS`.
@Suite("Sync against a legacy server's representations")
struct QuirksSyncTests {
    static let quirks = QuirkSettings(seed: 20_261_207, perAnswer: true)

    @Test(
        "each role's mirror, synced from answers varied per answer, equals vdapi's values; a second sync writes nothing",
        arguments: [("13800000001", UserRole.doctor), ("13800000021", .patient), ("13800000011", .assistant)])
    func everyRole(_ phone: String, _ role: UserRole) async throws {
        try await SyncWorld.withRunning(phone, role, quirks: Self.quirks) { world in
            let first = await world.puller.pullAll()
            #expect(first.failures.isEmpty && !first.authExpired, "\(first.failures)")
            let census = world.running.server.quirkCensus
            for kind in [QuirkKind.intAsString, .nullAsEmpty, .nullLeftOut, .timeWithoutSeconds, .extraField] {
                #expect(census.count(kind) > 0, "the sync met no \(kind.rawValue)")
            }
            // Compared with vdapi answering plainly: the values, not one way of writing them.
            #expect(try await world.recordsDifferingFromUpstream(role: role) == [])

            let seq = try await world.store.lastSeq()
            let second = await world.puller.pullAll()
            #expect(second.failures.isEmpty)
            #expect(second.entries.isEmpty, "nothing changed upstream, only how it was written: \(second.entries.prefix(5))")
            #expect(try await world.store.lastSeq() == seq)
        }
    }
}
