import Foundation
import NIOCore
import NIOHTTP1
import VolunteerAPI

/// The one place where what happened to a request (``UpstreamExchange``) becomes an
/// ``UpstreamOutcome``: plain functions, no I/O, tested row by row without sockets.
///
/// The rules, in order:
///
/// 1. **The request ended with an error.** If its head never left the client (connection
///    refused, DNS, TLS handshake, connect timeout, no pooled connection in time, client shut
///    down...), the server cannot have seen it: ``UpstreamOutcome/retryable(_:)``. If it had left
///    (read timeout, deadline, reset, connection closed, truncated body, too large...), the server
///    may have acted: ``UpstreamOutcome/unknown(_:)`` — whatever status had already arrived.
/// 2. **408 or 429**: ``UpstreamOutcome/retryable(_:)``, with `Retry-After` (seconds or HTTP-date).
/// 3. **5xx**: ``UpstreamOutcome/unknown(_:)`` (with `Retry-After` if sent): the server may have
///    committed before failing (vdapi's `server_error_after_commit` does exactly that).
/// 4. **401**: on the login request itself, a ``UpstreamOutcome/rejected(_:)`` (wrong credentials);
///    otherwise ``UpstreamOutcome/authExpired`` when the envelope's code is an auth code (4001 not
///    logged in, 4002 expired) or there is no readable envelope, else rejected.
/// 5. **Other 4xx**: ``UpstreamOutcome/rejected(_:)``, with the envelope's code and message when
///    the body is one. A refused request changes nothing on the server.
/// 6. **2xx**: the body must be an envelope (`{error_code, data, error_message}`); when it is
///    not, ``UpstreamOutcome/unknown(_:)``. `error_code` 0 is applied; an auth code is
///    ``UpstreamOutcome/authExpired`` (a legacy server may answer HTTP 200 with it); any other
///    code is rejected.
/// 7. **Anything else** (3xx — redirects are not followed —, 1xx, > 599): unknown.
///
/// A 2xx body that does not decode is ``UpstreamOutcome/unknown(_:)`` for reads and writes alike:
/// for a write it may have taken effect (or, when the envelope said 0 but `data` did not decode,
/// it did: ``UpstreamUncertainty/Reason/undecodablePayload(_:)``), and the engine resolves an
/// unknown write by reading, never by resending; for a read, unknown is exactly "try again
/// later". One rule for both keeps the engine's decision in one place and never turns a
/// server's glitch into a permanent rejection that would roll a user's work back.
public enum OutcomeClassifier {
    /// The `error_code`s that mean the session is gone (vdapi: 4001 not logged in, 4002 expired).
    public static let authExpiredCodes: Set<Int> = [4001, 4002]

    /// The outcome of an exchange before its payload is decoded: an applied answer carries the
    /// whole body, as the server sent it.
    ///
    /// - Parameters:
    ///   - isLogin: the request is `/login` (or another sign-in), where a 401 means wrong
    ///     credentials, not an expired session.
    ///   - now: the time `Retry-After` dates are measured from.
    public static func classify(_ exchange: UpstreamExchange, isLogin: Bool = false, now: Date = Date()) -> UpstreamOutcome<ByteBuffer> {
        if let error = exchange.error {
            var failure = UpstreamTransportFailure(error)
            if exchange.timedOut, failure == .cancelled { failure = .deadlineExceeded }
            guard exchange.requestSent else { return .retryable(UpstreamRetry(.notSent(failure))) }
            return .unknown(UpstreamUncertainty(.noAnswer(failure), httpStatus: exchange.status))
        }
        guard let status = exchange.status else {
            // No error and no answer: nothing AsyncHTTPClient does, but never claim more than we know.
            let failure = UpstreamTransportFailure.connectionClosed
            guard exchange.requestSent else { return .retryable(UpstreamRetry(.notSent(failure))) }
            return .unknown(UpstreamUncertainty(.noAnswer(failure)))
        }
        guard let body = exchange.body else {
            return .unknown(UpstreamUncertainty(.noAnswer(.truncatedBody), httpStatus: status))
        }
        let retryAfter = exchange.headers.first(name: "Retry-After").flatMap { RetryAfter.parse($0, now: now) }
        let envelope = EnvelopeHead(body)

        switch status {
        case 408, 429:
            return .retryable(UpstreamRetry(.status(status), after: retryAfter))
        case 500...599:
            return .unknown(UpstreamUncertainty(.serverError(status: status), httpStatus: status, retryAfter: retryAfter))
        case 401:
            if isLogin {
                return .rejected(UpstreamRejection(errorCode: envelope?.code, message: envelope?.message, httpStatus: status))
            }
            if let envelope, !authExpiredCodes.contains(envelope.code) {
                return .rejected(UpstreamRejection(errorCode: envelope.code, message: envelope.message, httpStatus: status))
            }
            return .authExpired
        case 400...499:
            return .rejected(UpstreamRejection(errorCode: envelope?.code, message: envelope?.message, httpStatus: status))
        case 200...299:
            guard let envelope else { return .unknown(UpstreamUncertainty(.notAnEnvelope(status: status), httpStatus: status)) }
            if envelope.code == 0 { return .applied(body) }
            if authExpiredCodes.contains(envelope.code), !isLogin { return .authExpired }
            return .rejected(UpstreamRejection(errorCode: envelope.code, message: envelope.message, httpStatus: status))
        default:
            return .unknown(UpstreamUncertainty(.unexpectedStatus(status), httpStatus: status, retryAfter: retryAfter))
        }
    }

