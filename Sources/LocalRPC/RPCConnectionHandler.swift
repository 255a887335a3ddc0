import Logging
import NIOCore

/// The per-connection pipeline stage between the line framer and the socket: it hands lines to
/// the dispatcher one at a time, writes each reply as one line, and applies the limits.
///
/// Back-pressure: while the channel is unwritable (the client is not reading) or too many lines
/// wait, it neither reads nor starts the next line, so an unread client costs at most the
/// high-water mark plus one reply. Half-closure: after the client's EOF, what was received is
/// answered and then the connection closes.
final class RPCConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = LineFramer.Frame
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let dispatcher: RPCDispatcher
    private let connection: RPCConnection
    private let configuration: RPCServerConfiguration
    private let logger: Logger

    private var context: ChannelHandlerContext?
    private var queued = CircularBuffer<ByteBuffer>()
    private var queuedBytes = 0
    /// A line is with the dispatcher; lines of one connection are answered in order.
    private var busy = false
    private var inputClosed = false
    private var closing = false
    /// A `read` was held back by back-pressure and is owed once it lifts.
    private var readHeld = false
    private var idleTimer: Scheduled<Void>?
    /// When a line last arrived or was answered; the idle timer looks at it when it fires,
    /// so a busy connection does not cancel and schedule a timer for every request.
    private var lastActivity = NIODeadline.now()

    init(dispatcher: RPCDispatcher, connection: RPCConnection, configuration: RPCServerConfiguration, logger: Logger) {
        self.dispatcher = dispatcher
        self.connection = connection
        self.configuration = configuration
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        idleTimer?.cancel()
    }

    func channelActive(context: ChannelHandlerContext) {
        armIdleTimer(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        idleTimer?.cancel()
        closing = true
        queued.removeAll()
        connection.connectionClosed()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        switch Self.unwrapInboundIn(data) {
        case .tooLong:
            closing = true
            queued.removeAll()
            logger.notice(
                "line too long; closing",
                metadata: ["code": "\(RPCError.Code.invalidRequest)", "max_line_bytes": "\(configuration.maxLineBytes)"])
            let reply = RPCResponse(id: .null, outcome: .failure(.lineTooLong(limit: configuration.maxLineBytes)))
            let line = (try? RPCJSON.encode(reply.json)) ?? []
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(Self.wrapOutboundOut(buffer(line, context))).whenComplete { _ in
                loopBound.value.close(promise: nil)
            }
        case .line(let line):
            queued.append(line)
            queuedBytes += line.readableBytes
            armIdleTimer(context)
            processNext(context)
        }
    }

    func read(context: ChannelHandlerContext) {
        if holdsReads(context) {
            readHeld = true
        } else {
            context.read()
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            connection.drain()
            processNext(context)
            resumeReads(context)
        }
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event as? ChannelEvent == .some(.inputClosed) {
            inputClosed = true
            finishIfDone(context)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A client that vanished mid-reply shows up here (EPIPE, ECONNRESET); only its own
        // connection is affected.
        logger.debug("connection error; closing", metadata: ["error_type": "\(type(of: error))"])
        context.close(promise: nil)
    }

    // MARK: Lines

    private func holdsReads(_ context: ChannelHandlerContext) -> Bool {
        !context.channel.isWritable || queued.count >= configuration.maxQueuedLines
            || queuedBytes >= configuration.maxLineBytes
    }

    private func resumeReads(_ context: ChannelHandlerContext) {
        guard readHeld, !holdsReads(context) else { return }
        readHeld = false
        context.read()
    }

    /// Lines up to this size are parsed on the event loop, so a read the reply cache holds is
    /// answered there; longer ones (up to `maxLineBytes`) are parsed off it, as every line was.
    static let inlineParseLimit = 4096

    private func processNext(_ context: ChannelHandlerContext) {
        var wrote = false
        defer { if wrote { context.flush() } }
        while !busy, !closing, context.channel.isWritable, let line = queued.popFirst() {
            queuedBytes -= line.readableBytes
            resumeReads(context)
            let caller = RPCDispatcher.Caller(peer: connection.peer, access: connection.access, connection: connection)
            let incoming = line.readableBytes <= Self.inlineParseLimit ? RPCIncoming(line: line.readableBytesView) : nil
            if let incoming, let reply = dispatcher.cachedReply(to: incoming, from: caller) {
                // Answered here, in order: no task, no database, the stored result not copied, and
                // one flush (one writev) for the replies of this turn.
                var head = context.channel.allocator.buffer(capacity: reply.head.count)
                head.writeBytes(reply.head)
                var tail = context.channel.allocator.buffer(capacity: reply.tail.count + 1)
                tail.writeBytes(reply.tail)
                tail.writeInteger(UInt8(ascii: "\n"))
                context.write(Self.wrapOutboundOut(head), promise: nil)
                context.write(Self.wrapOutboundOut(reply.result), promise: nil)
                context.write(Self.wrapOutboundOut(tail), promise: nil)
                wrote = true
                continue
            }
            busy = true
            let dispatcher = self.dispatcher
            let eventLoop = context.eventLoop
            let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
            Task {
                let reply =
                    if let incoming {
                        await dispatcher.respond(to: incoming, from: caller)
                    } else {
                        await dispatcher.respond(toLine: line.readableBytesView, from: caller)
                    }
                eventLoop.execute { loopBound.value.finished(reply) }
            }
            return
        }
        if wrote { armIdleTimer(context) }
        finishIfDone(context)
    }

    private func finished(_ reply: [UInt8]?) {
        busy = false
        // The handler is gone when the channel closed meanwhile; the reply has nowhere to go.
        guard let context, !closing else { return }
        if let reply {
            context.writeAndFlush(Self.wrapOutboundOut(buffer(reply, context)), promise: nil)
        }
        connection.activatePendingSubscriptions()
        armIdleTimer(context)
        processNext(context)
    }

    /// After the client's EOF, once every received line is answered: close when the writes are out.
    private func finishIfDone(_ context: ChannelHandlerContext) {
        guard inputClosed, !busy, !closing, queued.isEmpty else { return }
        closing = true
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        // An empty write completes after every earlier one, so nothing answered is cut off.
        context.writeAndFlush(Self.wrapOutboundOut(context.channel.allocator.buffer(capacity: 0))).whenComplete { _ in
            loopBound.value.close(promise: nil)
        }
    }

    private func buffer(_ line: [UInt8], _ context: ChannelHandlerContext) -> ByteBuffer {
        var buffer = context.channel.allocator.buffer(capacity: line.count + 1)
        buffer.writeBytes(line)
        buffer.writeInteger(UInt8(ascii: "\n"))
        return buffer
    }

    // MARK: Idle

    private func armIdleTimer(_ context: ChannelHandlerContext) {
        guard let timeout = configuration.idleTimeout else { return }
        lastActivity = .now()
        guard idleTimer == nil else { return }
        schedule(at: lastActivity + TimeAmount(timeout), context)
    }

    private func schedule(at deadline: NIODeadline, _ context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        idleTimer = context.eventLoop.scheduleTask(deadline: deadline) {
            loopBound.value.idleTimeoutFired()
        }
    }

    private func idleTimeoutFired() {
        idleTimer = nil
        guard let context, !closing, let timeout = configuration.idleTimeout else { return }
        if busy || connection.hasLiveSubscriptions {
            armIdleTimer(context)
            return
        }
        let deadline = lastActivity + TimeAmount(timeout)
        if deadline > .now() {
            schedule(at: deadline, context)
            return
        }
        logger.debug("idle timeout; closing")
        context.close(promise: nil)
    }
}
