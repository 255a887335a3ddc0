import LocalRPC
import NIOCore

/// Hands each framed line to the router, and tells it when the connection ends.
final class ClientLineHandler: ChannelInboundHandler {
    typealias InboundIn = LineFramer.Frame

    let router: ReplyRouter

    init(router: ReplyRouter) {
        self.router = router
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch Self.unwrapInboundIn(data) {
        case .line(let buffer): router.receive(buffer)
        case .tooLong:
            router.end(.protocolViolation("a reply line is longer than the client accepts"))
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        router.end(.connectionClosed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
