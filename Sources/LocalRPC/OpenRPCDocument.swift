import VolunteerAPI

/// The OpenRPC 1.2 description of the socket that `rpc.discover` returns, generated from the
/// same method values the dispatcher serves, so the two cannot disagree.
///
/// Each method also carries `x-access` (`read` or `write`), the peer-credential rule that applies to it.
public struct OpenRPCDocument: Sendable, Hashable {
    public static let openRPCVersion = "1.2.6"

    /// The document's `info` object.
    public struct Info: Sendable, Hashable {
        public let title: String
        public let version: String
        public let description: String?

        public init(title: String, version: String, description: String? = nil) {
            self.title = title
            self.version = version
            self.description = description
        }
    }

    public let info: Info
    /// The described methods' names, sorted, as they appear in `methods`.
    public let methodNames: [String]
    public let json: JSONValue

    public init(info: Info, methods: some Sequence<RPCMethod>) {
        let sorted = methods.sorted { $0.name < $1.name }
        self.info = info
        self.methodNames = sorted.map(\.name)
        var infoMembers: [String: JSONValue] = ["title": .string(info.title), "version": .string(info.version)]
        if let description = info.description { infoMembers["description"] = .string(description) }
        self.json = [
            "openrpc": .string(Self.openRPCVersion),
            "info": .object(infoMembers),
            "methods": .array(sorted.map(Self.describe)),
        ]
    }

    static func describe(_ method: RPCMethod) -> JSONValue {
        var members: [String: JSONValue] = [
            "name": .string(method.name),
            "summary": .string(method.summary),
            "paramStructure": "either",
            "params": .array(method.params.map(describe)),
            "result": describe(method.result),
            "x-access": .string(method.access.rawValue),
        ]
        if let description = method.description { members["description"] = .string(description) }
        return .object(members)
    }

    static func describe(_ param: RPCMethod.Param) -> JSONValue {
        var members: [String: JSONValue] = [
            "name": .string(param.name), "required": .bool(param.required), "schema": param.schema,
        ]
        if let summary = param.summary { members["summary"] = .string(summary) }
        return .object(members)
    }

    static func describe(_ result: RPCMethod.Returns) -> JSONValue {
        var members: [String: JSONValue] = ["name": .string(result.name), "schema": result.schema]
        if let summary = result.summary { members["summary"] = .string(summary) }
        return .object(members)
    }
}
