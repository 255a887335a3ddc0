import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Redaction
import Testing
import UpstreamClient
import VolunteerAPI

#if canImport(Glibc)
    import Glibc
#endif

/// Every row of the outcome taxonomy, from a hand-built ``UpstreamExchange``: no sockets.
@Suite("Outcome classifier")
struct OutcomeClassifierTests {
    private let now = Date(timeIntervalSince1970: 1_700_000_000)

    private func classify(_ exchange: UpstreamExchange, isLogin: Bool = false) -> UpstreamOutcome<ByteBuffer> {
        OutcomeClassifier.classify(exchange, isLogin: isLogin, now: now)
    }

    private func envelope(_ code: Int, _ message: String = "", data: String = "{}") -> String {
        #"{"error_code": \#(code), "data": \#(data), "error_message": "\#(message)"}"#
    }

    // MARK: - Failures before the request left: retryable

    @Test(
        "a failure before the request head left is retryable, named precisely",
        arguments: [
            (IOError(errnoCode: ECONNREFUSED, reason: "connect") as any Error, UpstreamTransportFailure.connectionRefused),
            (HTTPClientError.connectTimeout, .connectTimeout),
            (ChannelError.connectTimeout(.seconds(5)), .connectTimeout),
            (HTTPClientError.getConnectionFromPoolTimeout, .connectionPoolTimeout),
            (HTTPClientError.tlsHandshakeTimeout, .tlsHandshakeFailed),
            (HTTPClientError.httpProxyHandshakeTimeout, .proxyFailed),
            (HTTPClientError.proxyAuthenticationRequired, .proxyFailed),
            (IOError(errnoCode: ENETUNREACH, reason: "connect"), .networkUnreachable),
            (HTTPClientError.alreadyShutdown, .clientShutDown),
            (HTTPClientError.invalidURL, .invalidRequest),
            (CancellationError(), .cancelled),
        ])
    func notSent(error: any Error, failure: UpstreamTransportFailure) {
        let outcome = classify(.failure(error, requestSent: false))
        #expect(outcome.retry == UpstreamRetry(.notSent(failure)))
        #expect(outcome.kind == .retryable)
    }

    @Test("whatever the error, a request whose head never left is retryable; an unrecognised error is named by its type")
    func notSentUnknownError() {
        struct Oddity: Error {}
        let outcome = classify(.failure(Oddity(), requestSent: false))
        guard case .retryable(let retry) = outcome, case .notSent(.other(let type)) = retry.reason else {
            Issue.record("expected retryable, got \(outcome)")
            return
        }
        #expect(type.hasSuffix("Oddity"))
    }

    // MARK: - Failures after the request left: unknown

    @Test(
        "a failure after the request head left is unknown: it may have taken effect",
        arguments: [
            (HTTPClientError.readTimeout as any Error, UpstreamTransportFailure.readTimeout),
            (HTTPClientError.deadlineExceeded, .deadlineExceeded),
            (HTTPClientError.writeTimeout, .writeTimeout),
            (HTTPClientError.remoteConnectionClosed, .connectionClosed),
            (ChannelError.ioOnClosedChannel, .connectionClosed),
            (ChannelError.eof, .connectionClosed),
            (IOError(errnoCode: ECONNRESET, reason: "read"), .connectionReset),
            (IOError(errnoCode: EPIPE, reason: "write"), .connectionReset),
            (HTTPClientError.bodyLengthMismatch, .truncatedBody),
            (HTTPParserError.invalidEOFState, .truncatedBody),
            (HTTPParserError.invalidStatus, .protocolError),
            (HTTPClientError.cancelled, .cancelled),
        ])
    func sentThenFailed(error: any Error, failure: UpstreamTransportFailure) {
        let outcome = classify(.failure(error, requestSent: true))
        #expect(outcome.uncertainty == UpstreamUncertainty(.noAnswer(failure)))
    }

    @Test("a truncated body is unknown even when its status was a success; the status is kept")
    func truncatedAfterHead() {
        let outcome = classify(.failure(HTTPClientError.bodyLengthMismatch, requestSent: true, status: 200))
        #expect(outcome.uncertainty == UpstreamUncertainty(.noAnswer(.truncatedBody), httpStatus: 200))
    }

    @Test("a cancellation caused by the client's own deadline reads as a timeout")
    func cancelledByDeadline() {
        #expect(classify(.failure(HTTPClientError.cancelled, requestSent: true, timedOut: true)).uncertainty?.reason == .noAnswer(.deadlineExceeded))
        #expect(classify(.failure(HTTPClientError.cancelled, requestSent: false, timedOut: true)).retry?.reason == .notSent(.deadlineExceeded))
    }

