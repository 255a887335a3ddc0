/// The `LocalRPC` module: JSON-RPC 2.0 over a Unix stream socket (SwiftNIO), the daemon's only
/// interface to front ends: framing, dispatch, subscriptions, peer credentials and limits.
///
/// Applications describe their methods with ``RPCMethod``, collect them in an ``RPCRegistry``,
/// build an ``RPCDispatcher`` (which adds `rpc.discover`) and serve it with an ``RPCServer``.
/// `docs/local-api.md` is the client's side of the same contract.
public enum LocalRPC {
    /// The JSON-RPC version every message carries.
    public static let jsonRPCVersion = "2.0"
}
