/// The `UpstreamClient` module: HTTP to the upstream API over AsyncHTTPClient: login, the auth token and `X-location` headers, timeouts, proxy, and the classification of every outcome (applied, rejected, retryable, unknown, auth expired).
///
/// It arrives with issue #4; until then this namespace only marks its place in the
/// layout of `docs/ARCHITECTURE.md`.
public enum UpstreamClient {}
