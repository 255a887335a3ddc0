import LocalRPC
import VolunteerAPI

/// The exit statuses of `vdsync`, the part of its interface that scripts rely on.
///
/// The mapping from errors is here, beside the client, rather than in the executable, so it is
/// tested directly and documented once (docs/local-api.md, "The vdsync client"). The values never
/// change meaning; new failures map onto one of them.
public enum ClientExitStatus: Int32, Sendable, CaseIterable {
    /// The call succeeded.
    case success = 0
    /// The command line is wrong (unknown option, missing or malformed argument).
    case usage = 1
    /// No connection: the socket is missing, nothing listens on it, this user may not open it,
    /// or the daemon is at its connection limit.
    case cannotConnect = 2
    /// The daemon refused the request: invalid params, unknown method, not logged in, role not
    /// allowed, not found, invalid state, forbidden for this peer.
    case refused = 3
    /// The upstream is involved: the login was refused by it (-32010) or it is unreachable (-32013).
    case upstream = 4
    /// The daemon failed internally, or the conversation broke (a closed connection, a reply
    /// that is not JSON-RPC).
    case internalError = 5

    /// Application codes that say the upstream, not the request, is why the call failed.
    static let upstreamCodes: Set<Int> = [-32010, -32013]

    /// The status a failed call ends `vdsync` with.
    public init(for error: LocalRPCClientError) {
        switch error {
        case .cannotConnect: self = .cannotConnect
        case .connectionClosed, .protocolViolation: self = .internalError
        case .cancelled: self = .success
        case .rpc(let rpc): self = Self.status(for: rpc)
        }
    }

    static func status(for error: RPCError) -> ClientExitStatus {
        if upstreamCodes.contains(error.code) || error.data?["kind"] == "unreachable" { return .upstream }
        switch error.code {
        case RPCError.Code.tooManyConnections: return .cannotConnect
        case RPCError.Code.internalError, RPCError.Code.parseError, RPCError.Code.invalidRequest: return .internalError
        case RPCError.Code.methodNotFound, RPCError.Code.invalidParams: return .refused
        case RPCError.Code.applicationRange: return .refused
        default: return .internalError
        }
    }
}
