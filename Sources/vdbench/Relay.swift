import NIOCore
import NIOPosix
import Synchronization

/// A TCP relay between the sync engine and vdapi that counts the bytes each way and notes
/// every HTTP request that passes: its request line (`GET /project?current_page=2&page_size=50`)
/// and, for the floors that replay writes, its body. It is used for the passes that are not
/// timed: the warm-up that records which pages a sync asks for (the floor replays them), the
/// idle cycles whose bytes are counted, and the link (``down()`` and ``up()``: an outage).
final class Relay: Sendable {
    /// One request as it passed: the request line, its Content-Type and its body, if any.
    struct Request: Sendable {
        var line: String
        var contentType: String?
        var body: [UInt8] = []
    }

    struct Counts: Sendable {
        var toServer = 0
        var toClient = 0
        var requests: [Request] = []
    }

    private let state = Mutex(Counts())
    private let listener: Mutex<(any Channel)?>
    /// Every relayed connection open now, both sides, so that ``down()`` ends them all.
    private let connections = Mutex<[ObjectIdentifier: any Channel]>([:])
    private let box: RelayBox
    private let target: (host: String, port: Int)
    let port: Int

    private init(listener: any Channel, box: RelayBox, target: (host: String, port: Int)) {
        self.listener = Mutex<(any Channel)?>(listener)
        self.box = box
        self.target = target
        self.port = listener.localAddress?.port ?? 0
    }

    static func start(targetHost: String, targetPort: Int) async throws -> Relay {
        let box = RelayBox()
        let target = (host: targetHost, port: targetPort)
        let relay = Relay(listener: try await listen(port: 0, box: box, target: target), box: box, target: target)
        box.relay.withLock { $0 = relay }
        return relay
    }

    private static func listen(port: Int, box: RelayBox, target: (host: String, port: Int)) async throws -> any Channel {
        try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { inbound in
                let relay = box.relay.withLock { $0 }
                // A connection that slipped in as the link went down is ended at once.
                guard relay?.track(inbound) ?? true else { return inbound.eventLoop.makeFailedFuture(BenchError("the relay is down")) }
                let toServer = RelayHandler(direction: .toServer, box: box)
                return inbound.pipeline.addHandler(toServer).flatMap {
                    ClientBootstrap(group: inbound.eventLoop)
                        .channelInitializer { outbound in
                            outbound.pipeline.addHandler(RelayHandler(direction: .toClient, box: box, partner: inbound))
                        }
                        .connect(host: target.host, port: target.port)
                        .map { outbound in
                            toServer.partner = outbound
                            if relay?.track(outbound) == false { outbound.close(promise: nil) }
                        }
                }
            }
            .bind(host: "127.0.0.1", port: port).get()
    }

    /// Notes an open connection until it closes; false when the link is down.
    private func track(_ channel: any Channel) -> Bool {
        let id = ObjectIdentifier(channel)
        let up = listener.withLock { $0 != nil }
        guard up else { return false }
        connections.withLock { $0[id] = channel }
        channel.closeFuture.whenComplete { [self] _ in _ = connections.withLock { $0.removeValue(forKey: id) } }
        return true
    }

    /// The link goes down: nothing listens any more (a connect is refused) and every relayed
    /// connection is closed, so the client's pooled keep-alive connections die too.
    func down() async {
        let listening = listener.withLock { listening in
            defer { listening = nil }
            return listening
        }
        try? await listening?.close().get()
        let open = connections.withLock { Array($0.values) }
        for channel in open { try? await channel.close().get() }
    }

    /// The link comes back: the relay listens again on the same port.
    func up() async throws {
        guard listener.withLock({ $0 == nil }) else { return }
        let channel = try await Self.listen(port: port, box: box, target: target)
        listener.withLock { $0 = channel }
    }

    func add(_ direction: RelayHandler.Direction, bytes: Int) {
        state.withLock { counts in
            switch direction {
            case .toServer: counts.toServer += bytes
            case .toClient: counts.toClient += bytes
            }
        }
    }

    func noteRequest(_ request: Request) {
        state.withLock { $0.requests.append(request) }
    }

    /// What passed so far; with `reset`, the counts start again from zero.
    func counts(reset: Bool = false) -> Counts {
        state.withLock { counts in
            defer { if reset { counts = Counts() } }
            return counts
        }
    }

    func close() async {
        await down()
    }
}

/// Lets handlers made before the relay exists reach it.
final class RelayBox: Sendable {
    let relay = Mutex<Relay?>(nil)
}

/// One direction of a relayed connection: what it reads it writes to its partner.
final class RelayHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum Direction: Sendable { case toServer, toClient }

    let direction: Direction
    let box: RelayBox
    var partner: (any Channel)?
    private var sniffer = RequestSniffer()

    init(direction: Direction, box: RelayBox, partner: (any Channel)? = nil) {
        self.direction = direction
        self.box = box
        self.partner = partner
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = Self.unwrapInboundIn(data)
        let relay = box.relay.withLock { $0 }
        relay?.add(direction, bytes: buffer.readableBytes)
        if direction == .toServer {
            for request in sniffer.feed(buffer.readableBytesView) { relay?.noteRequest(request) }
        }
        partner?.writeAndFlush(buffer, promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner?.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// Finds the requests in an HTTP/1.1 request stream: heads, and bodies by their Content-Length.
struct RequestSniffer {
    private var pending: [UInt8] = []
    private var bodyLeft = 0
    private var current: Relay.Request?

    mutating func feed(_ bytes: some Collection<UInt8>) -> [Relay.Request] {
        pending.append(contentsOf: bytes)
        var requests: [Relay.Request] = []
        while true {
            if bodyLeft > 0 {
                let take = min(bodyLeft, pending.count)
                current?.body += pending[..<take]
                pending.removeFirst(take)
                bodyLeft -= take
                if bodyLeft > 0 { break }
            }
            if let done = current {
                requests.append(done)
                current = nil
            }
            guard let end = Self.headEnd(pending) else { break }
            let head = String(decoding: pending[..<end], as: UTF8.self)
            pending.removeFirst(end + 4)
            let headerLines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
            let parts = headerLines.first?.split(separator: " ") ?? []
            var request = parts.count >= 2 ? Relay.Request(line: "\(parts[0]) \(parts[1])") : nil
            for header in headerLines.dropFirst() {
                let pair = header.split(separator: ":", maxSplits: 1)
                guard pair.count == 2 else { continue }
                let value = pair[1].trimmingCharacters(in: .whitespaces)
                switch pair[0].lowercased() {
                case "content-length": bodyLeft = Int(value) ?? 0
                case "content-type": request?.contentType = value
                default: break
                }
            }
            current = request
        }
        return requests
    }

    private static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4) where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }
}
