import VolunteerAPI

/// A JSON-RPC request id: a string, a number or null, echoed unchanged in the reply.
///
/// A request without an id is a notification; that is `RPCRequest.id == nil`, not `.null`.
public enum RPCID: Sendable, Hashable, CustomStringConvertible {
    case string(String)
    case integer(Int)
    /// A number with a fraction; the specification discourages them but allows them.
    case number(Double)
    case null

    /// The id in a request's `id` member, or nil when that member is not a valid id.
    public init?(json: JSONValue) {
        switch json {
        case .string(let value): self = .string(value)
        case .integer(let value): self = .integer(value)
        case .number(let value): self = .number(value)
        case .null: self = .null
        case .bool, .array, .object: return nil
        }
    }

    public var json: JSONValue {
        switch self {
        case .string(let value): .string(value)
        case .integer(let value): .integer(value)
        case .number(let value): .number(value)
        case .null: .null
        }
    }

    public var description: String {
        switch self {
        case .string(let value): "\"\(value)\""
        case .integer(let value): String(value)
        case .number(let value): String(value)
        case .null: "null"
        }
    }
}
