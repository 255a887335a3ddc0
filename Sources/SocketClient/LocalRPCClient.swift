import NIOCore
import NIOPosix
import Synchronization
import VolunteerAPI

#if canImport(Glibc)
    import LocalRPC
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A client of vdsyncd's socket: one connection, requests matched to replies by id, server
/// notifications (subscriptions) delivered through ``notifications``.
///
/// Guarantees:
/// - ``call(_:_:)`` returns the reply's `result`, or throws a ``LocalRPCClientError``: the
///   daemon's JSON-RPC error as sent (code, message, data), a connect failure that names its
///   cause (socket missing, nothing listening, permission denied), or the connection closing.
///   Never anything else.
/// - Calls may overlap (from several tasks); each gets its own reply, whatever the order.
/// - When the connection ends, every call still waiting fails with ``LocalRPCClientError/connectionClosed``
///   (or the connection-level error the daemon sent, such as `too many connections`), and
///   ``notifications`` finishes.
///
/// JSON goes through Foundation's coders (``RPCJSON``), framing through the server's own
/// ``LineFramer``, so the client and the daemon cannot disagree about what a line is.
public final class LocalRPCClient: Sendable {
    /// Where vdsyncd listens unless configured otherwise.
    public static let defaultSocketPath = "/run/vdsyncd/vdsyncd.sock"

    public let socketPath: String
    /// Every notification the daemon pushes on this connection, in order; finishes when the
    /// connection ends. Buffered without bound on this side because the daemon already bounds
    /// what it sends a slow subscriber (`resync_required`).
    public let notifications: AsyncStream<RPCNotification>

    private let channel: any Channel
    private let router: ReplyRouter

    private init(socketPath: String, channel: any Channel, router: ReplyRouter, notifications: AsyncStream<RPCNotification>) {
        self.socketPath = socketPath
        self.channel = channel
        self.router = router
        self.notifications = notifications
    }

    /// Connects to the socket at `socketPath`. A reply line longer than `maxLineBytes` ends the
    /// connection (a protocol violation); the default is far above anything the daemon sends.
    public static func connect(socketPath: String, maxLineBytes: Int = 256 << 20) async throws(LocalRPCClientError) -> LocalRPCClient {
        // Checked first so that the common mistakes get a precise message, not a bare errno.
        if let failure = preflight(socketPath) { throw .cannotConnect(path: socketPath, reason: failure) }
        let (stream, continuation) = AsyncStream.makeStream(of: RPCNotification.self, bufferingPolicy: .unbounded)
        let router = ReplyRouter(notifications: continuation)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(10))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandlers(
                            ByteToMessageHandler(LineFramer(maxLineBytes: maxLineBytes)), ClientLineHandler(router: router))
                    }
                }
                .connect(unixDomainSocketPath: socketPath).get()
        } catch {
            continuation.finish()
            throw .cannotConnect(path: socketPath, reason: connectFailure(error))
        }
        return LocalRPCClient(socketPath: socketPath, channel: channel, router: router, notifications: stream)
    }

    /// Calls `method` with `params` (an object by name, an array by position, or nil for none)
    /// and returns its `result`.
    public func call(_ method: String, _ params: JSONValue? = nil) async throws(LocalRPCClientError) -> JSONValue {
        let id = router.nextID()
        var request: [String: JSONValue] = ["jsonrpc": .string(LocalRPC.jsonRPCVersion), "method": .string(method), "id": .integer(id)]
        if let params { request["params"] = params }
        var line: [UInt8]
        do {
            line = try RPCJSON.encode(.object(request))
        } catch {
            throw .protocolViolation("the request cannot be encoded as JSON")
        }
        line.append(UInt8(ascii: "\n"))
        let channel = self.channel
        let router = self.router
        do {
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<JSONValue, any Error>) in
                    guard router.register(id, continuation) else { return }
                    // Registered before checking, so a cancellation that raced ahead of
                    // registering still finds the call and ends it.
                    if Task.isCancelled { router.fail(id, with: .cancelled) }
                    channel.writeAndFlush(ByteBuffer(bytes: line)).whenFailure { _ in router.fail(id, with: .connectionClosed) }
                }
            } onCancel: {
                router.fail(id, with: .cancelled)
            }
        } catch let error as LocalRPCClientError {
            throw error
        } catch {
            throw .cancelled
        }
    }

    /// Closes the connection; waiting calls fail with ``LocalRPCClientError/connectionClosed``.
    public func close() async {
        try? await channel.close().get()
    }

    // MARK: - Connect failures

    /// What is wrong with `path` before connecting, when something visibly is.
    static func preflight(_ path: String) -> LocalRPCClientError.ConnectFailure? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            switch errno {
            case ENOENT, ENOTDIR: return .socketMissing
            case EACCES, EPERM: return .permissionDenied
            case ENAMETOOLONG: return .pathTooLong
            default: return nil
            }
        }
        return info.st_mode & S_IFMT == S_IFSOCK ? nil : .notASocket
    }

    /// The cause of a failed connect, from NIO's error.
    static func connectFailure(_ error: any Error) -> LocalRPCClientError.ConnectFailure {
        if let io = error as? IOError {
            switch io.errnoCode {
            case ENOENT, ENOTDIR: return .socketMissing
            case ECONNREFUSED: return .notListening
            case EACCES, EPERM: return .permissionDenied
            case ENOTSOCK, EPROTOTYPE: return .notASocket
            case ENAMETOOLONG: return .pathTooLong
            default: return .other(io.description)
            }
        }
        if error is SocketAddressError { return .pathTooLong }
        return .other("\(error)")
    }
}
