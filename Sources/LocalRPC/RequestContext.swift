import Logging
import VolunteerAPI

/// What a handler knows about the call besides its params: the method, the id, the peer as the
/// kernel reported it, what the peer may do, and the connection for subscriptions.
public struct RequestContext: Sendable {
    public let method: String
    /// nil when the call is a notification (its result is discarded).
    public let id: RPCID?
    public let peer: PeerCredentials
    public let access: PeerAccess
    /// The client's connection; nil when the dispatcher is called directly (tests, in-process use).
    public let connection: RPCConnection?
    /// Carries the connection id and the method; never log params through it.
    public let logger: Logger
    /// Numbers the calls of a connection, so a failed call's subscriptions can be found.
    let serial: UInt64

    public var isNotification: Bool { id == nil }

    /// Opens a subscription on the caller's connection. Its notifications are delivered only after
    /// this call's reply, so the client always learns the id first; if the call fails, the
    /// subscription is discarded (`onEnd(.callFailed)`). `onEnd` is told once why it ended.
    public func subscribe(
        notificationMethod: String, onEnd: @escaping @Sendable (SubscriptionEnd) -> Void = { _ in }
    ) throws(RPCError) -> SubscriptionSink {
        guard let connection else {
            logger.error("subscribe without a connection", metadata: ["method": "\(method)"])
            throw RPCError.internalError()
        }
        return try connection.subscribe(method: notificationMethod, creator: serial, onEnd: onEnd)
    }
}
