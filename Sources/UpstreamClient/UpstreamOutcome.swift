/// What became of one call to the upstream API, classified in one place (``OutcomeClassifier``)
/// so that the sync engine decides on five cases, never on HTTP details.
///
/// | case | meaning | what the engine does |
/// |---|---|---|
/// | ``applied(_:)`` | the server answered `error_code` 0 and the payload decoded | done |
/// | ``rejected(_:)`` | a business error or a 4xx (other than 401, 408, 429): permanent | roll back, tell the user |
/// | ``retryable(_:)`` | the request provably did not take effect | send again later (after ``UpstreamRetry/after``) |
/// | ``unknown(_:)`` | it may have taken effect | a write: check the server by reading; a read: try later |
/// | ``authExpired`` | the session is not (or no longer) valid | log in again; writes wait |
///
/// Guarantees: every call of ``UpstreamClient`` ends in exactly one of these (it never throws);
/// an outcome's description and its reasons carry no tokens, passwords, phone or ID-card numbers,
/// and never the payload (medical data), so an outcome can be logged as it is.
public enum UpstreamOutcome<Payload: Sendable>: Sendable {
    public typealias Rejection = UpstreamRejection
    public typealias Retry = UpstreamRetry
    public typealias Reason = UpstreamUncertainty

    /// The server applied the request (`error_code` 0) and answered this payload.
    case applied(Payload)
    /// The server refused the request for good: resending it unchanged cannot succeed.
    case rejected(UpstreamRejection)
    /// The request provably did not take effect; it may be sent again.
    case retryable(UpstreamRetry)
    /// The request may or may not have taken effect (sent, then no readable answer).
    case unknown(UpstreamUncertainty)
    /// The session token is missing, unknown or expired: log in again.
    case authExpired

    /// The five outcomes as a plain value, for logs, metrics and `switch`es that ignore details.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case applied, rejected, retryable, unknown
        case authExpired = "auth_expired"
    }

    public var kind: Kind {
        switch self {
        case .applied: .applied
        case .rejected: .rejected
        case .retryable: .retryable
        case .unknown: .unknown
        case .authExpired: .authExpired
        }
    }

    /// Whether the server applied the request.
    public var isSuccess: Bool {
        if case .applied = self { return true }
        return false
    }

    /// The payload of an applied request, else nil.
    public var payload: Payload? {
        if case .applied(let payload) = self { return payload }
        return nil
    }

    public var rejection: UpstreamRejection? {
        if case .rejected(let rejection) = self { return rejection }
        return nil
    }

    public var retry: UpstreamRetry? {
        if case .retryable(let retry) = self { return retry }
        return nil
    }

    public var uncertainty: UpstreamUncertainty? {
        if case .unknown(let reason) = self { return reason }
        return nil
    }

    /// The same outcome with its payload transformed; other cases are kept as they are.
    public func map<Other: Sendable>(_ transform: (Payload) throws -> Other) rethrows -> UpstreamOutcome<Other> {
        switch self {
        case .applied(let payload): .applied(try transform(payload))
        case .rejected(let rejection): .rejected(rejection)
        case .retryable(let retry): .retryable(retry)
        case .unknown(let reason): .unknown(reason)
        case .authExpired: .authExpired
        }
    }

    /// The same outcome, with an applied payload replaced by what `transform` makes of it
    /// (which may be another outcome, e.g. `unknown` when the payload cannot be read).
    public func flatMap<Other: Sendable>(_ transform: (Payload) -> UpstreamOutcome<Other>) -> UpstreamOutcome<Other> {
        switch self {
        case .applied(let payload): transform(payload)
        case .rejected(let rejection): .rejected(rejection)
        case .retryable(let retry): .retryable(retry)
        case .unknown(let reason): .unknown(reason)
        case .authExpired: .authExpired
        }
    }
}

extension UpstreamOutcome: CustomStringConvertible {
    /// `applied`, `rejected: API error 4009 (HTTP 409)`, `retryable: connection refused`...; never the payload.
    public var description: String {
        switch self {
        case .applied: "applied"
        case .rejected(let rejection): "rejected: \(rejection)"
        case .retryable(let retry): "retryable: \(retry)"
        case .unknown(let reason): "unknown: \(reason)"
        case .authExpired: "auth expired"
        }
    }
}

extension UpstreamOutcome: Equatable where Payload: Equatable {}
extension UpstreamOutcome: Hashable where Payload: Hashable {}
