import Foundation
import Glibc
import Testing
import VolunteerAPI

/// SIGHUP re-reads the configuration: what can change safely applies at once, the rest is
/// reported as needing a restart.
@Suite("vdsyncd process: reload", .tags(.process), .timeLimit(.minutes(1)))
struct ReloadTests {
    @Test("SIGHUP with a shorter hot interval: RELOADING=1, READY=1, and pulls come at the new interval")
    func intervalTakesEffect() async throws {
        try await DaemonWorld.with { world in
            try world.writeConfiguration(["VDSYNC_HOT_INTERVAL": "3600"])
            let daemon = try world.start()
            defer { daemon.kill() }
            try await world.ready(daemon)
            try await world.loggedIn(daemon)
            // The first full pull is done.
            let pulled = await eventually(timeout: .seconds(30)) { (try? await world.status())?["last_pull"]?.isString == true }
            guard pulled else { throw DaemonFailure("no first pull", daemon) }

            try world.writeConfiguration(["VDSYNC_HOT_INTERVAL": "5"])
            let before = world.notify.messages.count
            daemon.send(SIGHUP)
            let reloading = try #require(await world.notify.first("RELOADING", from: before, timeout: .seconds(10)), "\(world.notify.messages)")
            #expect(reloading.message["MONOTONIC_USEC"] != nil)
            let ready = try #require(await world.notify.first("READY", from: reloading.index + 1, timeout: .seconds(10)))
            #expect(ready.message["STATUS"] == "configuration reloaded")

            // With the hot tier every 5 s, last_pull moves at least twice within 35 s: the pull
            // that restarts the loops, then 10 s and 30 s later (an idle tier's wait doubles, up to
            // 4 × 5 s); at 3600 s it would move once.
            var seen: [String] = []
            let moved = await eventually(timeout: .seconds(35), every: .milliseconds(250)) {
                if case .string(let last)? = try? await world.status()["last_pull"], seen.last != last { seen.append(last) }
                return seen.count >= 3
            }
            #expect(moved, "last_pull after the reload: \(seen)")
            #expect(daemon.standardErrorLines.contains { $0.contains("configuration reloaded") && $0.contains("hot_interval=\"5.0 seconds\"") })

            daemon.send(SIGTERM)
            #expect(await daemon.waitForExit(timeout: .seconds(15)) == .exited(0))
        }
    }

    @Test("SIGHUP with a changed socket path reports that a restart is needed and keeps serving")
    func restartNeeded() async throws {
        try await DaemonWorld.with { world in
            let daemon = try world.start()
            defer { daemon.kill() }
            try await world.ready(daemon)
            let moved = world.directory.file("moved.sock")
            try world.writeConfiguration(["VDSYNC_SOCKET_PATH": moved])
            let before = world.notify.messages.count
            daemon.send(SIGHUP)
            let reloading = try #require(await world.notify.first("RELOADING", from: before, timeout: .seconds(10)), "\(world.notify.messages)")
            let ready = try #require(await world.notify.first("READY", from: reloading.index + 1, timeout: .seconds(10)))
            #expect(ready.message["STATUS"]?.contains("restart needed for VDSYNC_SOCKET_PATH") == true, "\(ready.message)")
            let line = await daemon.stderrLine(containing: "need a restart", timeout: .seconds(5))
            #expect(line?.contains("VDSYNC_SOCKET_PATH") == true, "stderr: \(daemon.standardError)")
            // Still on the old socket; the new path is not bound until a restart.
            #expect(try await world.status()["versions"] != nil)
            #expect(!FileManager.default.fileExists(atPath: moved))
            daemon.send(SIGTERM)
            #expect(await daemon.waitForExit(timeout: .seconds(15)) == .exited(0))
        }
    }

    @Test("SIGHUP the moment READY=1 arrives is a reload, not the end of the daemon")
    func reloadRightAfterReady() async throws {
        try await DaemonWorld.with { world in
            let daemon = try world.start()
            defer { daemon.kill() }
            let ready = try await world.ready(daemon)
            // systemd may send ExecReload's SIGHUP as soon as the service is up.
            daemon.send(SIGHUP)
            let reloading = await world.notify.first("RELOADING", from: ready.index + 1, timeout: .seconds(15))
            #expect(reloading != nil, "no RELOADING=1 (\(daemon.ended.map { "\($0)" } ?? "running")): \(world.notify.messages)")
            #expect(daemon.ended == nil, "the daemon died of SIGHUP: \(daemon.ended.map { "\($0)" } ?? "")")
            #expect(try await world.status()["versions"] != nil)
            daemon.send(SIGTERM)
            #expect(await daemon.waitForExit(timeout: .seconds(15)) == .exited(0))
        }
    }
}

extension JSONValue {
    var isString: Bool {
        if case .string = self { return true }
        return false
    }
}
