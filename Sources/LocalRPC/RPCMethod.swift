import VolunteerAPI

/// One method of the socket: its name, its documentation and schemas, who may call it, and its
/// handler. The registry dispatches on exactly these values and `rpc.discover` describes exactly
/// these values, so the documentation cannot drift from what is served.
public struct RPCMethod: Sendable {
    /// The handler: params by name (see ``RPCParams``) and the caller, to a JSON result. Throw an
    /// ``RPCError`` to answer with it; any other error is answered as an internal error and its
    /// description logged, so such errors must not quote params (phones, passwords, medical data).
    public typealias Handler = @Sendable (RPCParams, RequestContext) async throws -> JSONValue

    /// What a method does to the daemon's state, which decides which peers may call it.
    public enum Access: String, Sendable, Hashable {
        /// Reads the mirror or the daemon's status; any admitted peer may call it.
        case read
        /// Changes something (enqueues a mutation, logs in, controls sync); read-only peers may not.
        case write
    }

    /// One parameter, an OpenRPC content descriptor: a name, whether it is required, a JSON Schema.
    /// The order of a method's params is the order by-position arrays are read in.
    public struct Param: Sendable, Hashable {
        public let name: String
        public let required: Bool
        public let schema: JSONValue
        public let summary: String?

        public init(_ name: String, required: Bool, schema: JSONValue, summary: String? = nil) {
            self.name = name
            self.required = required
            self.schema = schema
            self.summary = summary
        }

        public static func required(_ name: String, _ schema: JSONValue, summary: String? = nil) -> Param {
            Param(name, required: true, schema: schema, summary: summary)
        }

        public static func optional(_ name: String, _ schema: JSONValue, summary: String? = nil) -> Param {
            Param(name, required: false, schema: schema, summary: summary)
        }
    }

    /// The result, an OpenRPC content descriptor: a name for documentation and a JSON Schema.
    public struct Returns: Sendable, Hashable {
        public let name: String
        public let schema: JSONValue
        public let summary: String?

        public init(_ name: String, _ schema: JSONValue, summary: String? = nil) {
            self.name = name
            self.schema = schema
            self.summary = summary
        }
    }

    /// `namespace.verb` by convention (`mirror.list`, `outbox.retry`); `rpc.` is reserved.
    public let name: String
    public let summary: String
    public let description: String?
    public let access: Access
    public let params: [Param]
    public let result: Returns
    /// Its result depends on nothing but its params and the data an ``RPCReplyCache`` follows,
    /// so a repeated call may be answered from that cache without running the handler.
    public let cacheable: Bool
    public let handler: Handler

    public init(
        _ name: String, summary: String, description: String? = nil, access: Access,
        params: [Param] = [], result: Returns, cacheable: Bool = false, handler: @escaping Handler
    ) {
        self.name = name
        self.summary = summary
        self.description = description
        self.access = access
        self.params = params
        self.result = result
        self.cacheable = cacheable
        self.handler = handler
    }

    /// The call's params by name: by-position arrays mapped onto the declared names, then every
    /// required param checked for presence. Kinds are checked by the handler's typed accessors.
    func bind(_ raw: JSONValue?) throws(RPCError) -> RPCParams {
        let bound: RPCParams
        switch raw {
        case nil:
            bound = RPCParams()
        case .object(let members)?:
            bound = RPCParams(members)
        case .array(let elements)?:
            guard elements.count <= params.count else {
                throw RPCError.invalidParams(
                    field: "params", problem: "takes at most \(params.count) positional params, got \(elements.count)")
            }
            var members: [String: JSONValue] = [:]
            for (param, element) in zip(params, elements) { members[param.name] = element }
            bound = RPCParams(members, positional: elements)
        case let other?:
            // RPCIncoming only lets objects and arrays through; kept total for direct callers.
            throw RPCError.invalidParams(field: "params", problem: "must be an object or an array, got \(other.kindDescription)")
        }
        for param in params where param.required && !bound.contains(param.name) {
            throw RPCParams.missing(param.name)
        }
        return bound
    }
}