    /// Decodes the `data` of an applied answer's envelope as `Payload` (tolerantly, with
    /// `VolunteerAPI.Envelope`); an answer that does not decode is ``UpstreamOutcome/unknown(_:)``
    /// with ``UpstreamUncertainty/Reason/undecodablePayload(_:)``.
    ///
    /// - Parameter expectedRole: the role a "user by type" answer has (``UserProfile/expectedRoleKey``).
    public static func decode<Payload: Decodable & Sendable>(
        _ body: ByteBuffer, as type: Payload.Type = Payload.self, expectedRole: UserRole? = nil
    ) -> UpstreamOutcome<Payload> {
        var decoder = JSONValueDecoder()
        if let expectedRole { decoder.userInfo[UserProfile.expectedRoleKey] = expectedRole }
        do {
            let envelope = try decoder.decode(Envelope<Payload>.self, from: Data(body.readableBytesView))
            return .applied(try envelope.payload())
        } catch {
            return .unknown(UpstreamUncertainty(.undecodablePayload(describe(error)), httpStatus: nil))
        }
    }

    /// ``classify(_:isLogin:now:)`` then, for an applied answer, ``decode(_:as:expectedRole:)``.
    public static func outcome<Payload: Decodable & Sendable>(
        of exchange: UpstreamExchange, as type: Payload.Type = Payload.self, isLogin: Bool = false,
        expectedRole: UserRole? = nil, now: Date = Date()
    ) -> UpstreamOutcome<Payload> {
        classify(exchange, isLogin: isLogin, now: now).flatMap { body in
            decode(body, as: type, expectedRole: expectedRole).withStatus(exchange.status)
        }
    }

    /// A decoding error told by its kind and path, never by the text it choked on.
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as WireDecodingError: return error.description
        case let error as EnvelopeError: return "API error \(error.code)"
        case let error as DecodingError:
            func path(_ context: DecodingError.Context) -> String {
                let path = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
                return path.isEmpty ? "the document" : path
            }
            switch error {
            case .typeMismatch(let type, let context): return "\(path(context)): expected \(type)"
            case .valueNotFound(let type, let context): return "\(path(context)): missing \(type)"
            case .keyNotFound(let key, let context): return "\(path(context)): missing field '\(key.stringValue)'"
            case .dataCorrupted(let context): return "\(path(context)): not valid JSON or not readable"
            @unknown default: return "undecodable"
            }
        default: return String(reflecting: type(of: error))
        }
    }
}

extension UpstreamOutcome {
    /// An unknown outcome made when decoding an answer, given the answer's status.
    fileprivate func withStatus(_ status: Int?) -> UpstreamOutcome {
        guard case .unknown(var reason) = self, reason.httpStatus == nil else { return self }
        reason.httpStatus = status
        return .unknown(reason)
    }
}

/// `error_code` and `error_message` of a body, if it is an envelope at all.
struct EnvelopeHead {
    let code: Int
    let message: String?

    init?(_ body: ByteBuffer) {
        // JSONDecoder skips `data` without building it (a tenth of a full parse of a page, which
        // the payload's decoder does once after this); it is kept from input deep enough to trap it.
        guard body.readableBytes > 0, !JSONValue.nestingExceeds(body.readableBytesView, limit: 512),
            let envelope = try? JSONDecoder().decode(Envelope<EmptyPayload>.self, from: Data(body.readableBytesView))
        else { return nil }
        code = envelope.errorCode
        message = envelope.errorMessage
    }
}
