import VolunteerAPI

/// A message the server pushes without being asked: `{"jsonrpc":"2.0","method":…,"params":{…}}`.
/// It has no id, and clients never answer it.
public struct RPCNotification: Sendable, Hashable {
    public let method: String
    public let params: [String: JSONValue]

    public init(method: String, params: [String: JSONValue]) {
        self.method = method
        self.params = params
    }

    /// The method of the one notification a subscriber that fell behind gets before its subscription is dropped.
    public static let resyncRequiredMethod = "resync_required"

    public var json: JSONValue {
        ["jsonrpc": .string(LocalRPC.jsonRPCVersion), "method": .string(method), "params": .object(params)]
    }
}
