import Logging
import NIOCore
import Synchronization
import VolunteerAPI

/// One client connection as the application sees it: who is calling, and the place its
/// subscriptions push notifications to.
///
/// Thread-safe; sending is a cheap enqueue from any task. Notifications are written on the
/// channel's event loop only while the channel is writable (below its high-water mark), so a
/// client that stops reading costs at most its bounded subscription queues, never the daemon.
public final class RPCConnection: Sendable {
    public let id: UInt64
    public let peer: PeerCredentials
    public let access: PeerAccess
    private let channel: any Channel
    private let logger: Logger
    private let state: Mutex<State>

    private struct State: Sendable {
        var queue: SubscriptionQueue
        var endHandlers: [String: @Sendable (SubscriptionEnd) -> Void] = [:]
        /// A drain is already scheduled on the event loop; one is enough.
        var drainScheduled = false
        var closed = false
        var nextSerial: UInt64 = 1
    }

    init(
        id: UInt64, peer: PeerCredentials, access: PeerAccess, channel: any Channel,
        maxPendingNotifications: Int, maxSubscriptions: Int, logger: Logger
    ) {
        self.id = id
        self.peer = peer
        self.access = access
        self.channel = channel
        self.logger = logger
        self.state = Mutex(
            State(queue: SubscriptionQueue(maxPending: maxPendingNotifications, maxSubscriptions: maxSubscriptions)))
    }

    public var isOpen: Bool { state.withLock { !$0.closed } }

    /// Subscriptions that still accept notifications.
    public var subscriptionIDs: [String] { state.withLock { $0.queue.liveIDs } }

    /// Ends a subscription as if the client had asked (`rpc.unsubscribe`); true when it was live.
    @discardableResult
    public func unsubscribe(_ subscriptionID: String) -> Bool {
        end(subscriptionID, reason: .unsubscribed)
    }

    /// Closes the connection (e.g. after a logout); its subscriptions end with `.connectionClosed`.
    public func close() {
        channel.close(promise: nil)
    }

    // MARK: For sinks and the transport

    func nextSerial() -> UInt64 {
        state.withLock { state in
            defer { state.nextSerial += 1 }
            return state.nextSerial
        }
    }

    func subscribe(
        method: String, creator: UInt64, onEnd: @escaping @Sendable (SubscriptionEnd) -> Void
    ) throws(RPCError) -> SubscriptionSink {
        let added: Result<String, RPCError> = state.withLock { state in
            guard !state.closed else { return .failure(RPCError.internalError()) }
            guard let id = state.queue.add(method: method, creator: creator) else {
                return .failure(RPCError.tooManySubscriptions(limit: state.queue.maxSubscriptions))
            }
            state.endHandlers[id] = onEnd
            return .success(id)
        }
        let id = try added.get()
        return SubscriptionSink(id: id, method: method, connection: self)
    }

    func isLive(_ subscriptionID: String) -> Bool {
        state.withLock { $0.queue.isLive(subscriptionID) }
    }

    func send(_ params: [String: JSONValue], to sink: SubscriptionSink) -> SubscriptionSink.Delivery {
        var members = params
        members["subscription"] = .string(sink.id)
        // Encoded here, on the sender's task, so the event loop only copies bytes.
        guard let line = try? RPCJSON.encode(RPCNotification(method: sink.method, params: members).json) else {
            logger.error("notification not encodable", metadata: ["method": "\(sink.method)"])
            return .ended
        }
        let (offer, handler, schedule): (SubscriptionQueue.Offer, (@Sendable (SubscriptionEnd) -> Void)?, Bool) =
            state.withLock { state in
                let offer = state.queue.offer(line, to: sink.id)
                var handler: (@Sendable (SubscriptionEnd) -> Void)?
                if offer == .overflowed { handler = state.endHandlers.removeValue(forKey: sink.id) }
                let schedule = offer != .ended && !state.drainScheduled && state.queue.hasDeliverable
                if schedule { state.drainScheduled = true }
                return (offer, handler, schedule)
            }
        if offer == .overflowed {
            logger.notice(
                "subscriber fell behind; resync_required",
                metadata: ["connection": "\(id)", "subscription": "\(sink.id)", "method": "\(sink.method)"])
            handler?(.resyncRequired)
        }
        if schedule { channel.eventLoop.execute { self.drain() } }
        return offer == .queued ? .queued : .ended
    }