    // MARK: - Statuses

    @Test("5xx is unknown: the server may have committed before failing", arguments: [500, 502, 503, 504])
    func serverErrors(status: Int) {
        let html = UpstreamExchange.answer(status, body: "<html><body><h1>\(status)</h1></body></html>")
        #expect(classify(html).uncertainty == UpstreamUncertainty(.serverError(status: status), httpStatus: status))
        // Even with an envelope (vdapi's 5000 "rolled back"): a 5xx is never trusted as a refusal.
        let wrapped = UpstreamExchange.answer(status, body: envelope(5000, "服务器错误"))
        #expect(classify(wrapped).kind == .unknown)
    }

    @Test("a 503 keeps its Retry-After as a hint")
    func serverErrorRetryAfter() {
        let exchange = UpstreamExchange.answer(503, headers: ["Retry-After": "30"], body: "busy")
        #expect(classify(exchange).uncertainty?.retryAfter == .seconds(30))
    }

    @Test("408 and 429 are retryable, honouring Retry-After in seconds", arguments: [408, 429])
    func throttled(status: Int) {
        let exchange = UpstreamExchange.answer(status, headers: ["Retry-After": "120"], body: "")
        #expect(classify(exchange).retry == UpstreamRetry(.status(status), after: .seconds(120)))
        #expect(classify(.answer(status, body: "")).retry == UpstreamRetry(.status(status)))
    }

    @Test("429 with Retry-After as an HTTP-date is a delay from now")
    func throttledUntilDate() {
        // now + 90 s, as an IMF-fixdate.
        let exchange = UpstreamExchange.answer(429, headers: ["Retry-After": "Tue, 14 Nov 2023 22:14:50 GMT"], body: "")
        #expect(classify(exchange).retry == UpstreamRetry(.status(429), after: .seconds(90)))
    }

    @Test("401 with 4001 (not logged in) or 4002 (expired) is authExpired", arguments: [4001, 4002])
    func authExpired(code: Int) {
        #expect(classify(.answer(401, body: envelope(code, "请先登录"))) == .authExpired)
    }

    @Test("a 401 on /login itself is a rejection: wrong credentials")
    func loginRefused() {
        let outcome = classify(.answer(401, body: envelope(1004, "手机号或密码错误")), isLogin: true)
        #expect(outcome.rejection == UpstreamRejection(errorCode: 1004, message: "手机号或密码错误", httpStatus: 401))
        #expect(classify(.answer(401, body: envelope(4001)), isLogin: true).kind == .rejected)
        #expect(classify(.answer(401, body: "Unauthorized"), isLogin: true).kind == .rejected)
    }

    @Test("a 401 with another code is a rejection; a 401 without an envelope is authExpired")
    func otherUnauthorized() {
        #expect(classify(.answer(401, body: envelope(1004))).kind == .rejected)
        #expect(classify(.answer(401, body: "<html>401 Authorization Required</html>")) == .authExpired)
    }

    @Test(
        "other 4xx are rejections, with the envelope's code and message when there is one",
        arguments: [(400, 1001), (403, 4003), (404, 4004), (405, 4004), (409, 4009), (409, 1003), (413, 1001)])
    func clientErrors(status: Int, code: Int) {
        let outcome = classify(.answer(status, body: envelope(code, "参数错误")))
        #expect(outcome.rejection == UpstreamRejection(errorCode: code, message: "参数错误", httpStatus: status))
    }

    @Test("a 4xx without an envelope is still a rejection, by its status")
    func clientErrorWithoutEnvelope() {
        #expect(classify(.answer(404, body: "Not Found")).rejection == UpstreamRejection(httpStatus: 404))
    }

