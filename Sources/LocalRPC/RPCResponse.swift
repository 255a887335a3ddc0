import VolunteerAPI

/// One reply object: the request's id with either a result or an error, never both.
public struct RPCResponse: Sendable, Hashable {
    public let id: RPCID
    public let outcome: Result<JSONValue, RPCError>

    public init(id: RPCID, outcome: Result<JSONValue, RPCError>) {
        self.id = id
        self.outcome = outcome
    }

    public var json: JSONValue {
        var members: [String: JSONValue] = ["jsonrpc": .string(LocalRPC.jsonRPCVersion), "id": id.json]
        switch outcome {
        case .success(let result): members["result"] = result
        case .failure(let error): members["error"] = error.json
        }
        return .object(members)
    }
}
