import Foundation
import Glibc
import Testing

@testable import Systemd

/// Socket activation: the variables parsed as values, and real descriptors checked.
@Suite("Socket activation")
struct SocketActivationTests {
    let me = getpid()

    @Test("nothing passed, or passed to another process: no listeners")
    func notForUs() throws {
        #expect(try SocketActivation.parse(environment: [:], pid: me).isEmpty)
        #expect(try SocketActivation.parse(environment: ["LISTEN_FDS": "1"], pid: me).isEmpty)
        #expect(try SocketActivation.parse(environment: ["LISTEN_PID": "\(me)"], pid: me).isEmpty)
        #expect(try SocketActivation.parse(environment: ["LISTEN_PID": "\(me + 1)", "LISTEN_FDS": "1"], pid: me).isEmpty)
        #expect(try SocketActivation.parse(environment: ["LISTEN_PID": "\(me)", "LISTEN_FDS": "0"], pid: me).isEmpty)
    }

    @Test("descriptors from 3 on, named by LISTEN_FDNAMES or 'unknown'")
    func parsing() throws {
        let base = ["LISTEN_PID": "\(me)", "LISTEN_FDS": "2"]
        #expect(
            try SocketActivation.parse(environment: base, pid: me) == [
                .init(descriptor: 3, name: "unknown"), .init(descriptor: 4, name: "unknown"),
            ])
        var named = base
        named["LISTEN_FDNAMES"] = "vdsyncd.socket:admin"
        #expect(
            try SocketActivation.parse(environment: named, pid: me) == [
                .init(descriptor: 3, name: "vdsyncd.socket"), .init(descriptor: 4, name: "admin"),
            ])
        let three = ["LISTEN_PID": "\(me)", "LISTEN_FDS": "3", "LISTEN_FDNAMES": "a::c"]
        #expect(try SocketActivation.parse(environment: three, pid: me).map(\.name) == ["a", "", "c"])
        #expect(try SocketActivation.parse(environment: base, pid: me, firstDescriptor: 40).map(\.descriptor) == [40, 41])
    }

    @Test(
        "malformed variables are errors",
        arguments: [
            (["LISTEN_PID": "x", "LISTEN_FDS": "1"], SocketActivation.Failure.invalidVariable(name: "LISTEN_PID", value: "x")),
            (["LISTEN_PID": "0", "LISTEN_FDS": "1"], .invalidVariable(name: "LISTEN_PID", value: "0")),
            (["LISTEN_PID": "SELF", "LISTEN_FDS": "one"], .invalidVariable(name: "LISTEN_FDS", value: "one")),
            (["LISTEN_PID": "SELF", "LISTEN_FDS": "-1"], .invalidVariable(name: "LISTEN_FDS", value: "-1")),
            (["LISTEN_PID": "SELF", "LISTEN_FDS": "2147483647"], .invalidVariable(name: "LISTEN_FDS", value: "2147483647")),
            (["LISTEN_PID": "SELF", "LISTEN_FDS": "2", "LISTEN_FDNAMES": "one"], .nameCountMismatch(descriptors: 2, names: 1)),
            (["LISTEN_PID": "SELF", "LISTEN_FDS": "1", "LISTEN_FDNAMES": "a:b"], .nameCountMismatch(descriptors: 1, names: 2)),
        ])
    func malformed(environment: [String: String], error: SocketActivation.Failure) {
        let environment = environment.mapValues { $0 == "SELF" ? "\(me)" : $0 }
        #expect(throws: error) { try SocketActivation.parse(environment: environment, pid: me) }
    }

    @Test("a real listening Unix socket is accepted, made close-on-exec, and usable")
    func realListener() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/vdsyncd.sock"
        let fd = try listeningUnixSocket(at: path)
        defer { close(fd) }
        // systemd hands descriptors over without close-on-exec.
        #expect(fcntl(fd, F_SETFD, 0) == 0)

        let environment = ["LISTEN_PID": "\(me)", "LISTEN_FDS": "1", "LISTEN_FDNAMES": "vdsyncd.socket"]
        let listeners = try SocketActivation.listeners(environment: environment, pid: me, firstDescriptor: fd)
        #expect(listeners == [.init(descriptor: fd, name: "vdsyncd.socket")])
        #expect(fcntl(fd, F_GETFD) & FD_CLOEXEC != 0)

        // It is the socket we made: a client connects, the listener accepts.
        let client = try makeSocket(AF_UNIX, SOCK_STREAM)
        defer { close(client) }
        #expect(connectUnix(client, path) == 0)
        let accepted = accept(fd, nil, nil)
        #expect(accepted >= 0)
        close(accepted)
    }

    @Test("several consecutive descriptors, as systemd passes them")
    func consecutive() throws {
        let directory = try TemporaryDirectory()
        let first = try listeningUnixSocket(at: directory.path + "/a.sock")
        let second = try listeningUnixSocket(at: directory.path + "/b.sock")
        defer {
            close(first)
            close(second)
        }
        let base = try consecutivePair(first, second)
        defer {
            close(base)
            close(base + 1)
        }
        let environment = ["LISTEN_PID": "\(me)", "LISTEN_FDS": "2", "LISTEN_FDNAMES": "a:b"]
        let listeners = try SocketActivation.listeners(environment: environment, pid: me, firstDescriptor: base)
        #expect(listeners.map(\.descriptor) == [base, base + 1] && listeners.map(\.name) == ["a", "b"])
    }

    @Test("anything but a listening AF_UNIX stream socket is refused, saying what it is")
    func refused() throws {
        let directory = try TemporaryDirectory()
        func refusal(_ fd: Int32) -> String? {
            do {
                _ = try SocketActivation.listeners(
                    environment: ["LISTEN_PID": "\(me)", "LISTEN_FDS": "1"], pid: me, firstDescriptor: fd)
                return nil
            } catch {
                return error.description
            }
        }

        let datagram = try makeSocket(AF_UNIX, SOCK_DGRAM)
        defer { close(datagram) }
        try bindUnix(datagram, directory.path + "/dgram")
        #expect(refusal(datagram)?.contains("is a non-listening AF_UNIX datagram socket") == true)

        let unlistened = try makeSocket(AF_UNIX, SOCK_STREAM)
        defer { close(unlistened) }
        #expect(refusal(unlistened)?.contains("is a non-listening AF_UNIX stream socket") == true)

        let tcp = try makeSocket(AF_INET, SOCK_STREAM)
        defer { close(tcp) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(tcp, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(bound == 0 && listen(tcp, 1) == 0)
        #expect(refusal(tcp)?.contains("is a listening AF_INET stream socket, not a listening AF_UNIX stream socket") == true)

        var pipeEnds: [Int32] = [0, 0]
        #expect(pipe(&pipeEnds) == 0)
        defer {
            close(pipeEnds[0])
            close(pipeEnds[1])
        }
        #expect(refusal(pipeEnds[0])?.contains("is a pipe") == true)

        // A number far above any descriptor this process can have open.
        #expect(refusal(Int32.max - 10)?.contains("is unusable (fcntl(F_GETFD): Bad file descriptor)") == true)
    }

    // MARK: - Helpers

    private func listeningUnixSocket(at path: String) throws -> Int32 {
        let fd = try makeSocket(AF_UNIX, SOCK_STREAM)
        try bindUnix(fd, path)
        guard listen(fd, 8) == 0 else {
            close(fd)
            throw POSIXError(.init(rawValue: errno) ?? .EIO)
        }
        return fd
    }

    private func connectUnix(_ fd: Int32, _ path: String) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }

    /// Duplicates two descriptors onto consecutive numbers. `F_DUPFD` takes the lowest free
    /// number from a minimum and never closes an open one, so no other test's descriptor is
    /// disturbed; when the second copy does not land right after the first, try higher up.
    private func consecutivePair(_ first: Int32, _ second: Int32) throws -> Int32 {
        var minimum: Int32 = 200
        for _ in 0..<50 {
            let base = fcntl(first, F_DUPFD, minimum)
            guard base >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
            let next = fcntl(second, F_DUPFD, base + 1)
            if next == base + 1 {
                return base
            }
            close(base)
            if next >= 0 { close(next) }
            minimum = max(base, next) + 1
        }
        throw POSIXError(.EMFILE)
    }
}
