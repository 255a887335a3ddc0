import VolunteerAPI

/// One valid request object: a method, its raw params, and an id unless it is a notification.
public struct RPCRequest: Sendable, Hashable {
    /// nil for a notification (no `id` member); `.null` for a request whose id is null.
    public let id: RPCID?
    public let method: String
    /// The `params` member as sent: an object, an array, or nil when omitted.
    public let params: JSONValue?

    public init(id: RPCID?, method: String, params: JSONValue? = nil) {
        self.id = id
        self.method = method
        self.params = params
    }

    public var isNotification: Bool { id == nil }
}
