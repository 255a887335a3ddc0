import Foundation
import Glibc
import Synchronization

/// The test's own `NOTIFY_SOCKET`: an `AF_UNIX` datagram socket bound in a temporary directory.
/// A thread of its own receives every datagram as it comes and records it with its arrival
/// time, so that tests can wait for a message with a deadline and measure cadences.
final class NotifyListener: Sendable {
    /// One `sd_notify` message.
    struct Message: Sendable, CustomStringConvertible {
        /// The assignments, in order.
        let assignments: [(key: String, value: String)]
        let receivedAt: ContinuousClock.Instant

        subscript(key: String) -> String? { assignments.last { $0.key == key }?.value }

        var description: String { assignments.map { "\($0.key)=\($0.value)" }.joined(separator: " | ") }
    }

    /// What `NOTIFY_SOCKET` is set to for the child.
    let path: String
    private let fd: Int32
    private let received = Mutex<[Message]>([])
    private let stopped = Atomic<Bool>(false)

    init(path: String) throws {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        do {
            try UnixAddress.bind(fd, path)
        } catch {
            close(fd)
            throw error
        }
        // The reader thread checks for `stop()` this often.
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        Thread.detachNewThread { [self] in self.receiveLoop() }
    }

    deinit {
        stop()
    }

    /// Ends the reader thread, which closes the socket.
    func stop() {
        stopped.store(true, ordering: .releasing)
    }

    /// Every message so far, oldest first.
    var messages: [Message] { received.withLock { $0 } }

    /// The first message at index `from` or later that `matches`, waiting for it until
    /// `timeout`; its index and itself, or nil if none came in time.
    func first(
        from: Int = 0, timeout: Duration, where matches: (Message) -> Bool
    ) async -> (index: Int, message: Message)? {
        var found: (Int, Message)?
        _ = await eventually(timeout: timeout, every: .milliseconds(20)) {
            let all = messages
            guard from < all.count else { return false }
            if let index = all[from...].firstIndex(where: matches) {
                found = (index, all[index])
                return true
            }
            return false
        }
        return found
    }

    /// The first message at `from` or later that sets `key` to `value`.
    func first(_ key: String, _ value: String = "1", from: Int = 0, timeout: Duration) async -> (index: Int, message: Message)? {
        await first(from: from, timeout: timeout) { $0[key] == value }
    }

    private func receiveLoop() {
        var buffer = [UInt8](repeating: 0, count: 8192)
        while !stopped.load(ordering: .acquiring) {
            let count = recv(fd, &buffer, buffer.count, 0)
            guard count > 0 else { continue }  // timeout (EAGAIN) or EINTR: check `stopped`
            let now = ContinuousClock.now
            let text = String(decoding: buffer[..<count], as: UTF8.self)
            let assignments = text.split(separator: "\n").map { line -> (key: String, value: String) in
                guard let equals = line.firstIndex(of: "=") else { return (String(line), "") }
                return (String(line[..<equals]), String(line[line.index(after: equals)...]))
            }
            received.withLock { $0.append(Message(assignments: assignments, receivedAt: now)) }
        }
        close(fd)
    }
}

/// `sockaddr_un` for a path.
enum UnixAddress {
    static func with<T>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T) throws -> T {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw POSIXError(.ENAMETOOLONG) }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: bytes)
            buffer[bytes.count] = 0
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }

    static func bind(_ fd: Int32, _ path: String) throws {
        let result = try with(path) { Glibc.bind(fd, $0, $1) }
        guard result == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
    }

    /// 0 or the errno of the failed connect.
    static func connect(_ fd: Int32, _ path: String) throws -> Int32 {
        let result = try with(path) { Glibc.connect(fd, $0, $1) }
        return result == 0 ? 0 : errno
    }
}
