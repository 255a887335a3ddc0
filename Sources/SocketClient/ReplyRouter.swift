import LocalRPC
import NIOCore
import Synchronization
import VolunteerAPI

/// The calls waiting for replies, by id, and the routing of each incoming line: a reply to its
/// call, a notification to the stream, a connection-level error (id null) to every waiting call.
final class ReplyRouter: Sendable {
    private struct State {
        var nextID = 1
        var waiting: [Int: CheckedContinuation<JSONValue, any Error>] = [:]
        /// Set once the connection has ended (or the daemon refused it): later calls fail at once with it.
        var ended: LocalRPCClientError?
    }

    private let state = Mutex(State())
    private let notifications: AsyncStream<RPCNotification>.Continuation

    init(notifications: AsyncStream<RPCNotification>.Continuation) {
        self.notifications = notifications
    }

    func nextID() -> Int {
        state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
    }

    /// Registers a waiting call; false (and the call already failed) when the connection has ended.
    func register(_ id: Int, _ continuation: CheckedContinuation<JSONValue, any Error>) -> Bool {
        let ended = state.withLock { state -> LocalRPCClientError? in
            if let ended = state.ended { return ended }
            state.waiting[id] = continuation
            return nil
        }
        if let ended {
            continuation.resume(throwing: ended)
            return false
        }
        return true
    }

    func fail(_ id: Int, with error: LocalRPCClientError) {
        state.withLock { $0.waiting.removeValue(forKey: id) }?.resume(throwing: error)
    }

    /// Ends every waiting call with `error` and refuses later ones; the first reason wins.
    func end(_ error: LocalRPCClientError) {
        let waiting = state.withLock { state in
            if state.ended == nil { state.ended = error }
            defer { state.waiting = [:] }
            return Array(state.waiting.values)
        }
        for continuation in waiting { continuation.resume(throwing: error) }
        notifications.finish()
    }

    /// Routes one line the daemon sent.
    func receive(_ line: ByteBuffer) {
        guard let message = try? RPCJSON.decode(line.readableBytesView), case .object(let members) = message else {
            end(.protocolViolation("a line is not a JSON object"))
            return
        }
        guard let rawID = members["id"] else {
            // No id: a notification (the daemon never sends a reply without one).
            guard case .string(let method)? = members["method"] else {
                end(.protocolViolation("a message has neither an id nor a method"))
                return
            }
            var params: [String: JSONValue] = [:]
            if case .object(let given)? = members["params"] { params = given }
            notifications.yield(RPCNotification(method: method, params: params))
            return
        }
        let outcome: Result<JSONValue, LocalRPCClientError>
        if let result = members["result"] {
            outcome = .success(result)
        } else if let error = Self.error(members["error"]) {
            outcome = .failure(.rpc(error))
        } else {
            outcome = .failure(.protocolViolation("a reply has neither a result nor a valid error"))
        }
        switch rawID {
        case .integer(let id):
            guard let continuation = state.withLock({ $0.waiting.removeValue(forKey: id) }) else { return }
            continuation.resume(with: outcome.mapError { $0 as any Error })
        case .null:
            // A reply that belongs to no request: the daemon refused the connection (too many
            // connections, forbidden peer) or could not read what we sent. It closes next; every
            // waiting call gets the daemon's reason rather than a bare "closed".
            if case .failure(let error) = outcome { end(error) }
        default:
            return
        }
    }

    /// The `error` member of a reply, if it has the specification's shape.
    static func error(_ value: JSONValue?) -> RPCError? {
        guard case .object(let members)? = value, case .integer(let code)? = members["code"] else { return nil }
        var message = ""
        if case .string(let given)? = members["message"] { message = given }
        return RPCError(code: code, message: message, data: members["data"])
    }
}
