/// Why a subscription ended, told once to the application's `onEnd` so it stops feeding it.
public enum SubscriptionEnd: String, Sendable, Hashable {
    /// The client called `rpc.unsubscribe`.
    case unsubscribed
    /// The application cancelled it (``SubscriptionSink/cancel()``).
    case cancelled
    /// The subscriber fell behind; it was sent `resync_required` and must subscribe again.
    case resyncRequired = "resync_required"
    /// The connection closed.
    case connectionClosed = "connection_closed"
    /// The call that created it failed, so the client never learnt its id.
    case callFailed = "call_failed"
}
