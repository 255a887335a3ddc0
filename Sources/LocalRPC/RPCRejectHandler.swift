import NIOCore

/// The whole pipeline of a connection that is not admitted (too many connections, or a peer the
/// policy refuses): it writes one error line with id null, then closes without reading anything.
final class RPCRejectHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let line: [UInt8]

    init(error: RPCError) {
        let reply = RPCResponse(id: .null, outcome: .failure(error)).json
        line = ((try? RPCJSON.encode(reply)) ?? []) + [UInt8(ascii: "\n")]
    }

    func channelActive(context: ChannelHandlerContext) {
        let buffer = context.channel.allocator.buffer(bytes: line)
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(Self.wrapOutboundOut(buffer)).whenComplete { _ in
            loopBound.value.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
