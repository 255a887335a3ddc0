/// The server's limits and policy. The defaults suit a kiosk's few front ends; every limit exists
/// so that a slow, stuck or abusive client costs bounded memory and never stalls the daemon.
public struct RPCServerConfiguration: Sendable, Hashable {
    /// A longer line gets one "line too long" error and the connection is closed.
    public var maxLineBytes = 1 << 20
    /// Further connections get one "too many connections" error and are closed.
    public var maxConnections = 128
    /// A connection with no request in flight, no subscription and nothing received for this
    /// long is closed. nil: never.
    public var idleTimeout: Duration? = .seconds(600)
    /// Notifications one subscription may have waiting before it gets `resync_required` and ends.
    public var maxPendingNotifications = 1024
    public var maxSubscriptionsPerConnection = 64
    /// Received lines waiting for their turn; beyond this the connection is not read from.
    public var maxQueuedLines = 16
    /// Above this many unsent bytes the channel is unwritable: no more lines are read or handled
    /// and no notifications are written until it drains below `writeBufferLowWaterMark`.
    public var writeBufferHighWaterMark = 256 * 1024
    public var writeBufferLowWaterMark = 64 * 1024
    /// Entries of one batch; a longer batch is refused whole.
    public var maxBatchEntries = 1000
    public var backlog: Int32 = 128
    public var peerPolicy: PeerPolicy = .default()

    public init() {}
}