    func requireResync(_ sink: SubscriptionSink) {
        let (ended, handler, schedule) = state.withLock { state -> (Bool, (@Sendable (SubscriptionEnd) -> Void)?, Bool) in
            guard state.queue.requireResync(sink.id) else { return (false, nil, false) }
            let handler = state.endHandlers.removeValue(forKey: sink.id)
            let schedule = !state.drainScheduled && state.queue.hasDeliverable
            if schedule { state.drainScheduled = true }
            return (true, handler, schedule)
        }
        guard ended else { return }
        handler?(.resyncRequired)
        if schedule { channel.eventLoop.execute { self.drain() } }
    }

    @discardableResult
    func end(_ subscriptionID: String, reason: SubscriptionEnd) -> Bool {
        let handler = state.withLock { state -> (@Sendable (SubscriptionEnd) -> Void)?? in
            guard state.queue.remove(subscriptionID) else { return nil }
            return .some(state.endHandlers.removeValue(forKey: subscriptionID))
        }
        guard let handler else { return false }
        handler?(reason)
        return true
    }

    /// After a call failed: its subscriptions are dropped, since the client never learnt their ids.
    func discardSubscriptions(createdBy creator: UInt64) {
        let handlers = state.withLock { state in
            state.queue.removeAll(createdBy: creator).compactMap { state.endHandlers.removeValue(forKey: $0) }
        }
        for handler in handlers { handler(.callFailed) }
    }

    /// After a reply was written: the subscriptions it created may now deliver.
    func activatePendingSubscriptions() {
        channel.eventLoop.preconditionInEventLoop()
        state.withLock { $0.queue.activateAll() }
        drain()
    }

    /// Writes queued notifications while the channel stays writable. On the event loop only;
    /// called after sends, after activation and when the channel becomes writable again.
    func drain() {
        channel.eventLoop.preconditionInEventLoop()
        var wrote = false
        while channel.isWritable {
            let next = state.withLock { state in
                let next = state.closed ? nil : state.queue.next()
                if next == nil { state.drainScheduled = false }
                return next
            }
            guard let next else { break }
            let line: [UInt8]
            switch next.item {
            case .notification(let bytes):
                line = bytes
            case .resyncRequired:
                let notice = RPCNotification(
                    method: RPCNotification.resyncRequiredMethod,
                    params: ["subscription": .string(next.id), "method": .string(next.method)])
                guard let bytes = try? RPCJSON.encode(notice.json) else { continue }
                line = bytes
            }
            var buffer = channel.allocator.buffer(capacity: line.count + 1)
            buffer.writeBytes(line)
            buffer.writeInteger(UInt8(ascii: "\n"))
            channel.write(buffer, promise: nil)
            wrote = true
        }
        if !channel.isWritable {
            // Writability's return drains again; later sends may schedule once it is back.
            state.withLock { $0.drainScheduled = false }
        }
        if wrote { channel.flush() }
    }

    /// The channel closed: every live subscription ends and nothing more is queued.
    func connectionClosed() {
        let handlers = state.withLock { state in
            state.closed = true
            _ = state.queue.removeAll()
            defer { state.endHandlers.removeAll() }
            return Array(state.endHandlers.values)
        }
        for handler in handlers { handler(.connectionClosed) }
    }

    var hasLiveSubscriptions: Bool { state.withLock { !$0.queue.liveIDs.isEmpty } }
}
