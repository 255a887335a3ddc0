import Foundation
import Glibc
import Testing
import VolunteerAPI

/// A listening socket handed over as systemd does (`LISTEN_FDS=1`, `LISTEN_PID`, descriptor 3)
/// is served, and the daemon binds no socket of its own.
@Suite("vdsyncd process: socket activation", .tags(.process), .timeLimit(.minutes(1)))
struct SocketActivationProcessTests {
    /// A listening `AF_UNIX` stream socket at `path`, close-on-exec in this process.
    static func listeningSocket(_ path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        do {
            try UnixAddress.bind(fd, path)
            guard listen(fd, 64) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    @Test("the inherited socket answers and no socket is bound at VDSYNC_SOCKET_PATH")
    func inheritedSocket() async throws {
        try await DaemonWorld.with { world in
            let activated = world.directory.file("activated.sock")
            let fd = try Self.listeningSocket(activated)
            defer { close(fd) }
            let daemon = try world.start(environment: ["LISTEN_FDS": "1"], passing: fd)
            defer { daemon.kill() }
            try await world.ready(daemon)
            let status = try await SocketRPC.call(path: activated, "status", timeout: 5)
            #expect(status["versions"]?["local_api"] == "1")
            #expect(!FileManager.default.fileExists(atPath: world.socketPath), "the daemon bound its own socket too")
            #expect(daemon.standardErrorLines.contains { $0.contains("serving the socket handed over by systemd") })
            daemon.send(SIGTERM)
            #expect(await daemon.waitForExit(timeout: .seconds(15)) == .exited(0))
        }
    }

    @Test("with an inherited socket, the watchdog probes that socket and keeps pinging")
    func watchdogWithInheritedSocket() async throws {
        try await DaemonWorld.with { world in
            let activated = world.directory.file("activated.sock")
            let fd = try Self.listeningSocket(activated)
            defer { close(fd) }
            let daemon = try world.start(environment: ["LISTEN_FDS": "1", "WATCHDOG_USEC": "2000000"], passing: fd)
            defer { daemon.kill() }
            let ready = try await world.ready(daemon)
            let first = await world.notify.first("WATCHDOG", from: ready.index, timeout: .seconds(10))
            let second = await world.notify.first("WATCHDOG", from: (first?.index ?? ready.index) + 1, timeout: .seconds(10))
            #expect(first != nil && second != nil, "watchdog pings withheld: \(daemon.standardErrorLines.filter { $0.contains("watchdog") })")
            daemon.send(SIGTERM)
            #expect(await daemon.waitForExit(timeout: .seconds(15)) == .exited(0))
        }
    }
}