    @Test("2xx with error_code 0 is applied and carries the whole body")
    func applied() {
        let body = envelope(0, data: #"{"id": 7}"#)
        #expect(classify(.answer(200, body: body)) == .applied(ByteBuffer(string: body)))
        // Tolerant envelope: error_code as a string.
        #expect(classify(.answer(200, body: #"{"error_code": "0", "data": {}}"#)).isSuccess)
    }

    @Test("2xx with a non-zero error_code is a rejection; with 4001/4002 it is authExpired")
    func businessErrors() {
        #expect(classify(.answer(200, body: envelope(4009, "名额已满"))).rejection == UpstreamRejection(errorCode: 4009, message: "名额已满", httpStatus: 200))
        #expect(classify(.answer(200, body: envelope(4002))) == .authExpired)
    }

    @Test(
        "a 2xx body that is not an envelope is unknown (for a write it may have applied; for a read: try later)",
        arguments: ["<html>captive portal</html>", "", "[]", #"{"data": {}}"#, #"{"error_code": "zero"}"#, "{\"error_code\": 0, "])
    func notAnEnvelope(body: String) {
        #expect(classify(.answer(200, body: body)).uncertainty == UpstreamUncertainty(.notAnEnvelope(status: 200), httpStatus: 200))
    }

    @Test("a hostile body nested past Foundation's limit is unknown, never a trap")
    func deepNesting() {
        let deep = String(repeating: "[", count: 513)
        for body in [deep, String(repeating: "[", count: 514), #"{"error_code": 0, "data": \#(deep)"#, String(repeating: "{\"a\":", count: 600)] {
            #expect(classify(.answer(200, body: body)).uncertainty == UpstreamUncertainty(.notAnEnvelope(status: 200), httpStatus: 200))
        }
        // A valid envelope whose data nests too deep: its head is read, its payload refused.
        let nested = envelope(0, data: String(repeating: "[", count: 600) + String(repeating: "]", count: 600))
        let outcome = OutcomeClassifier.outcome(of: .answer(200, body: nested), as: JSONValue.self, now: now)
        if case .unknown = outcome {} else { Issue.record("expected unknown, got \(outcome)") }
    }

    @Test("redirects and other statuses the API never sends are unknown", arguments: [301, 302, 307, 101, 600])
    func unexpected(status: Int) {
        #expect(classify(.answer(status, body: "")).uncertainty == UpstreamUncertainty(.unexpectedStatus(status), httpStatus: status))
    }

    // MARK: - Decoding the payload

    @Test("an applied answer decodes its data tolerantly into the payload")
    func decodes() {
        let exchange = UpstreamExchange.answer(200, body: envelope(0, data: #"{"url": "http://img.example/a.jpg"}"#))
        let outcome = OutcomeClassifier.outcome(of: exchange, as: FileURL.self, now: now)
        #expect(outcome.payload?.url == "http://img.example/a.jpg")
        let empty = OutcomeClassifier.outcome(of: .answer(200, body: envelope(0, data: "[]")), as: EmptyPayload.self, now: now)
        #expect(empty == .applied(EmptyPayload()))
    }

    @Test("error_code 0 with data that is not the payload is unknown, naming the field but not its value")
    func undecodablePayload() {
        let exchange = UpstreamExchange.answer(200, body: envelope(0, data: #"{"id": "13812345678x", "list": 5}"#))
        let outcome = OutcomeClassifier.outcome(of: exchange, as: RecordList<Project>.self, now: now)
        guard case .unknown(let reason) = outcome, case .undecodablePayload(let problem) = reason.reason else {
            Issue.record("expected an undecodable payload, got \(outcome)")
            return
        }
        #expect(reason.httpStatus == 200)
        #expect(problem.contains("list"))
        #expect(!problem.contains("13812345678"))
    }

    @Test("a login answer is decoded as the role asked for")
    func userByType() {
        let body = envelope(0, data: #"{"id": 3, "real_name": "张", "token": "abc"}"#)
        let outcome = OutcomeClassifier.outcome(of: .answer(200, body: body), as: UserProfile.self, isLogin: true, expectedRole: .assistant, now: now)
        #expect(outcome.payload?.role == .assistant)
        #expect(outcome.payload?.id == 3)
    }

    // MARK: - What outcomes say

    @Test("a rejection masks phone and ID-card numbers in the server's message")
    func redaction() {
        let outcome = classify(.answer(409, body: envelope(1003, "手机号13800000021已注册，身份证11010519491231002X重复，编号 42")))
        let message = outcome.rejection?.message ?? ""
        #expect(message == "手机号***已注册，身份证***重复，编号 42")
        #expect(PersonalNumbers.masked("110105194912310") == "***")
        #expect(PersonalNumbers.masked("id 123456, 2024-05-01") == "id 123456, 2024-05-01")
    }

    @Test("outcomes describe themselves without their payload")
    func descriptions() {
        #expect(UpstreamOutcome<String>.applied("secret medical data").description == "applied")
        #expect(UpstreamOutcome<String>.authExpired.description == "auth expired")
        #expect(
            classify(.failure(IOError(errnoCode: ECONNREFUSED, reason: "connect"), requestSent: false)).description == "retryable: not sent: connection refused"
        )
        #expect(UpstreamOutcome<Int>.applied(3).map { $0 * 2 } == .applied(6))
        #expect(UpstreamOutcome<Int>.authExpired.map { $0 * 2 } == .authExpired)
    }
}
