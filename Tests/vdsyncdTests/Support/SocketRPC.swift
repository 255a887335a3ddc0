import Foundation
import Glibc
import VolunteerAPI

/// One JSON-RPC call over the daemon's Unix socket, as a front end makes it: connect, send one
/// line, read one line. Blocking calls with timeouts, off the cooperative pool.
enum SocketRPC {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The whole reply object of `method` with `params`.
    static func reply(path: String, _ method: String, _ params: JSONValue? = nil, timeout: Int = 10) async throws -> JSONValue {
        var request: [String: JSONValue] = ["jsonrpc": "2.0", "method": .string(method), "id": 1]
        if let params { request["params"] = params }
        let line = try JSONEncoder().encode(JSONValue.object(request)) + Data("\n".utf8)
        let answer = await offPool { exchange(path: path, line: line, timeout: timeout) }
        let bytes = try answer.get()
        do {
            return try JSONDecoder().decode(JSONValue.self, from: bytes)
        } catch {
            throw Failure(description: "\(method): unreadable reply '\(String(decoding: bytes, as: UTF8.self))'")
        }
    }

    /// The `result` of `method`; throws with the error object when the reply is an error.
    static func call(path: String, _ method: String, _ params: JSONValue? = nil, timeout: Int = 10) async throws -> JSONValue {
        let reply = try await reply(path: path, method, params, timeout: timeout)
        guard let result = reply["result"] else { throw Failure(description: "\(method): \(reply["error"].map { "\($0)" } ?? "no result")") }
        return result
    }

    /// Sends `line`, returns the first line of the reply (without its newline).
    private static func exchange(path: String, line: Data, timeout: Int) -> Result<Data, Failure> {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return .failure(Failure(description: "socket: \(String(cString: strerror(errno)))")) }
        defer { close(fd) }
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        let connected: Int32
        do {
            connected = try UnixAddress.connect(fd, path)
        } catch {
            return .failure(Failure(description: "connect \(path): \(error)"))
        }
        guard connected == 0 else { return .failure(Failure(description: "connect \(path): \(String(cString: strerror(connected)))")) }
        let sent = line.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == line.count else { return .failure(Failure(description: "send: \(String(cString: strerror(errno)))")) }
        var reply = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                return .failure(Failure(description: count == 0 ? "the daemon closed the connection" : "recv: \(String(cString: strerror(errno)))"))
            }
            reply.append(contentsOf: buffer[..<count])
            if let newline = reply.firstIndex(of: UInt8(ascii: "\n")) { return .success(reply[..<newline]) }
        }
    }
}
