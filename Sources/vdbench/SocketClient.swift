import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A blocking client of a line-based Unix stream socket (vdsyncd's JSON-RPC socket): one
/// request line out, one reply line back. Blocking on purpose: the latency it measures is the
/// daemon's, with no event loop hop of the client's in it.
final class LineSocket {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var nextID = 1

    init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchError("socket(): errno \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw BenchError("socket path too long: \(path)") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
            raw[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else {
            let code = errno
            close(fd)
            throw BenchError("connect(\(path)): errno \(code)")
        }
    }

    deinit { close(fd) }

    /// Sends one line (a newline is added) and returns the next line received.
    func exchange(_ line: [UInt8]) throws -> [UInt8] {
        var out = line
        out.append(10)
        var sent = 0
        while sent < out.count {
            let written = out[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard written > 0 else { throw BenchError("write to the socket failed: errno \(errno)") }
            sent += written
        }
        return try readLine()
    }

    func readLine() throws -> [UInt8] {
        var scanned = 0
        while true {
            if let index = buffer[scanned...].firstIndex(of: 10) {
                let line = Array(buffer[..<index])
                buffer.removeFirst(index + 1)
                return line
            }
            scanned = buffer.count
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { throw BenchError("the socket closed") }
            buffer.append(contentsOf: chunk[..<count])
        }
    }

    /// A JSON-RPC call; its `result`, or a thrown error naming the daemon's error.
    @discardableResult
    func call(_ method: String, _ params: [String: Any]? = nil) throws -> Any {
        let id = nextID
        nextID += 1
        let reply = try exchange(Self.request(method, params, id: id))
        guard let object = try JSONSerialization.jsonObject(with: Data(reply)) as? [String: Any] else {
            throw BenchError("not a JSON object: \(String(decoding: reply, as: UTF8.self).prefix(300))")
        }
        if let error = object["error"] { throw BenchError("\(method): \(error)") }
        return object["result"] ?? NSNull()
    }

    static func request(_ method: String, _ params: [String: Any]?, id: Int) -> [UInt8] {
        var request: [String: Any] = ["jsonrpc": "2.0", "method": method, "id": id]
        if let params { request["params"] = params }
        return Array((try? JSONSerialization.data(withJSONObject: request, options: [.sortedKeys])) ?? Data())
    }
}

/// A NOTIFY_SOCKET of the bench's own: a datagram socket that notes when each message arrives.
final class NotifyListener: @unchecked Sendable {
    let path: String
    private let fd: Int32
    private let lock = NSLock()
    private var messages: [(at: ContinuousClock.Instant, text: String)] = []
    private var thread: Thread?
    private var running = true

    init(path: String) throws {
        self.path = path
        unlink(path)
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw BenchError("socket(): errno \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
            raw[bytes.count] = 0
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { throw BenchError("bind(\(path)): errno \(errno)") }
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let thread = Thread { [self] in self.receive() }
        self.thread = thread
        thread.start()
    }

    private func receive() {
        var chunk = [UInt8](repeating: 0, count: 8192)
        while lock.withLock({ running }) {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { continue }
            let now = ContinuousClock.now
            let text = String(decoding: chunk[..<count], as: UTF8.self)
            lock.withLock { messages.append((now, text)) }
        }
    }

    /// The arrival of the first message holding `READY=1` after `since`, waiting up to `timeout`.
    func waitForReady(since: ContinuousClock.Instant, timeout: Duration) -> ContinuousClock.Instant? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let found = lock.withLock({ messages.first { $0.at >= since && $0.text.split(separator: "\n").contains("READY=1") } }) {
                return found.at
            }
            Thread.sleep(forTimeInterval: 0.002)
        }
        return nil
    }

    func close() {
        lock.withLock { running = false }
        Thread.sleep(forTimeInterval: 0.15)
        Glibc.close(fd)
        unlink(path)
    }
}
