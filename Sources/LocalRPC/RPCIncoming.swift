import VolunteerAPI

/// What one line holds, after parsing and validating it against the specification; a plain value
/// so that every rule of section 4 to 6 is tested without sockets.
enum RPCIncoming: Sendable, Hashable {
    /// An empty or all-whitespace line: ignored, so a person at `socat` may press return.
    case blank
    /// Not JSON, not UTF-8, or nested deeper than `RPCJSON.maxRequestDepth`: one parse error, id null.
    case parseError
    /// `[]`: one invalid request error, not an array.
    case emptyBatch
    case single(Entry)
    case batch([Entry])

    /// One element: a valid request, or the error that an invalid one gets.
    enum Entry: Sendable, Hashable {
        case request(RPCRequest)
        /// Answered even without an id, since it cannot be known to be a notification.
        case invalid(id: RPCID, error: RPCError)
    }

    init(line: some Collection<UInt8>) {
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }) {
            self = .blank
            return
        }
        guard let json = try? RPCJSON.decode(line, maxDepth: RPCJSON.maxRequestDepth) else {
            self = .parseError
            return
        }
        switch json {
        case .array(let elements) where elements.isEmpty: self = .emptyBatch
        case .array(let elements): self = .batch(elements.map(Self.entry))
        default: self = .single(Self.entry(json))
        }
    }

    static func entry(_ json: JSONValue) -> Entry {
        guard case .object(let members) = json else {
            return .invalid(id: .null, error: .invalidRequest("not an object"))
        }
        // The id is read first so that an otherwise invalid request is answered with its own id
        // when it had a valid one (the specification asks for null only when the id is unknown).
        var id: RPCID?
        if let rawID = members["id"] {
            guard let valid = RPCID(json: rawID) else {
                return .invalid(id: .null, error: .invalidRequest("id must be a string, a number or null"))
            }
            id = valid
        }
        guard members["jsonrpc"] == .string(LocalRPC.jsonRPCVersion) else {
            return .invalid(id: id ?? .null, error: .invalidRequest("jsonrpc must be \"2.0\""))
        }
        guard case .string(let method) = members["method"] else {
            return .invalid(id: id ?? .null, error: .invalidRequest("method must be a string"))
        }
        let params = members["params"]
        switch params {
        case nil, .object?, .array?: break
        default: return .invalid(id: id ?? .null, error: .invalidRequest("params must be an object or an array"))
        }
        return .request(RPCRequest(id: id, method: method, params: params))
    }
}
