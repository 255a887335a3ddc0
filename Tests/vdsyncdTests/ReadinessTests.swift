import Foundation
import Glibc
import Testing
import VolunteerAPI

/// `READY=1` means what systemd takes it to mean: the database is open and the socket answers.
@Suite("vdsyncd process: readiness", .tags(.process), .timeLimit(.minutes(1)))
struct ReadinessTests {
    @Test("READY=1 arrives only once the socket answers; STATUS= lines follow with the sync state")
    func readyAfterSocketAnswers() async throws {
        try await DaemonWorld.with { world in
            let daemon = try world.start()
            defer { daemon.kill() }
            let ready = try await world.ready(daemon)
            // At once, without a retry: one connection, one line out, one line back.
            let reply = try await SocketRPC.reply(path: world.socketPath, "status", timeout: 5)
            #expect(reply["error"] == nil)
            #expect(reply["result"]?["versions"]?["local_api"] == "1")
            #expect(ready.message["STATUS"] != nil, "READY carries a STATUS= line: \(ready.message)")
            #expect(!world.notify.messages[..<ready.index].contains { $0["READY"] != nil }, "nothing claimed readiness before")

            // The status line with the sync state once the doctor is logged in and pulling.
            let statusLine = await world.notify.first(from: ready.index + 1, timeout: .seconds(30)) {
                $0["STATUS"]?.hasPrefix("active doctor") == true && $0["STATUS"]?.contains("outbox: 0 pending") == true
            }
            #expect(statusLine != nil, "no STATUS= line with the session and the outbox: \(world.notify.messages)")
            // No watchdog was asked for, so none is pinged.
            #expect(!world.notify.messages.contains { $0["WATCHDOG"] != nil })

            daemon.send(SIGTERM)
            #expect(await daemon.waitForExit(timeout: .seconds(15)) == .exited(0))
        }
    }
}
