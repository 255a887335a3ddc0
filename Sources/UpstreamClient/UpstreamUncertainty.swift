/// Why the client cannot tell whether a request took effect.
///
/// For a write this means "check the server for the effect before anything else" (never resend
/// blindly); for a read it simply means "try again later".
///
/// Guarantees: the reason names what went wrong (a timeout, a reset, a status...) and, for an
/// answer that could not be decoded, the structure and field at fault; never a value of the
/// answer, a header, a token or a parameter.
public struct UpstreamUncertainty: Sendable, Hashable, CustomStringConvertible {
    /// What left the outcome open.
    public enum Reason: Sendable, Hashable, CustomStringConvertible {
        /// The request left but no complete answer came back: a timeout, a reset, a closed
        /// connection, a truncated body.
        case noAnswer(UpstreamTransportFailure)
        /// The server answered 5xx: it may have acted before failing.
        case serverError(status: Int)
        /// A status the API never sends (3xx, 1xx, > 599): a captive portal, a misrouted proxy...
        case unexpectedStatus(Int)
        /// A 2xx whose body is not an envelope (`{error_code, ...}`): HTML from a portal, junk.
        case notAnEnvelope(status: Int)
        /// The envelope said `error_code` 0, so the request was applied, but its `data` could not be
        /// decoded as the expected payload (the text is a `WireDecodingError`: structure, field
        /// path, problem; no values). A write's effect is therefore known to stand; the engine can
        /// confirm it by reading, as for any unknown.
        case undecodablePayload(String)

        public var description: String {
            switch self {
            case .noAnswer(let failure): "no answer: \(failure)"
            case .serverError(let status): "server error \(status)"
            case .unexpectedStatus(let status): "unexpected HTTP \(status)"
            case .notAnEnvelope(let status): "HTTP \(status) without an envelope"
            case .undecodablePayload(let problem): "applied, but the answer could not be decoded: \(problem)"
            }
        }
    }

    public var reason: Reason
    /// The HTTP status of the answer, when one arrived.
    public var httpStatus: Int?
    /// The server's `Retry-After` (5xx answers may carry one), if any.
    public var retryAfter: Duration?

    public init(_ reason: Reason, httpStatus: Int? = nil, retryAfter: Duration? = nil) {
        self.reason = reason
        self.httpStatus = httpStatus
        self.retryAfter = retryAfter
    }

    /// Whether the request may still take effect after this outcome: nothing came back (the
    /// server may still be working on it), or a gateway answered for a server it gave up on
    /// (502, 504), or something that is not the API answered (a 3xx or 1xx, which may be a
    /// proxy). An answer from the server itself (another 5xx, a 2xx body that is not an
    /// envelope) means it is done with the request, whatever it did.
    public var mayStillTakeEffect: Bool {
        switch reason {
        case .noAnswer, .unexpectedStatus: true
        case .serverError(let code): code == 502 || code == 504
        case .notAnEnvelope, .undecodablePayload: false
        }
    }

    public var description: String {
        if let retryAfter { "\(reason), retry after \(retryAfter)" } else { reason.description }
    }
}
