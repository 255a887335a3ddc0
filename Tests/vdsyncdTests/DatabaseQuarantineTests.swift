import Foundation
import Glibc
import Testing
import VolunteerAPI

/// A database that fails its integrity check at start is moved aside, never deleted, and the
/// daemon comes up on a fresh one and says so.
@Suite("vdsyncd process: damaged database", .tags(.process), .timeLimit(.minutes(1)))
struct DatabaseQuarantineTests {
    @Test("garbage in vdsync.sqlite: quarantined as vdsync.sqlite.damaged-*, READY, the log says so, status works")
    func corruptDatabase() async throws {
        try await DaemonWorld.with { world in
            try FileManager.default.createDirectory(atPath: world.stateDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let garbage = Data((0..<32_768).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ 13) })
            try garbage.write(to: URL(fileURLWithPath: world.databasePath))

            let daemon = try world.start()
            defer { daemon.kill() }
            let ready = try await world.ready(daemon)
            #expect(ready.message["STATUS"]?.contains("rebuilt") == true, "\(ready.message)")

            let quarantined = try FileManager.default.contentsOfDirectory(atPath: world.stateDirectory).filter { $0.hasPrefix("vdsync.sqlite.damaged-") }
            #expect(quarantined.count == 1, "state directory: \((try? FileManager.default.contentsOfDirectory(atPath: world.stateDirectory)) ?? [])")
            if let name = quarantined.first {
                #expect(FileManager.default.contents(atPath: world.stateDirectory + "/" + name) == garbage, "moved aside as it was")
                #expect(daemon.standardErrorLines.contains { $0.contains("integrity check") && $0.contains(name) }, "stderr: \(daemon.standardError)")
            }
            #expect(try await world.status()["versions"] != nil)
            // The mirror is rebuilt by pulling again.
            try await world.loggedIn(daemon)
            #expect(await eventually(timeout: .seconds(30)) { (try? await world.status())?["last_pull"]?.isString == true })
            daemon.send(SIGTERM)
            #expect(await daemon.waitForExit(timeout: .seconds(15)) == .exited(0))
        }
    }
}
