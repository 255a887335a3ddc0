import NIOCore
import NIOHTTP1

/// What happened to one request, as the client saw it: the input of ``OutcomeClassifier``.
///
/// It is recorded by the client from AsyncHTTPClient's delegate callbacks (head sent, response
/// head, body parts, error), and built by hand in tests, so every row of the taxonomy can be
/// checked without sockets.
public struct UpstreamExchange: Sendable {
    /// Whether the request head was handed to the connection. Until it is, the server cannot have
    /// seen the request, so any failure is retryable; once it is, a failure is unknown.
    public var requestSent: Bool
    /// The HTTP status of the answer's head, if one arrived.
    public var status: Int?
    /// The answer's headers, if a head arrived.
    public var headers: HTTPHeaders
    /// The whole answer body, only when it was read to its end.
    public var body: ByteBuffer?
    /// The error that ended the request, if any.
    public var error: (any Error)?
    /// Whether the client's own whole-request deadline had passed when the request ended, so that
    /// a cancellation caused by it reads as a timeout.
    public var timedOut: Bool

    public init(
        requestSent: Bool, status: Int? = nil, headers: HTTPHeaders = [:], body: ByteBuffer? = nil,
        error: (any Error)? = nil, timedOut: Bool = false
    ) {
        self.requestSent = requestSent
        self.status = status
        self.headers = headers
        self.body = body
        self.error = error
        self.timedOut = timedOut
    }

    /// A complete answer: sent, a status, headers and the whole body.
    public static func answer(_ status: Int, headers: HTTPHeaders = [:], body: String) -> UpstreamExchange {
        UpstreamExchange(requestSent: true, status: status, headers: headers, body: ByteBuffer(string: body))
    }

    /// A request that ended with `error`, after (`requestSent`) or before its head left.
    public static func failure(_ error: any Error, requestSent: Bool, status: Int? = nil, timedOut: Bool = false) -> UpstreamExchange {
        UpstreamExchange(requestSent: requestSent, status: status, error: error, timedOut: timedOut)
    }
}
