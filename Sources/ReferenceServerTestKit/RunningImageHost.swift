import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A second HTTP server on its own loopback port, standing in for the image host records name
/// (an OSS or CDN host, not the API's), for tests of the image cache. It notes every request it
/// gets (path, and whether an `X-auth-token` came with it), and serves:
///
/// - `GET /img/{name}?bytes=N`: an `image/png` of N bytes (default 1000), the same bytes for
///   the same name and size;
/// - `GET /page/{name}`: a `text/html` page (not a picture);
/// - `GET /hang/{name}`: no answer at all until the host stops (a host that never answers);
/// - `GET /redirect/{name}`: a 302 to `/img/{name}` (a relative location).
public struct RunningImageHost: Sendable {
    /// One request the host got.
    public struct Seen: Sendable, Hashable {
        public let path: String
        public let authToken: String?
    }

    /// The host's base URL, e.g. `http://127.0.0.1:40124`.
    public let base: URL
    private let seen: SeenLog

    /// Every request so far, in order.
    public var requests: [Seen] { seen.all }

    /// The URL of `path` on this host.
    public func url(_ path: String) -> String {
        base.absoluteString + path
    }

    /// The bytes `/img/{name}?bytes=N` answers.
    public static func png(_ name: String, bytes: Int) -> Data {
        var data = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var seed = UInt8(truncatingIfNeeded: name.utf8.reduce(0) { $0 &+ Int($1) })
        while data.count < bytes {
            seed = seed &* 31 &+ 7
            data.append(seed)
        }
        return data.prefix(bytes)
    }

    /// Runs `body` with the host listening; stops it (answering every hanging request) whatever
    /// `body` does.
    public static func withRunning<T: Sendable>(_ body: (RunningImageHost) async throws -> T) async throws -> T {
        var logger = Logger(label: "image-host-test")
        logger.logLevel = .warning
        let seen = SeenLog()
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let application = Application(
            router: router(seen),
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "image-host"),
            onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) },
            logger: logger)
        let group = ServiceGroup(configuration: .init(services: [application], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                defer { portContinuation.finish() }
                try await group.run()
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), let base = URL(string: "http://127.0.0.1:\(port)") else {
                try await tasks.waitForAll()
                throw RunningReferenceServerError.didNotStart
            }
            let result: Result<T, any Error>
            do {
                result = .success(try await body(RunningImageHost(base: base, seen: seen)))
            } catch {
                result = .failure(error)
            }
            seen.releaseHanging()
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return try result.get()
        }
    }

    private static func router(_ seen: SeenLog) -> Router<BasicRequestContext> {
        let router = Router()
        let token = HTTPField.Name("X-auth-token")!
        router.get("/img/{name}") { request, context -> Response in
            seen.note(request.uri.path, token: request.headers[token])
            let name = context.parameters.get("name") ?? ""
            let size = request.uri.queryParameters.get("bytes").flatMap { Int($0) } ?? 1000
            return Response(
                status: .ok, headers: [.contentType: "image/png"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: png(name, bytes: size))))
        }
        router.get("/page/{name}") { request, _ -> Response in
            seen.note(request.uri.path, token: request.headers[token])
            return Response(status: .ok, headers: [.contentType: "text/html"], body: ResponseBody(byteBuffer: ByteBuffer(string: "<html></html>")))
        }
        router.get("/hang/{name}") { request, _ -> Response in
            seen.note(request.uri.path, token: request.headers[token])
            await seen.hang()
            return Response(status: .serviceUnavailable)
        }
        router.get("/redirect/{name}") { request, context -> Response in
            seen.note(request.uri.path, token: request.headers[token])
            return Response(status: .found, headers: [.location: "/img/" + (context.parameters.get("name") ?? "")])
        }
        return router
    }
}

/// What the image host saw, and the requests it holds without answering.
private final class SeenLog: Sendable {
    private struct State {
        var seen: [RunningImageHost.Seen] = []
        var hanging: [CheckedContinuation<Void, Never>] = []
        var released = false
    }

    private let state = Mutex(State())

    var all: [RunningImageHost.Seen] { state.withLock { $0.seen } }

    func note(_ path: String, token: String?) {
        state.withLock { $0.seen.append(RunningImageHost.Seen(path: path, authToken: token)) }
    }

    /// Waits until the host stops.
    func hang() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                guard !state.released else { return true }
                state.hanging.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    func releaseHanging() {
        let waiting = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.released = true
            defer { state.hanging = [] }
            return state.hanging
        }
        for continuation in waiting { continuation.resume() }
    }
}
