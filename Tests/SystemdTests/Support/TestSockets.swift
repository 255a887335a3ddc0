import Foundation
import Glibc
import Testing

/// A temporary directory with a short path: Unix socket paths are limited to 108 bytes, so
/// tests make theirs under /tmp rather than in a deep build directory.
final class TemporaryDirectory: Sendable {
    let path: String

    init() throws {
        var template = Array("/tmp/vdsd-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        path = String(cString: made)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// The receiving end of `NOTIFY_SOCKET`: an `AF_UNIX` datagram socket bound to a path in a
/// temporary directory, or to a name in the abstract namespace.
final class NotifyReceiver: Sendable {
    /// What `NOTIFY_SOCKET` would say: the path, or `@name`.
    let name: String
    private let fd: Int32
    private let directory: TemporaryDirectory?

    init(abstract: Bool = false) throws {
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        if abstract {
            directory = nil
            name = "@vdsync-test-\(getpid())-\(UUID().uuidString.prefix(8))"
        } else {
            let directory = try TemporaryDirectory()
            self.directory = directory
            name = directory.path + "/notify"
        }
        try bindUnix(fd, name)
        // A receive that never comes fails the test after this long instead of hanging it.
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit {
        close(fd)
    }

    /// The next datagram, waiting for it (at most 10 s); nil if none came.
    func receive() -> String? {
        receive(flags: 0)
    }

    /// The next datagram, awaited without holding a thread of the cooperative pool: the
    /// blocking receive runs on a Dispatch thread, so the task that is to send the datagram
    /// can run meanwhile even on a machine with few cores.
    func next() async -> String? {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: self.receive()) }
        }
    }

    /// The datagram already queued, without waiting; nil if there is none.
    func pending() -> String? {
        receive(flags: Int32(MSG_DONTWAIT))
    }

    private func receive(flags: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(fd, &buffer, buffer.count, flags)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[..<count], as: UTF8.self)
    }
}

/// Binds `fd` to the `AF_UNIX` address `name` (a path, or `@name` for the abstract namespace).
func bindUnix(_ fd: Int32, _ name: String) throws {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    var bytes = Array(name.utf8)
    let abstract = bytes.first == UInt8(ascii: "@")
    if abstract { bytes[0] = 0 }
    withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
    let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + bytes.count + (abstract ? 0 : 1))
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
    }
    guard bound == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
}

/// A new socket of `family` and `type`, close-on-exec; the caller closes it.
func makeSocket(_ family: Int32, _ type: __socket_type) throws -> Int32 {
    let fd = socket(family, Int32(type.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
    return fd
}
