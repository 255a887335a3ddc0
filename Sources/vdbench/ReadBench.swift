import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// Part 4: reads through the socket at 1, 16 and 64 concurrent clients, beside a floor server
/// that answers the same bytes from memory over the same kind of socket.
struct ReadFigures: Codable, Sendable {
    var query: String
    var params: String
    var replyBytes: Int
    var items: Int
    var levels: [ReadLevel]
}

struct ReadLevel: Codable, Sendable {
    var clients: Int
    var ours: ReadRun
    var floor: ReadRun
    /// ours / floor throughput (target: at least 0.5).
    var throughputRatio: Double
    /// The same load on the same mirror with the reply cache off (`VDSYNC_READ_CACHE=off`):
    /// what a read that must go to the database costs, after every change.
    var uncached: ReadRun?
}

struct ReadRun: Codable, Sendable {
    var requests: Int
    var seconds: Double
    var perSecond: Double
    var latency: Latencies
}

/// One client connection of the load: sends its request line, waits for the reply line,
/// notes the latency and sends again, until the deadline.
final class LoadHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let request: ByteBuffer
    private let recordFrom: UInt64
    private let deadline: UInt64
    private let done: EventLoopPromise<[UInt64]>
    private var latencies: [UInt64] = []
    private var sentAt: UInt64 = 0
    private var pending: ByteBuffer?
    private var scanned = 0

    init(request: ByteBuffer, recordFrom: UInt64, deadline: UInt64, done: EventLoopPromise<[UInt64]>) {
        self.request = request
        self.recordFrom = recordFrom
        self.deadline = deadline
        self.done = done
        latencies.reserveCapacity(100_000)
    }

    func channelActive(context: ChannelHandlerContext) {
        send(context)
        context.fireChannelActive()
    }

    private func send(_ context: ChannelHandlerContext) {
        sentAt = monotonicNanoseconds()
        context.writeAndFlush(Self.wrapOutboundOut(request), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = Self.unwrapInboundIn(data)
        if pending == nil {
            pending = incoming
        } else {
            pending!.writeBuffer(&incoming)
        }
        while let buffer = pending {
            let view = buffer.readableBytesView
            guard let newline = view.dropFirst(scanned).firstIndex(of: 10) else {
                scanned = view.count
                return
            }
            let now = monotonicNanoseconds()
            let consumed = newline - view.startIndex + 1
            pending!.moveReaderIndex(forwardBy: consumed)
            if pending!.readableBytes == 0 { pending = nil }
            scanned = 0
            if sentAt >= recordFrom { latencies.append(now - sentAt) }
            if now < deadline {
                send(context)
            } else {
                done.succeed(latencies)
                context.close(promise: nil)
                return
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        done.succeed(latencies)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        done.fail(error)
        context.close(promise: nil)
    }
}

enum ReadLoad {
    /// `clients` connections to `path`, each sending `line` again and again for `warmup` +
    /// `duration`; latencies of the requests sent after the warm-up.
    static func run(path: String, line: [UInt8], clients: Int, warmup: Duration, duration: Duration, group: any EventLoopGroup) async throws -> ReadRun {
        var request = ByteBuffer(bytes: line)
        request.writeInteger(UInt8(10))
        let start = monotonicNanoseconds()
        let recordFrom = start + UInt64(warmup.seconds * 1e9)
        let deadline = recordFrom + UInt64(duration.seconds * 1e9)
        var futures: [EventLoopFuture<[UInt64]>] = []
        for _ in 0..<clients {
            let loop = group.next()
            let done = loop.makePromise(of: [UInt64].self)
            let handler = LoadHandler(request: request, recordFrom: recordFrom, deadline: deadline, done: done)
            let channel = try await ClientBootstrap(group: loop)
                .channelInitializer { channel in channel.pipeline.addHandler(handler) }
                .connect(unixDomainSocketPath: path).get()
            _ = channel
            futures.append(done.futureResult)
        }
        var all: [UInt64] = []
        for future in futures { all += try await future.get() }
        let seconds = Double(max(monotonicNanoseconds(), deadline) - recordFrom) / 1e9
        return ReadRun(requests: all.count, seconds: seconds, perSecond: Double(all.count) / seconds, latency: Latencies(nanoseconds: all))
    }
}

/// The floor of part 4: answers each request line with the reply line recorded for it, from
/// memory, over a Unix socket like vdsyncd's (NIO, one line framer, nothing else).
enum FloorSocketServer {
    static func serve(socketPath: String, table: [String: String]) async throws {
        let replies = Dictionary(uniqueKeysWithValues: table.map { (Array($0.key.utf8), Array(($0.value + "\n").utf8)) })
        unlink(socketPath)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.pipeline.addHandler(FloorHandler(replies: replies))
            }
            .bind(unixDomainSocketPath: socketPath).get()
        FileHandle.standardOutput.write(Data("floor listening on \(socketPath)\n".utf8))
        try await channel.closeFuture.get()
    }
}

final class FloorHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let replies: [[UInt8]: [UInt8]]
    private var pending: [UInt8] = []

    init(replies: [[UInt8]: [UInt8]]) {
        self.replies = replies
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = Self.unwrapInboundIn(data)
        pending.append(contentsOf: buffer.readableBytesView)
        var wrote = false
        while let newline = pending.firstIndex(of: 10) {
            let line = Array(pending[..<newline])
            pending.removeFirst(newline + 1)
            let reply = replies[line] ?? Array(#"{"error":{"code":-32601,"message":"not recorded"},"id":null,"jsonrpc":"2.0"}"#.utf8 + [10])
            context.write(Self.wrapOutboundOut(ByteBuffer(bytes: reply)), promise: nil)
            wrote = true
        }
        if wrote { context.flush() }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
