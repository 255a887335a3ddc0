import CoreMetrics
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// The socket server: a thin NIO shell that admits connections (limit, peer policy), frames
/// lines and hands them to the ``RPCDispatcher``. All decisions live in plain values.
///
/// Start it with an ``RPCListener`` (a socket file it creates, or a descriptor from systemd) and
/// stop it once; stopping closes every connection and removes the socket file it created.
public final class RPCServer: Sendable {
    /// Misuse of the server's lifecycle (socket problems are ``SocketFile/Failure``).
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case alreadyStarted

        public var description: String { "the server is already started" }
    }

    public let dispatcher: RPCDispatcher
    public let configuration: RPCServerConfiguration
    private let group: any EventLoopGroup
    private let logger: Logger
    private let state = Mutex(State())

    private struct State: Sendable {
        var started = false
        var serverChannel: (any Channel)?
        var children: [UInt64: any Channel] = [:]
        var nextConnection: UInt64 = 1
        /// The socket file we created, removed on stop if it is still ours.
        var socketFile: (path: String, identity: SocketFile.Identity)?
    }

    public init(
        dispatcher: RPCDispatcher, configuration: RPCServerConfiguration = .init(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger
    ) {
        self.dispatcher = dispatcher
        self.configuration = configuration
        self.group = group
        self.logger = logger
    }

    /// Connections currently admitted.
    public var connectionCount: Int { state.withLock { $0.children.count } }

    /// The connections admitted, as swift-metrics reports them (`vdsync_socket_connections`).
    private let connectionsGauge = Gauge(label: "vdsync_socket_connections")

    /// Binds (or adopts the descriptor) and starts accepting; returns once clients can connect.
    /// Throws ``SocketFile/Failure/inUse(path:)`` when a live daemon already owns the socket file.
    public func start(_ listener: RPCListener) async throws {
        try state.withLock { state throws(Failure) in
            guard !state.started else { throw .alreadyStarted }
            state.started = true
        }
        let descriptor: Int32
        switch listener.source {
        case .descriptor(let fd):
            descriptor = fd
        case .socketFile(let path, let groupID, let mode):
            let bound: (descriptor: Int32, identity: SocketFile.Identity)
            do {
                bound = try SocketFile.bindListening(
                    path: path, mode: mode, groupID: groupID, backlog: configuration.backlog)
            } catch {
                state.withLock { $0.started = false }
                throw error
            }
            descriptor = bound.descriptor
            state.withLock { $0.socketFile = (path, bound.identity) }
        }
        do {
            let channel = try await bootstrap().withBoundSocket(descriptor).get()
            state.withLock { $0.serverChannel = channel }
            logger.info("rpc socket listening", metadata: ["path": "\(listener.socketPath ?? "fd \(descriptor)")"])
        } catch {
            removeSocketFile()
            state.withLock { $0.started = false }
            throw error
        }
    }

    /// Stops accepting, closes every connection and removes the socket file if it is still ours.
    public func stop() async {
        let (server, children) = state.withLock { state in
            (state.serverChannel, Array(state.children.values))
        }
        try? await server?.close()
        for child in children {
            try? await child.close()
        }
        removeSocketFile()
        state.withLock { $0.serverChannel = nil }
    }

    private func removeSocketFile() {
        if let file = state.withLock({ state in
            defer { state.socketFile = nil }
            return state.socketFile
        }) {
            SocketFile.remove(file.path, ifIdentity: file.identity)
        }
    }

    private func bootstrap() -> ServerBootstrap {
        let configuration = self.configuration
        return ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: configuration.backlog)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelOption(
                .writeBufferWaterMark,
                value: .init(low: configuration.writeBufferLowWaterMark, high: configuration.writeBufferHighWaterMark)
            )
            .childChannelInitializer { [self] channel in
                self.initialize(channel)
            }
    }

    // MARK: Admission

    private func initialize(_ channel: any Channel) -> EventLoopFuture<Void> {
        guard let id = admit(channel) else {
            logger.notice("connection refused: too many connections", metadata: ["max": "\(configuration.maxConnections)"])
            return channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(RPCRejectHandler(error: .tooManyConnections()))
            }
        }
        channel.closeFuture.whenComplete { [self] _ in
            let open = state.withLock { state in
                state.children.removeValue(forKey: id)
                return state.children.count
            }
            connectionsGauge.record(open)
        }
        return peerCredentials(of: channel).flatMapThrowing { [self] peer in
            let access = configuration.peerPolicy.access(for: peer)
            var logger = self.logger
            logger[metadataKey: "connection"] = "\(id)"
            guard access != .refused else {
                logger.notice("connection refused by peer policy", metadata: ["uid": "\(peer.uid)", "gid": "\(peer.gid)"])
                try channel.pipeline.syncOperations.addHandler(RPCRejectHandler(error: .forbidden("forbidden: this user may not use the socket")))
                return
            }
            logger.debug(
                "connection", metadata: ["uid": "\(peer.uid)", "pid": "\(peer.pid)", "access": "\(access.rawValue)"])
            let connection = RPCConnection(
                id: id, peer: peer, access: access, channel: channel,
                maxPendingNotifications: configuration.maxPendingNotifications,
                maxSubscriptions: configuration.maxSubscriptionsPerConnection, logger: logger)
            try channel.pipeline.syncOperations.addHandlers(
                ByteToMessageHandler(LineFramer(maxLineBytes: configuration.maxLineBytes)),
                RPCConnectionHandler(
                    dispatcher: dispatcher, connection: connection, configuration: configuration, logger: logger))
        }
    }

    /// Counts the connection in, or nil when the limit is reached.
    private func admit(_ channel: any Channel) -> UInt64? {
        let admitted = state.withLock { state -> (id: UInt64, open: Int)? in
            guard state.children.count < configuration.maxConnections else { return nil }
            let id = state.nextConnection
            state.nextConnection += 1
            state.children[id] = channel
            return (id, state.children.count)
        }
        if let admitted { connectionsGauge.record(admitted.open) }
        return admitted?.id
    }

    private func peerCredentials(of channel: any Channel) -> EventLoopFuture<PeerCredentials> {
        #if os(Linux)
            guard let provider = channel as? any SocketOptionProvider else {
                return channel.eventLoop.makeFailedFuture(SocketFile.Failure.system(call: "SO_PEERCRED", errno: ENOTSUP, path: nil))
            }
            let future: EventLoopFuture<LinuxUcred> = provider.unsafeGetSocketOption(
                level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
            return future.map(PeerCredentials.init)
        #else
            return channel.eventLoop.makeFailedFuture(SocketFile.Failure.system(call: "SO_PEERCRED", errno: ENOTSUP, path: nil))
        #endif
    }
}
