import Foundation
import Logging
import Testing

@testable import LocalRPC

#if canImport(Glibc)
    import Glibc
#endif

/// The socket file: mode, group, stale files replaced, live sockets never stolen, socket activation.
@Suite("Socket file")
struct SocketFileTests {
    func dispatcher() throws -> RPCDispatcher { try SampleMethods.dispatcher(recorder: Recorder()) }

    func mode(_ path: String) -> (mode: UInt32, gid: UInt32) {
        var info = stat()
        stat(path, &info)
        return (UInt32(info.st_mode) & 0o7777, info.st_gid)
    }

    /// A socket file nobody listens on, as a crashed daemon leaves it.
    func makeStaleSocket(_ path: String) throws {
        var address = try SocketFile.address(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        close(fd)
    }

    @Test("the socket is created 0660 with the configured group, in a directory created if missing")
    func modeAndGroup() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/run/vdsyncd.sock"
        // Root may give the file any group; anyone else only one of their own.
        let group: UInt32 = getuid() == 0 ? 4242 : getgid()
        let server = RPCServer(dispatcher: try dispatcher(), logger: Logger(label: "test"))
        try await server.start(RPCListener(socketPath: path, groupID: group))
        #expect(mode(path) == (0o660, group))
        #expect(mode(directory + "/run") == (0o750, group), "the directory made for the socket is in its group, so the group can reach it")
        #expect(try SocketFile.probe(path) == .live)
        await server.stop()
        #expect(try SocketFile.probe(path) == .absent, "stop removes the file it created")
    }

    @Test("a stale socket file left by a crash is replaced")
    func stale() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/vdsyncd.sock"
        try makeStaleSocket(path)
        #expect(try SocketFile.probe(path) == .stale)
        let server = RPCServer(dispatcher: try dispatcher(), logger: Logger(label: "test"))
        try await server.start(RPCListener(socketPath: path))
        let client = try await TestClient.connect(path)
        #expect(try await client.call("subtract", [3, 1])["result"] == 2)
        await client.close()
        await server.stop()
    }

    @Test("a live socket is not stolen: start fails clearly and the running server keeps serving")
    func live() async throws {
        try await TestServer.with { running in
            let second = RPCServer(dispatcher: try dispatcher(), logger: Logger(label: "test"))
            await #expect(throws: SocketFile.Failure.inUse(path: running.path)) {
                try await second.start(RPCListener(socketPath: running.path))
            }
            #expect(SocketFile.Failure.inUse(path: running.path).description.contains("in use"))
            let client = try await running.client()
            #expect(try await client.call("subtract", [3, 1])["result"] == 2)
            await client.close()
            await second.stop()
            #expect(try SocketFile.probe(running.path) == .live, "the loser's stop leaves the winner's file alone")
        }
    }

    @Test("something that is not a socket is never removed")
    func notASocket() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/vdsyncd.sock"
        try "keep me".write(toFile: path, atomically: false, encoding: .utf8)
        let server = RPCServer(dispatcher: try dispatcher(), logger: Logger(label: "test"))
        await #expect(throws: SocketFile.Failure.notASocket(path: path)) {
            try await server.start(RPCListener(socketPath: path))
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep me")
    }

    @Test("an already listening descriptor is adopted (systemd socket activation)")
    func descriptor() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/activated.sock"
        // What systemd would hand over: bound and listening, made here with plain Glibc calls.
        var address = try SocketFile.address(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0 && listen(fd, 16) == 0)
        let server = RPCServer(dispatcher: try dispatcher(), logger: Logger(label: "test"))
        try await server.start(RPCListener(listeningDescriptor: fd))
        let client = try await TestClient.connect(path)
        #expect(try await client.call("get_data")["result"] == ["hello", 5])
        await client.close()
        await server.stop()
        #expect(try SocketFile.probe(path) != .absent, "systemd's file is systemd's to remove")
    }

    @Test("a path too long for a socket address is refused")
    func tooLong() throws {
        let path = "/tmp/" + String(repeating: "x", count: 200)
        #expect(throws: SocketFile.Failure.pathTooLong(path: path)) { try SocketFile.address(path) }
    }
}
