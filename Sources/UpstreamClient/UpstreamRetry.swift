/// Why a request provably did not take effect, and when the server would like to be asked again.
///
/// Guarantees: a retryable outcome is only given when the server cannot have acted on the
/// request — the request head never left the client (no connection, DNS, TLS, connect timeout,
/// a closed client), or the server answered 408 or 429 — so resending it cannot apply it twice.
public struct UpstreamRetry: Sendable, Hashable, CustomStringConvertible {
    /// What kept the request from taking effect.
    public enum Reason: Sendable, Hashable, CustomStringConvertible {
        /// The request never left: no connection could be used.
        case notSent(UpstreamTransportFailure)
        /// The server answered 408 (request timeout) or 429 (too many requests).
        case status(Int)

        public var description: String {
            switch self {
            case .notSent(let failure): "not sent: \(failure)"
            case .status(let status): "HTTP \(status)"
            }
        }
    }

    public var reason: Reason
    /// The server's `Retry-After` (seconds or an HTTP-date, as a delay from when it was read;
    /// never negative), if it sent one. Not capped: the engine's backoff decides how far to trust it.
    public var after: Duration?

    public init(_ reason: Reason, after: Duration? = nil) {
        self.reason = reason
        self.after = after
    }

    public var description: String {
        if let after { "\(reason), retry after \(after)" } else { reason.description }
    }
}
