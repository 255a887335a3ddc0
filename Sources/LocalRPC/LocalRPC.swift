/// The `LocalRPC` module: JSON-RPC 2.0 over a Unix socket (SwiftNIO): framing, dispatch, subscriptions, peer credentials and limits.
///
/// It arrives with issue #6; until then this namespace only marks its place in the
/// layout of `docs/ARCHITECTURE.md`.
public enum LocalRPC {}
