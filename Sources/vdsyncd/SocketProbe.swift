import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Asks the daemon's own socket one question, as a front end would, to tell the watchdog the
/// socket loop is alive. Plain blocking calls with one-second timeouts, on a dispatch thread so
/// that they never hold a Swift concurrency thread.
enum SocketProbe {
    static func answers(path: String, request: String) async -> Bool {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: ask(path: path, request: request)) }
        }
    }

    /// The path a Unix socket is bound to (`getsockname`), or nil when it has none (unnamed,
    /// abstract, not a Unix socket).
    static func boundPath(of descriptor: Int32) -> String? {
        var address = sockaddr_un()
        var length = socklen_t(MemoryLayout<sockaddr_un>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path)!
        guard named == 0, address.sun_family == sa_family_t(AF_UNIX), Int(length) > pathOffset + 1 else { return nil }
        let path = withUnsafeBytes(of: &address.sun_path) { buffer -> String? in
            let bytes = buffer.prefix(Int(length) - pathOffset)
            guard bytes.first != 0 else { return nil }  // the abstract namespace
            return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
        return path
    }

    private static func ask(path: String, request: String) -> Bool {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: bytes)
            buffer[bytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { return false }
        let line = Array((request + "\n").utf8)
        guard line.withUnsafeBytes({ send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == line.count else { return false }
        var reply = [UInt8](repeating: 0, count: 4096)
        var received = 0
        while received < reply.count {
            let count = reply.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress! + received, $0.count - received, 0) }
            guard count > 0 else { return false }
            received += count
            if reply[..<received].contains(UInt8(ascii: "\n")) { return reply[..<received].starts(with: Array(#"{"#.utf8)) }
        }
        return true
    }
}
