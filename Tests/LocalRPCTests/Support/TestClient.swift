import Foundation
import NIOCore
import NIOPosix
import VolunteerAPI

@testable import LocalRPC

/// A client on the real socket, built on NIO so that waiting for a reply never blocks a thread
/// the server's handlers need. Lines are read with the module's own framer.
struct TestClient: Sendable {
    let channel: any Channel
    let lines: Inbox<String>

    struct Closed: Error {}

    static func connect(_ path: String, autoRead: Bool = true) async throws -> TestClient {
        let lines = Inbox<String>()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.autoRead, value: autoRead)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(
                        ByteToMessageHandler(LineFramer(maxLineBytes: 64 << 20)), LineCollector(lines: lines))
                }
            }
            .connect(unixDomainSocketPath: path).get()
        return TestClient(channel: channel, lines: lines)
    }

    func send(_ line: String) async throws {
        try await sendRaw(Array((line + "\n").utf8))
    }

    func sendRaw(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes)).get()
    }

    /// The next line, or nil at end of stream.
    func nextLine(timeout: Duration = .seconds(20)) async throws -> String? {
        try await lines.next(timeout: timeout)
    }

    /// The next line as JSON; fails at end of stream.
    func nextJSON(timeout: Duration = .seconds(20)) async throws -> JSONValue {
        guard let line = try await nextLine(timeout: timeout) else { throw Closed() }
        return try JSONDecoder().decode(JSONValue.self, from: Data(line.utf8))
    }

    /// Sends one request line and reads one reply line.
    func call(line: String) async throws -> JSONValue {
        try await send(line)
        return try await nextJSON()
    }

    /// Calls `method` with by-name params and the given id; returns the whole reply.
    func call(_ method: String, _ params: JSONValue = [:], id: JSONValue = 1) async throws -> JSONValue {
        let request: JSONValue = ["jsonrpc": "2.0", "method": .string(method), "params": params, "id": id]
        return try await call(line: String(decoding: try RPCJSON.encode(request), as: UTF8.self))
    }

    func setAutoRead(_ on: Bool) async throws {
        try await channel.setOption(.autoRead, value: on).get()
    }

    /// Shuts down the write side only (the server sees EOF, replies still arrive).
    func closeOutput() async throws {
        try await channel.close(mode: .output).get()
    }

    func close() async {
        try? await channel.close().get()
    }
}

/// Feeds the framer's lines to the client's inbox and ends it at EOF.
final class LineCollector: ChannelInboundHandler {
    typealias InboundIn = LineFramer.Frame

    let lines: Inbox<String>

    init(lines: Inbox<String>) {
        self.lines = lines
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .line(let buffer) = Self.unwrapInboundIn(data) {
            lines.push(String(buffer: buffer))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        lines.finish()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event as? ChannelEvent == .some(.inputClosed) { lines.finish() }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
