import Foundation
import Glibc
import Testing

/// Issue #18, finding 3: a socket path that is taken (a live daemon's socket, or a file that is
/// not a socket) ends a second vdsyncd with the documented exit status 1 and a critical line
/// naming the path (docs/local-api.md, docs/configuration.md), not with a trap because its HTTP
/// client was dropped without being shut down.
@Suite("vdsyncd process: a taken socket path", .tags(.process), .timeLimit(.minutes(2)))
struct SocketPathTakenTests {
    /// Waits for the daemon to end; expects exit status 1 and a stderr line with `message`.
    func expectRefused(_ daemon: ChildProcess, _ message: String) async {
        let ended = await daemon.waitForExit(timeout: .seconds(20))
        #expect(ended == .exited(1), "\(DaemonFailure("ended: \(ended.map { "\($0)" } ?? "still running")", daemon))")
        let line = daemon.standardErrorLines.first { $0.contains(message) }
        #expect(line != nil, "no line with '\(message)'; stderr: \(daemon.standardError)")
        #expect(!daemon.standardError.contains("not shut down"), "stderr: \(daemon.standardError)")
    }

    @Test("a second daemon on a live daemon's socket exits 1 naming the path; the first keeps serving")
    func liveSocket() async throws {
        try await DaemonWorld.with { world in
            let first = try world.start()
            defer { first.kill() }
            try await world.ready(first)
            // The same socket, a state directory of its own: only the socket is in the way.
            try world.writeConfiguration(["VDSYNC_STATE_DIRECTORY": world.directory.file("state-2")])
            let second = try world.start()
            defer { second.kill() }
            await expectRefused(second, "\(world.socketPath) is in use: another vdsyncd is listening on it")
            #expect(first.ended == nil)
            #expect((try await world.status())["session"] != nil, "the first daemon still answers on its socket")
        }
    }

    @Test("a regular file at the socket path: exit 1 naming the path, and the file is left alone")
    func regularFile() async throws {
        try await DaemonWorld.with { world in
            try Data("keep me".utf8).write(to: URL(fileURLWithPath: world.socketPath))
            let daemon = try world.start()
            defer { daemon.kill() }
            await expectRefused(daemon, "\(world.socketPath) exists and is not a socket; refusing to replace it")
            #expect(try String(contentsOfFile: world.socketPath, encoding: .utf8) == "keep me")
            #expect(!world.notify.messages.contains { $0["READY"] != nil })
        }
    }
}
