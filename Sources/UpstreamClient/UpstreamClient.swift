import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import VolunteerAPI

/// The one way vdsync talks to the upstream API: HTTP over AsyncHTTPClient, the session token,
/// `X-location`, timeouts and proxy, and an ``UpstreamOutcome`` for every call.
///
/// Guarantees:
/// - **No call throws.** Each ends in exactly one outcome, classified by ``OutcomeClassifier``:
///   `retryable` only when the request provably did not take effect, `unknown` whenever it may
///   have, `authExpired` told apart from rejections.
/// - **One session.** ``login(phone:password:role:)`` keeps the token on success and every later
///   call sends it as `X-auth-token` (sign-in calls never do). A failed login leaves the previous
///   session as it was; an `authExpired` outcome does too — the engine decides to log in again
///   or ``forgetSession()``.
/// - **Bounded.** Connect, read and whole-request timeouts from ``UpstreamConfiguration``; answers
///   over ``UpstreamConfiguration/maximumBodySize`` are not read; redirects are not followed (a
///   redirect is `unknown`: the API never sends one, a captive portal does, and following it
///   would carry the token elsewhere); failed connections are not retried inside the client
///   (that is the engine's backoff, and it keeps a refused connection an immediate `retryable`).
/// - **TLS verification is on** (AsyncHTTPClient's default trust roots); there is no way to turn
///   it off.
/// - **Quiet logs.** One line per call through swift-log: method, path template, status, outcome,
///   reason, duration. Never headers, bodies, parameters, tokens or the concrete URL (its query
///   may hold search text); AsyncHTTPClient's own logging is left off for the same reason.
/// - **Clean shutdown.** The client owns its `HTTPClient`; ``shutdown()`` closes it, is idempotent
///   and must be called before the client is released. Calls after it are `retryable`
///   (`client shut down`): a daemon stopping mid-sync must not turn queued writes into rejections.
public actor UpstreamClient {
    public typealias Session = UpstreamSession

    public nonisolated let configuration: UpstreamConfiguration
    /// What the link carried, per day: every request this client sends is added (and the
    /// pictures' when the ``ImageDownloader`` is given the same meter).
    public nonisolated let linkUsage: LinkUsageMeter
    private let http: HTTPClient
    private let logger: Logger
    private var isShutDown = false

    /// The current session, if logged in (or restored).
    public internal(set) var session: UpstreamSession?

    /// Creates the client and its own `HTTPClient` (on the shared NIO event loop group).
    /// With ``UpstreamConfiguration/compression`` AsyncHTTPClient decodes gzip and deflate
    /// answers, stopping any that inflates past ``UpstreamConfiguration/maximumBodySize``.
    public init(configuration: UpstreamConfiguration, logger: Logger, linkUsage: LinkUsageMeter = LinkUsageMeter()) {
        self.configuration = configuration
        self.logger = logger
        self.linkUsage = linkUsage
        var http = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: HTTPClient.Configuration.Timeout(
                connect: TimeAmount(configuration.connectTimeout), read: TimeAmount(configuration.readTimeout)),
            proxy: configuration.proxy.map { HTTPClient.Configuration.Proxy.server(host: $0.host, port: $0.port) },
            decompression: configuration.compression ? .enabled(limit: .size(configuration.maximumBodySize)) : .disabled)
        http.connectionPool.retryConnectionEstablishment = false
        self.http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: http)
    }

    // MARK: - Session

    /// Logs in with `/login` (`phono`, `pwd`, `type`) and, when the server applies it, keeps the
    /// answered token as the session. The answer is decoded as the `role`'s user.
    /// A wrong phone, password or type is ``UpstreamOutcome/rejected(_:)`` (never `authExpired`).
    public func login(phone: String, password: String, role: UserRole) async -> UpstreamOutcome<UserProfile> {
        let parameters: [String: JSONValue] = ["phono": .string(phone), "pwd": .string(password), "type": .integer(role.rawValue)]
        let outcome = await perform(.login, path: [:], parameters: parameters) { exchange in
            OutcomeClassifier.outcome(of: exchange, as: UserProfile.self, isLogin: true, expectedRole: role)
        }
        guard case .applied(let profile) = outcome else { return outcome }
        guard let token = profile.token, !token.isEmpty else {
            return .unknown(UpstreamUncertainty(.undecodablePayload("UserProfile field 'token': missing in the login answer"), httpStatus: 200))
        }
        session = UpstreamSession(token: token, role: role, userID: profile.id)
        return outcome
    }

    /// Uses a session kept from an earlier run (its token is sent from now on).
    public func restore(_ session: UpstreamSession) {
        self.session = session
    }

    /// Drops the session: later calls carry no token. (It does not call `/logout`.)
    public func forgetSession() {
        session = nil
    }

    // MARK: - Calls

    /// Calls `endpoint` of the catalogue and decodes the `data` of its envelope as `Payload`.
    ///
    /// - Parameters:
    ///   - path: the values of the path's `{placeholders}`.
    ///   - parameters: query parameters for `GET`/`DELETE`, a JSON body for `POST`/`PUT`.
    /// - Returns: the outcome; a call whose path cannot be rendered is rejected locally.
    ///   The caller's own profile (`/user`) is decoded as the session's role.
    public func call<Payload: Decodable & Sendable>(
        _ endpoint: Endpoint, path: [String: String] = [:], parameters: [String: JSONValue] = [:], as type: Payload.Type
    ) async -> UpstreamOutcome<Payload> {
        let expectedRole = endpoint.path.template == "/user" ? session?.role : nil
        let isSignIn = Self.signIns.contains(endpoint)
        return await perform(endpoint, path: path, parameters: parameters) { exchange in
            OutcomeClassifier.outcome(of: exchange, as: type, isLogin: isSignIn, expectedRole: expectedRole)
        }
    }

    /// Calls `endpoint` and gives the whole body of an applied answer, undecoded (the engine
    /// decodes `Envelope<RecordList<RawRecord<T>>>` itself). The envelope's `error_code` is still
    /// read to classify the outcome.
    public func callRaw(
        _ endpoint: Endpoint, path: [String: String] = [:], parameters: [String: JSONValue] = [:]
    ) async -> UpstreamOutcome<ByteBuffer> {
        let isSignIn = Self.signIns.contains(endpoint)
        return await perform(endpoint, path: path, parameters: parameters) { exchange in
            OutcomeClassifier.classify(exchange, isLogin: isSignIn)
        }
    }

    /// Uploads `file` with `POST /imgupload` (§1.2.2) as one multipart `file` part and decodes the
    /// answered `{url}`. Classified and logged like every other call (the log never holds the
    /// file or its name); the server refuses an upload without a session (`authExpired`) and
    /// a type other than JPEG, PNG, GIF or WebP (`rejected`). A content type that cannot be
    /// sent as a header is rejected locally.
    public func upload(_ file: UpstreamFile) async -> UpstreamOutcome<FileURL> {
        let baseURL = configuration.baseURL
        let location = configuration.location
        return await perform(
            .imageUpload,
            build: { token throws(UpstreamRequestError) in
                try UpstreamRequest(endpoint: .imageUpload, file: file, baseURL: baseURL, token: token, location: location)
            },
            classify: { exchange in
                OutcomeClassifier.outcome(of: exchange, as: FileURL.self)
            })
    }

    /// Closes the `HTTPClient`. Idempotent; call it before releasing the client.
    public func shutdown() async throws {
        guard !isShutDown else { return }
        isShutDown = true
        try await http.shutdown()
    }

    // MARK: - Sending

    /// Requests of the account flows (signing in, codes, registering, a new password): they
    /// carry no token, and a 401 from them means wrong credentials, never an expired session.
    static let signIns: Set<Endpoint> = [.login, .loginByPhone, .register, .captcha, .sendVerifyCode, .sendVerifyCodeWithCaptcha, .resetPassword]

    func perform<Payload: Sendable>(
        _ endpoint: Endpoint, path: [String: String], parameters: [String: JSONValue],
        classify: (UpstreamExchange) -> UpstreamOutcome<Payload>
    ) async -> UpstreamOutcome<Payload> {
        let baseURL = configuration.baseURL
        let location = configuration.location
        return await perform(
            endpoint,
            build: { token throws(UpstreamRequestError) in
                try UpstreamRequest(
                    endpoint: endpoint, path: path, parameters: parameters, baseURL: baseURL, token: token, location: location)
            }, classify: classify)
    }

    /// Builds the request with `build` (given the session's token, none for sign-ins), sends it,
    /// classifies and logs the outcome. A request that cannot be built is rejected locally.
    func perform<Payload: Sendable>(
        _ endpoint: Endpoint, build: (_ token: String?) throws(UpstreamRequestError) -> UpstreamRequest,
        classify: (UpstreamExchange) -> UpstreamOutcome<Payload>
    ) async -> UpstreamOutcome<Payload> {
        let started = ContinuousClock.now
        var status: Int?
        var bytes = (sent: 0, received: 0)
        let outcome: UpstreamOutcome<Payload>
        if isShutDown {
            outcome = .retryable(UpstreamRetry(.notSent(.clientShutDown)))
        } else {
            do {
                var request = try build(Self.signIns.contains(endpoint) ? nil : session?.token)
                if configuration.compression { request.acceptGzip() }
                let exchange = await send(request)
                status = exchange.status
                bytes = (request.body?.readableBytes ?? 0, exchange.body?.readableBytes ?? 0)
                outcome = classify(exchange)
            } catch {
                outcome = .rejected(UpstreamRejection(message: error.description))
            }
        }
        let elapsed = ContinuousClock.now - started
        log(endpoint, status: status, outcome: outcome, duration: elapsed)
        UpstreamMetrics.record(endpoint, outcome: outcome.kind.rawValue, duration: elapsed, sent: bytes.sent, received: bytes.received)
        return outcome
    }

    private func send(_ request: UpstreamRequest) async -> UpstreamExchange {
        let httpRequest: HTTPClient.Request
        do {
            httpRequest = try HTTPClient.Request(
                url: request.url, method: NIOHTTP1.HTTPMethod(rawValue: request.method.rawValue), headers: request.headers,
                body: request.body.map { .byteBuffer($0) })
        } catch {
            return .failure(error, requestSent: false)
        }
        let recorder = ExchangeRecorder(maximumBodySize: configuration.maximumBodySize)
        let deadline = NIODeadline.now() + TimeAmount(configuration.requestTimeout)
        let task = http.execute(request: httpRequest, delegate: recorder, deadline: deadline)
        var failure: (any Error)?
        do {
            try await withTaskCancellationHandler {
                try await task.futureResult.get()
            } onCancel: {
                task.cancel()
            }
        } catch {
            failure = error
        }
        let exchange = recorder.exchange(error: failure, timedOut: NIODeadline.now() >= deadline)
        if exchange.requestSent { linkUsage.record(Self.traffic(of: request, received: recorder.received)) }
        return exchange
    }

    /// What one sent request carried on the link (``LinkUsage``): the request, and the answer's
    /// head and body as far as they came.
    static func traffic(of request: UpstreamRequest, received: (head: HTTPResponseHead?, decodedBytes: Int)) -> LinkUsage.Traffic {
        let sent = LinkUsage.requestBytes(
            method: request.method.rawValue, url: request.url, headers: request.headers, bodyLength: request.body?.readableBytes ?? 0)
        guard let head = received.head else { return LinkUsage.Traffic(requests: 1, bytesSent: sent) }
        let onWire = LinkUsage.answerBytes(status: Int(head.status.code), headers: head.headers, decodedLength: received.decodedBytes)
        let headBytes = LinkUsage.headBytes(status: Int(head.status.code), headers: head.headers)
        return LinkUsage.Traffic(requests: 1, bytesSent: sent, bytesReceived: onWire, bytesDecoded: headBytes + received.decodedBytes)
    }

    private func log<Payload>(_ endpoint: Endpoint, status: Int?, outcome: UpstreamOutcome<Payload>, duration: Duration) {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        var metadata: Logger.Metadata = [
            "method": "\(endpoint.method.rawValue)",
            "path": "\(endpoint.path.template)",
            "outcome": "\(outcome.kind.rawValue)",
            "duration_ms": "\(milliseconds)",
        ]
        if let status { metadata["status"] = "\(status)" }
        switch outcome {
        case .rejected(let rejection):
            if let code = rejection.errorCode { metadata["error_code"] = "\(code)" }
            if rejection.isLocal { metadata["reason"] = "refused locally" }
        case .retryable(let retry): metadata["reason"] = "\(retry)"
        case .unknown(let reason): metadata["reason"] = "\(reason)"
        case .applied, .authExpired: break
        }
        logger.log(level: outcome.isSuccess ? .debug : .info, "upstream call", metadata: metadata)
    }
}
