import LocalRPC
import VolunteerAPI

/// Why a ``LocalRPCClient`` call did not produce a result.
///
/// Every failure of the client is one of these cases, so that a caller (the `vdsync` command,
/// a script's wrapper) can branch on the kind of failure rather than on message text; the
/// documented exit code of each case is ``ClientExitStatus/init(for:)``.
public enum LocalRPCClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No connection could be made to the socket.
    case cannotConnect(path: String, reason: ConnectFailure)
    /// The daemon answered with a JSON-RPC error object: its code, message and data as sent.
    case rpc(RPCError)
    /// The connection ended before the reply arrived (the daemon stopped or dropped us).
    case connectionClosed
    /// The daemon sent something that is not a JSON-RPC 2.0 reply.
    case protocolViolation(String)
    /// The caller's task was cancelled while it waited.
    case cancelled

    /// Why connecting failed, in the terms an operator acts on.
    public enum ConnectFailure: Sendable, Hashable, CustomStringConvertible {
        /// Nothing exists at the path: vdsyncd is not running, or listens elsewhere.
        case socketMissing
        /// A socket file exists but nothing accepts on it: vdsyncd stopped or crashed.
        case notListening
        /// The socket (or its directory) exists but this user may not open it.
        case permissionDenied
        /// The path exists and is not a socket.
        case notASocket
        /// The path does not fit in a Unix socket address (at most 107 bytes on Linux).
        case pathTooLong
        /// Any other failure, with the system's description.
        case other(String)

        public var description: String {
            switch self {
            case .socketMissing: "the socket does not exist: is vdsyncd running, and is this its socket path?"
            case .notListening: "nothing is listening on the socket: vdsyncd is not running"
            case .permissionDenied: "permission denied: this user is not in the socket's group (ask for access, or use sudo)"
            case .notASocket: "the path exists but is not a socket"
            case .pathTooLong: "the socket path is too long for a Unix socket"
            case .other(let detail): detail
            }
        }
    }

    public var description: String {
        switch self {
        case .cannotConnect(let path, let reason): "cannot connect to \(path): \(reason)"
        case .rpc(let error): "\(error.message) (\(error.code))"
        case .connectionClosed: "the daemon closed the connection before replying"
        case .protocolViolation(let detail): "the daemon's reply is not valid JSON-RPC: \(detail)"
        case .cancelled: "cancelled"
        }
    }
}
