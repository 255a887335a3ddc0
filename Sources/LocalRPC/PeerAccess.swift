/// What a connected peer may do, decided once per connection by the ``PeerPolicy``.
public enum PeerAccess: String, Sendable, Hashable {
    /// Every method.
    case readWrite = "read_write"
    /// Read methods only; write methods answer `forbidden`.
    case readOnly = "read_only"
    /// Nothing: the connection gets one `forbidden` error and is closed.
    case refused

    public func permits(_ access: RPCMethod.Access) -> Bool {
        switch (self, access) {
        case (.readWrite, _), (.readOnly, .read): true
        case (.readOnly, .write), (.refused, _): false
        }
    }
}
