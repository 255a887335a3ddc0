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
    /// Where verbatim JSON texts go when the reply is a line the dispatcher encodes; nil otherwise.
    let fragments: RPCFragments?

    public var isNotification: Bool { id == nil }

    /// A value whose JSON text is `text`, carried into the reply verbatim (``RPCFragments``).
    /// `text` must be one valid JSON value as ``RPCJSON`` writes it: keys sorted, slashes
    /// unescaped, no newline (the mirror's stored records are). Without a reply line to splice
    /// into (a direct call), the text is parsed instead.
    public func encodedJSON(_ text: String) -> JSONValue {
        if let fragments { return fragments.placeholder(for: text) }
        return (try? JSONValue.parse(text)) ?? .null
    }

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
