import VolunteerAPI

/// The application's handle on one subscription: push notifications to its client, or end it.
///
/// Sending never blocks and never buffers without bound: when the client falls more than the
/// configured number of notifications behind, it gets one `resync_required`, the subscription
/// ends (`onEnd(.resyncRequired)`), and every later `send` answers `.ended`.
public struct SubscriptionSink: Sendable {
    /// What became of a notification.
    public enum Delivery: Sendable, Hashable {
        /// Queued for the client, in order after the previous ones.
        case queued
        /// Not sent: the subscription has ended (see ``SubscriptionEnd``). Stop feeding it.
        case ended
    }

    /// The id the client knows it by, in every notification's `params.subscription`.
    public let id: String
    /// The notifications' `method`.
    public let method: String
    public let connection: RPCConnection

    /// Pushes `{"jsonrpc":"2.0","method":<method>,"params":{…params, "subscription":<id>}}`.
    @discardableResult
    public func send(_ params: [String: JSONValue]) -> Delivery {
        connection.send(params, to: self)
    }

    /// Ends the subscription with one `resync_required`, as when the client falls behind: for
    /// when the application cannot catch the client up (what it asks for is no longer kept).
    public func requireResync() {
        connection.requireResync(self)
    }

    /// Ends the subscription from the application's side, dropping whatever it had queued.
    public func cancel() {
        connection.end(id, reason: .cancelled)
    }

    public var isLive: Bool { connection.isLive(id) }
}
