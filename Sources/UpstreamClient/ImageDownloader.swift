import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// Downloads the pictures records name (casebook and result photos, chat photos, avatars) for
/// the image cache, over its own `HTTPClient` on its own event loop thread, so that a slow or
/// silent image host never holds a connection, a thread or a name lookup the API's calls wait
/// for. (NIO resolves names one at a time per event loop: an image host whose DNS hangs, as a
/// CDN's does on a kiosk without internet, stalled the API's connections on the shared loops.)
///
/// Guarantees:
/// - **The token stays with the API.** `X-auth-token` is sent only to the API's own origin
///   (scheme, host and port of ``UpstreamConfiguration/baseURL``), never to another image host
///   (an OSS or CDN host in the document's examples). Redirects are followed by hand, at most
///   ``maximumRedirects``, and each hop decides again: a redirect from the API to a CDN reaches
///   the CDN without the token.
/// - **Bounded.** An answer larger than `maximumBytes` is refused as soon as its length says so
///   or its bytes pass it; connect, read and whole-request timeouts apply.
/// - **Pictures only.** A 200 answer must be `image/*` (SVG excepted: it can hold scripts);
///   anything else is refused without reading its body.
/// - **Plain.** It asks for no content coding (pictures are compressed already); its requests
///   count in the client's ``LinkUsage`` when it is given the client's meter.
/// - **Quiet.** It logs nothing: the caller logs outcomes without the URL (which may name a
///   patient's photo) and never the bytes.
/// - **Clean shutdown.** ``shutdown()`` closes the `HTTPClient`; call it before releasing.
public final class ImageDownloader: Sendable {
    /// How one download ended.
    public enum Outcome: Sendable, Equatable {
        /// The picture: its content type (without parameters) and bytes.
        case image(contentType: String, bytes: Data)
        /// The host answered, but not with a picture that may be kept (not found, not an image,
        /// too large): tried again only much later.
        case refused(String)
        /// It may work later: no connection, a timeout, a server error.
        case failed(String)
    }

    public static let maximumRedirects = 3

    /// The event loop every downloader runs on, for the life of the process. Its own, not the
    /// API client's: NIO resolves names one at a time per loop, and a CDN whose DNS hangs (a
    /// kiosk without internet) must not hold up the API's connections. Never shut down: a
    /// lookup still running when a downloader shuts down (a logout) completes on this loop
    /// later, which a loop shut down with the downloader would refuse (NIO logs it now, and
    /// means to make it a crash).
    static let eventLoopGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    private let http: HTTPClient
    private let apiBaseURL: URL
    private let maximumBytes: Int
    private let requestTimeout: Duration
    private let linkUsage: LinkUsageMeter?

    /// - Parameters:
    ///   - apiBaseURL: the API's base URL: the only origin the token is sent to.
    ///   - proxy: the API's proxy, used for image hosts too.
    ///   - maximumBytes: the largest picture accepted.
    ///   - linkUsage: where its requests are counted (the API client's ``UpstreamClient/linkUsage``).
    public init(
        apiBaseURL: URL, proxy: UpstreamConfiguration.Proxy? = nil, maximumBytes: Int, connectTimeout: Duration = .seconds(5),
        readTimeout: Duration = .seconds(15), requestTimeout: Duration = .seconds(60), linkUsage: LinkUsageMeter? = nil
    ) {
        self.apiBaseURL = apiBaseURL
        self.linkUsage = linkUsage
        self.maximumBytes = maximumBytes
        self.requestTimeout = requestTimeout
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: HTTPClient.Configuration.Timeout(connect: TimeAmount(connectTimeout), read: TimeAmount(readTimeout)),
            proxy: proxy.map { HTTPClient.Configuration.Proxy.server(host: $0.host, port: $0.port) })
        configuration.connectionPool.retryConnectionEstablishment = false
        http = HTTPClient(eventLoopGroup: Self.eventLoopGroup, configuration: configuration)
    }

    /// Whether `url` is on the origin of `base`: the same scheme, host and port (default ports
    /// filled in). Only then may the API's token go with a request.
    public static func isSameOrigin(_ url: URL, as base: URL) -> Bool {
        func origin(_ url: URL) -> (String, String, Int)? {
            guard let scheme = url.scheme?.lowercased(), let host = url.host(percentEncoded: false)?.lowercased(), !host.isEmpty else { return nil }
            let port = url.port ?? (scheme == "https" ? 443 : scheme == "http" ? 80 : -1)
            return (scheme, host, port)
        }
        guard let one = origin(url), let other = origin(base) else { return false }
        return one == other
    }

    /// Downloads `url`; `token` goes with a request to the API's own origin only.
    public func download(_ url: URL, token: String?) async -> Outcome {
        var current = url
        for _ in 0...Self.maximumRedirects {
            guard let scheme = current.scheme?.lowercased(), scheme == "http" || scheme == "https" else { return .refused("not an http(s) URL") }
            var headers = HTTPHeaders([("Accept", "image/*")])
            if let token, Self.isSameOrigin(current, as: apiBaseURL) { headers.add(name: "X-auth-token", value: token) }
            let answer = await get(current, headers: headers)
            switch answer {
            case .redirect(let location):
                guard let next = URL(string: location, relativeTo: current)?.absoluteURL else { return .refused("a redirect without a usable location") }
                current = next
            case .done(let outcome):
                return outcome
            }
        }
        return .refused("more than \(Self.maximumRedirects) redirects")
    }

    /// Closes the `HTTPClient` (the shared loop stays). Call it once, before releasing the downloader.
    public func shutdown() async throws {
        try await http.shutdown()
    }

    private func get(_ url: URL, headers: HTTPHeaders) async -> ImageDownloaderAnswer {
        let request: HTTPClient.Request
        do {
            request = try HTTPClient.Request(url: url, method: .GET, headers: headers)
        } catch {
            return .done(.refused("not a URL that can be requested"))
        }
        let recorder = ImageRecorder(maximumBytes: maximumBytes)
        let task = http.execute(request: request, delegate: recorder, deadline: .now() + TimeAmount(requestTimeout))
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
        if let linkUsage, let received = recorder.received {
            let sent = LinkUsage.requestBytes(method: "GET", url: url.absoluteString, headers: headers, bodyLength: 0)
            var traffic = LinkUsage.Traffic(requests: 1, bytesSent: sent)
            if let head = received.head {
                traffic.bytesReceived = LinkUsage.answerBytes(status: Int(head.status.code), headers: head.headers, decodedLength: received.bodyBytes)
                traffic.bytesDecoded = LinkUsage.headBytes(status: Int(head.status.code), headers: head.headers) + received.bodyBytes
            }
            linkUsage.record(traffic)
        }
        return recorder.answer(error: failure)
    }
}

