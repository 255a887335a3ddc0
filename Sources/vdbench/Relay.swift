import NIOCore
import NIOPosix
import Synchronization

/// A TCP relay between the sync engine and vdapi that counts the bytes each way and notes the
/// request line of every HTTP request that passes (`GET /project?current_page=2&page_size=50`).
/// It is used for the passes that are not timed: the warm-up that records which pages a sync
/// asks for (the floor replays them), and the idle cycles whose bytes are counted.
final class Relay: Sendable {
    struct Counts: Sendable {
        var toServer = 0
        var toClient = 0
        var requests: [String] = []
    }

    private let state = Mutex(Counts())
    private let channel: any Channel
    let port: Int

    private init(channel: any Channel, port: Int) {
        self.channel = channel
        self.port = port
    }

    static func start(targetHost: String, targetPort: Int) async throws -> Relay {
        let box = RelayBox()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { inbound in
                let toServer = RelayHandler(direction: .toServer, box: box)
                return inbound.pipeline.addHandler(toServer).flatMap {
                    ClientBootstrap(group: inbound.eventLoop)
                        .channelInitializer { outbound in
                            outbound.pipeline.addHandler(RelayHandler(direction: .toClient, box: box, partner: inbound))
                        }
                        .connect(host: targetHost, port: targetPort)
                        .map { outbound in toServer.partner = outbound }
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let relay = Relay(channel: channel, port: channel.localAddress?.port ?? 0)
        box.relay.withLock { $0 = relay }
        return relay
    }

    func add(_ direction: RelayHandler.Direction, bytes: Int) {
        state.withLock { counts in
            switch direction {
            case .toServer: counts.toServer += bytes
            case .toClient: counts.toClient += bytes
            }
        }
    }

    func noteRequest(_ line: String) {
        state.withLock { $0.requests.append(line) }
    }

    /// What passed so far; with `reset`, the counts start again from zero.
    func counts(reset: Bool = false) -> Counts {
        state.withLock { counts in
            defer { if reset { counts = Counts() } }
            return counts
        }
    }

    func close() async {
        try? await channel.close().get()
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
            for line in sniffer.feed(buffer.readableBytesView) { relay?.noteRequest(line) }
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

/// Finds the request lines in an HTTP/1.1 request stream (heads, and bodies skipped by their
/// Content-Length).
struct RequestSniffer {
    private var pending: [UInt8] = []
    private var bodyLeft = 0

    mutating func feed(_ bytes: some Collection<UInt8>) -> [String] {
        pending.append(contentsOf: bytes)
        var lines: [String] = []
        while true {
            if bodyLeft > 0 {
                let skip = min(bodyLeft, pending.count)
                pending.removeFirst(skip)
                bodyLeft -= skip
                if bodyLeft > 0 { break }
            }
            guard let end = Self.headEnd(pending) else { break }
            let head = String(decoding: pending[..<end], as: UTF8.self)
            pending.removeFirst(end + 4)
            let headerLines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
            if let first = headerLines.first {
                let parts = first.split(separator: " ")
                if parts.count >= 2 { lines.append("\(parts[0]) \(parts[1])") }
            }
            for header in headerLines.dropFirst() {
                let pair = header.split(separator: ":", maxSplits: 1)
                if pair.count == 2, pair[0].lowercased() == "content-length" {
                    bodyLeft = Int(pair[1].trimmingCharacters(in: .whitespaces)) ?? 0
                }
            }
        }
        return lines
    }

    private static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4) where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }
}
