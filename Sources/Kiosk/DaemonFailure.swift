import LocalRPC
import SocketClient
import VolunteerAPI

/// Why a call to vdsyncd did not give a result, in the terms a screen shows: each case is one
/// page state or one message beside a form, never a stack trace.
public enum DaemonFailure: Error, Sendable, Equatable {
    /// The socket cannot be reached: vdsyncd is not running, or this user may not open it.
    case unreachable(String)
    /// No one is logged in, or the session expired: the login screen.
    case loginNeeded
    /// The upstream could not be reached for an online-only call (a login, an account flow).
    case upstreamOffline(String)
    /// The daemon refused one field of the request (`-32602` with `data.field`).
    case invalidField(field: String, message: String)
    /// This user may only read (a read-only peer), or this role may not do it.
    case forbidden(String)
    /// What was asked for is not in the mirror.
    case notFound(String)
    /// Any other refusal, with the daemon's (or the upstream's) message.
    case refused(String)

    /// The `data.kind` values of the socket's application errors (docs/local-api.md).
    enum Kind {
        static let notLoggedIn = "not_logged_in"
        static let sessionExpired = "session_expired"
        static let unreachable = "unreachable"
        static let forbidden = "forbidden"
        static let roleNotAllowed = "role_not_allowed"
        static let notFound = "not_found"
    }

    init(_ error: LocalRPCClientError) {
        switch error {
        case .cannotConnect(_, let reason): self = .unreachable(reason.description)
        case .connectionClosed, .protocolViolation, .cancelled: self = .unreachable(error.description)
        case .rpc(let rpc): self = Self.classify(rpc)
        }
    }

    static func classify(_ error: RPCError) -> DaemonFailure {
        let kind = error.data?["kind"]?.stringValue
        let upstreamMessage = error.data?["upstream_error_message"]?.stringValue
        switch kind {
        case Kind.notLoggedIn, Kind.sessionExpired: return .loginNeeded
        case Kind.unreachable: return .upstreamOffline(error.message)
        case Kind.forbidden, Kind.roleNotAllowed: return .forbidden(error.message)
        case Kind.notFound: return .notFound(error.message)
        default: break
        }
        if error.code == RPCError.Code.invalidParams, let field = error.data?["field"]?.stringValue {
            return .invalidField(field: field, message: error.message)
        }
        if error.code == RPCError.Code.forbidden { return .forbidden(error.message) }
        return .refused(upstreamMessage ?? error.message)
    }
}