/// One request's answer: a redirect to follow, or how the download ended.
private enum ImageDownloaderAnswer {
    case redirect(String)
    case done(ImageDownloader.Outcome)
}

/// Reads one answer for ``ImageDownloader``: the head is checked before any byte of the body is
/// kept (status, content type, declared length), and the body stops at the size limit.
private final class ImageRecorder: HTTPClientResponseDelegate {
    typealias Response = Void

    /// Why reading stopped early: the answer is refused, not failed.
    struct Refusal: Error {
        let reason: String
    }

    private struct State {
        var requestSent = false
        var head: HTTPResponseHead?
        var bodyBytes = 0
        var httpStatus: Int?
        var contentType = ""
        var location: String?
        var body = ByteBuffer()
        var refusal: String?
    }

    private let state = Mutex(State())
    private let maximumBytes: Int

    init(maximumBytes: Int) {
        self.maximumBytes = maximumBytes
    }

    func didSendRequestHead(task: HTTPClient.Task<Void>, _ head: HTTPRequestHead) {
        state.withLock { $0.requestSent = true }
    }

    /// What the link carried, when the request left: the answer's head, if one came, and the body
    /// bytes that arrived.
    var received: (head: HTTPResponseHead?, bodyBytes: Int)? {
        state.withLock { $0.requestSent || $0.head != nil ? ($0.head, $0.bodyBytes) : nil }
    }

    func didReceiveHead(task: HTTPClient.Task<Void>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        let httpStatus = Int(head.status.code)
        let type =
            (head.headers.first(name: "Content-Type") ?? "").split(separator: ";").first.map {
                $0.trimmingCharacters(in: .whitespaces).lowercased()
            } ?? ""
        let length = head.headers.first(name: "Content-Length").flatMap(Int.init)
        let refusal: String? =
            if httpStatus == 200, !type.hasPrefix("image/") || type == "image/svg+xml" {
                "not an image (\(type.isEmpty ? "no content type" : type))"
            } else if httpStatus == 200, let length, length > maximumBytes {
                "larger than \(maximumBytes) bytes"
            } else {
                nil
            }
        state.withLock {
            $0.head = head
            $0.httpStatus = httpStatus
            $0.contentType = type
            $0.location = head.headers.first(name: "Location")
            $0.refusal = refusal
        }
        return refusal.map { task.eventLoop.makeFailedFuture(Refusal(reason: $0)) } ?? task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Void>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        let limit = maximumBytes
        let fits = state.withLock { state -> Bool in
            state.bodyBytes += buffer.readableBytes
            guard state.body.readableBytes + buffer.readableBytes <= limit else {
                state.refusal = "larger than \(limit) bytes"
                return false
            }
            var part = buffer
            state.body.writeBuffer(&part)
            return true
        }
        return fits ? task.eventLoop.makeSucceededVoidFuture() : task.eventLoop.makeFailedFuture(Refusal(reason: "too large"))
    }

    func didFinishRequest(task: HTTPClient.Task<Void>) throws {}

    /// What the answer comes to, once the task has ended (with `error` if it failed).
    func answer(error: (any Error)?) -> ImageDownloaderAnswer {
        state.withLock { state in
            if let refusal = state.refusal { return .done(.refused(refusal)) }
            if let error { return .done(.failed(Self.describe(error))) }
            guard let httpStatus = state.httpStatus else { return .done(.failed("no answer")) }
            switch httpStatus {
            case 200:
                return .done(.image(contentType: state.contentType, bytes: Data(state.body.readableBytesView)))
            case 301, 302, 303, 307, 308:
                guard let location = state.location else { return .done(.refused("a redirect without a location")) }
                return .redirect(location)
            case 408, 425, 429, 500...599:
                return .done(.failed("HTTP \(httpStatus)"))
            default:
                return .done(.refused("HTTP \(httpStatus)"))
            }
        }
    }

    /// A transport error by its kind, never with a URL.
    private static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return "connect timeout"
            case .readTimeout: return "read timeout"
            case .deadlineExceeded: return "request timeout"
            case .cancelled: return "cancelled"
            default: return "connection failed"
            }
        }
        return "connection failed"
    }
}
