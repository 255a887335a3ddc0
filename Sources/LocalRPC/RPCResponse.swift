import VolunteerAPI

/// One reply object: the request's id with either a result or an error, never both.
public struct RPCResponse: Sendable, Hashable {
    public let id: RPCID
    public let outcome: Result<JSONValue, RPCError>

    public init(id: RPCID, outcome: Result<JSONValue, RPCError>) {
        self.id = id
        self.outcome = outcome
    }

    /// A success reply's line around its result's JSON text: `{"id":…,"jsonrpc":"2.0","result":`
    /// before, `}` after. The very bytes ``RPCJSON`` writes for the whole reply (keys sorted;
    /// checked by a test), so a result kept encoded is answered without encoding it again.
    static func successLine(id: RPCID) -> (head: [UInt8], tail: [UInt8]) {
        var head = Array(#"{"id":"#.utf8)
        switch id {
        case .integer(let value): head += Array(String(value).utf8)
        case .null: head += Array("null".utf8)
        case .string, .number: head += (try? RPCJSON.encode(id.json)) ?? Array("null".utf8)
        }
        head += Array(#","jsonrpc":"\#(LocalRPC.jsonRPCVersion)","result":"#.utf8)
        return (head, Array("}".utf8))
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
