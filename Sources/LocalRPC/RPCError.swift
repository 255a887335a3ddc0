import VolunteerAPI

/// The `error` object of a reply: a code, a short message and optional structured `data`.
///
/// Handlers throw it to answer with that exact error; any other error thrown by a handler becomes
/// ``internalError()`` so that nothing about the daemon's internals reaches a client.
public struct RPCError: Error, Sendable, Hashable, CustomStringConvertible {
    public let code: Int
    public let message: String
    public let data: JSONValue?

    public init(code: Int, message: String, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    /// The codes the transport answers with. The specification's own codes, then the transport's
    /// share of the implementation-defined range (-32000 ... -32009); applications own -32010 ... -32099.
    public enum Code {
        public static let parseError = -32700
        public static let invalidRequest = -32600
        public static let methodNotFound = -32601
        public static let invalidParams = -32602
        public static let internalError = -32603
        /// The server has as many connections as it accepts.
        public static let tooManyConnections = -32000
        /// The peer may not call this method (or may not connect at all).
        public static let forbidden = -32001
        /// The connection holds as many subscriptions as it may.
        public static let tooManySubscriptions = -32002
        /// The implementation-defined range of the specification, where application errors live.
        public static let applicationRange: ClosedRange<Int> = -32099 ... -32000
        /// The part of `applicationRange` the transport keeps for itself.
        public static let transportRange: ClosedRange<Int> = -32009 ... -32000
    }

    /// The line was not JSON (or not UTF-8). Its id cannot be known, so the reply's id is null.
    public static func parseError() -> RPCError {
        RPCError(code: Code.parseError, message: "parse error")
    }

    /// The JSON is not a valid request object; `detail` says which rule it breaks.
    public static func invalidRequest(_ detail: String? = nil) -> RPCError {
        RPCError(code: Code.invalidRequest, message: detail.map { "invalid request: \($0)" } ?? "invalid request")
    }

    public static func methodNotFound() -> RPCError {
        RPCError(code: Code.methodNotFound, message: "method not found")
    }

    /// A parameter is missing or has the wrong kind; the field is named in the message and in `data.field`.
    public static func invalidParams(field: String, problem: String) -> RPCError {
        RPCError(
            code: Code.invalidParams, message: "invalid params: '\(field)' \(problem)",
            data: ["field": .string(field)])
    }

    /// Something failed inside the daemon. Deliberately says nothing more; the log has the detail.
    public static func internalError() -> RPCError {
        RPCError(code: Code.internalError, message: "internal error")
    }

    /// An application error in -32010 ... -32099 (or a transport code) with the documented `data`
    /// members: `kind` (a stable machine-readable name), `retryable`, and for refusals that came
    /// from upstream, `upstream_error_code` and `upstream_error_message`. All are optional;
    /// `extra` adds members of the application's own.
    public static func application(
        code: Int, message: String, kind: String? = nil, retryable: Bool? = nil,
        upstreamErrorCode: Int? = nil, upstreamErrorMessage: String? = nil,
        extra: [String: JSONValue] = [:]
    ) -> RPCError {
        precondition(Code.applicationRange.contains(code), "application error codes are -32099 ... -32000")
        var data = extra
        if let kind { data["kind"] = .string(kind) }
        if let retryable { data["retryable"] = .bool(retryable) }
        if let upstreamErrorCode { data["upstream_error_code"] = .integer(upstreamErrorCode) }
        if let upstreamErrorMessage { data["upstream_error_message"] = .string(upstreamErrorMessage) }
        return RPCError(code: code, message: message, data: data.isEmpty ? nil : .object(data))
    }

    /// The peer's credentials do not allow this (a read-only peer calling a write method, or an unknown peer).
    public static func forbidden(_ message: String = "forbidden") -> RPCError {
        application(code: Code.forbidden, message: message, kind: "forbidden", retryable: false)
    }

    public static func tooManyConnections() -> RPCError {
        application(code: Code.tooManyConnections, message: "too many connections", kind: "too_many_connections", retryable: true)
    }

    public static func tooManySubscriptions(limit: Int) -> RPCError {
        application(
            code: Code.tooManySubscriptions, message: "too many subscriptions", kind: "too_many_subscriptions",
            retryable: false, extra: ["limit": .integer(limit)])
    }

    /// A line longer than the limit. It is an invalid request whose id cannot be known.
    public static func lineTooLong(limit: Int) -> RPCError {
        RPCError(
            code: Code.invalidRequest, message: "line too long",
            data: ["kind": "line_too_long", "max_line_bytes": .integer(limit)])
    }

    /// The `error` member of a reply.
    public var json: JSONValue {
        var members: [String: JSONValue] = ["code": .integer(code), "message": .string(message)]
        if let data { members["data"] = data }
        return .object(members)
    }

    public var description: String { "\(code) \(message)" }
}
