import Logging
import NIOCore
import VolunteerAPI

/// Turns one line into its reply: parsing, validation, batches, method lookup, the access rule,
/// params binding and error mapping. A plain value with no I/O; the server only moves lines.
///
/// Guarantees: every request with an id (and every invalid request) gets exactly one response;
/// notifications never do; a batch is answered by one array in request order, or by nothing
/// when it held only notifications; a handler's non-``RPCError`` error is answered as
/// `-32603 internal error` and logged, never sent. Logs name methods and codes, never params.
public struct RPCDispatcher: Sendable {
    /// Who is calling, as the connection knows it.
    public struct Caller: Sendable {
        public let peer: PeerCredentials
        public let access: PeerAccess
        public let connection: RPCConnection?

        public init(peer: PeerCredentials, access: PeerAccess, connection: RPCConnection? = nil) {
            self.peer = peer
            self.access = access
            self.connection = connection
        }
    }

    /// Every method served, the application's and the built-ins (`rpc.discover`, `rpc.unsubscribe`).
    public let methods: [String: RPCMethod]
    /// What `rpc.discover` returns: a description of exactly `methods`.
    public let document: OpenRPCDocument
    /// A batch longer than this is refused whole, so one line cannot ask for unbounded work.
    public let maxBatchEntries: Int
    /// Where results of ``RPCMethod/cacheable`` methods are kept; nil: every call runs its handler.
    public let replyCache: RPCReplyCache?
    private let logger: Logger
    private let metrics: RPCMetrics

    public init(
        registry: RPCRegistry, info: OpenRPCDocument.Info, maxBatchEntries: Int = 1000, replyCache: RPCReplyCache? = nil,
        logger: Logger
    ) {
        var served = registry
        do {
            try served.add(Self.unsubscribeMethod)
            // Described first with a placeholder handler, then given the finished document.
            try served.add(Self.discoverMethod { _, _ in .null })
        } catch {
            // RPCRegistry.register refuses every `rpc.` name, so the built-ins cannot collide.
            preconditionFailure("built-in method collides: \(error)")
        }
        let document = OpenRPCDocument(info: info, methods: served.methods.values)
        var methods = served.methods
        let documentJSON = document.json
        methods[Self.discoverName] = Self.discoverMethod { _, _ in documentJSON }
        self.methods = methods
        self.document = document
        self.maxBatchEntries = maxBatchEntries
        self.replyCache = replyCache
        self.logger = logger
        self.metrics = RPCMetrics(methodNames: methods.keys)
    }

    // MARK: Lines

    /// The reply line (without its newline) to one received line, or nil when nothing is to be sent.
    public func respond(toLine line: some Collection<UInt8>, from caller: Caller) async -> [UInt8]? {
        await respond(to: RPCIncoming(line: line), from: caller)
    }

    /// The reply line to a line already parsed.
    func respond(to incoming: RPCIncoming, from caller: Caller) async -> [UInt8]? {
        let reply: JSONValue?
        let fragments = RPCFragments()
        switch incoming {
        case .blank:
            reply = nil
        case .parseError:
            logger.debug("rpc parse error", metadata: ["code": "\(RPCError.Code.parseError)"])
            reply = RPCResponse(id: .null, outcome: .failure(.parseError())).json
        case .emptyBatch:
            reply = RPCResponse(id: .null, outcome: .failure(.invalidRequest("empty batch"))).json
        case .single(let entry):
            reply = await respond(to: entry, from: caller, fragments: fragments)?.json
        case .batch(let entries) where entries.count > maxBatchEntries:
            reply =
                RPCResponse(
                    id: .null, outcome: .failure(.invalidRequest("batch longer than \(maxBatchEntries) entries"))
                ).json
        case .batch(let entries):
            // In order, one after the other: a batch of mutations is applied as written.
            var responses: [JSONValue] = []
            for entry in entries {
                if let response = await respond(to: entry, from: caller, fragments: fragments) { responses.append(response.json) }
            }
            reply = responses.isEmpty ? nil : .array(responses)
        }
        guard let reply else { return nil }
        do {
            return fragments.splice(into: try RPCJSON.encode(reply))
        } catch {
            // Results are checked before this point; kept total all the same.
            logger.error("reply not encodable", metadata: ["error": "\(type(of: error))"])
            return try? RPCJSON.encode(RPCResponse(id: .null, outcome: .failure(.internalError())).json)
        }
    }

    /// A single read's reply from the reply cache, without running anything asynchronous (the
    /// server calls it on the event loop): the line's head and tail around the stored result,
    /// which is shared, not copied. nil when the call must go the usual way: not a single
    /// request with an id, not cacheable, not permitted, or not held.
    func cachedReply(to incoming: RPCIncoming, from caller: Caller) -> (head: [UInt8], result: ByteBuffer, tail: [UInt8])? {
        guard let replyCache, case .single(.request(let request)) = incoming, let id = request.id,
            let method = methods[request.method], method.cacheable, caller.access.permits(method.access),
            let result = replyCache.result(for: .init(method: method.name, params: request.params))
        else { return nil }
        metrics.record(method: method.name, succeeded: true, since: .now)
        let line = RPCResponse.successLine(id: id)
        return (line.head, result, line.tail)
    }

    func respond(to entry: RPCIncoming.Entry, from caller: Caller, fragments: RPCFragments? = nil) async -> RPCResponse? {
        switch entry {
        case .request(let request):
            return await respond(to: request, from: caller, fragments: fragments)
        case .invalid(let id, let error):
            logger.debug("rpc invalid request", metadata: ["code": "\(error.code)"])
            return RPCResponse(id: id, outcome: .failure(error))
        }
    }

    // MARK: Requests

    /// Calls one valid request; nil for a notification, whatever its outcome.
    public func respond(to request: RPCRequest, from caller: Caller) async -> RPCResponse? {
        await respond(to: request, from: caller, fragments: nil)
    }

    func respond(to request: RPCRequest, from caller: Caller, fragments: RPCFragments?) async -> RPCResponse? {
        let outcome = await call(request, from: caller, fragments: fragments)
        guard let id = request.id else { return nil }
        return RPCResponse(id: id, outcome: outcome)
    }

    private func call(_ request: RPCRequest, from caller: Caller, fragments: RPCFragments?) async -> Result<JSONValue, RPCError> {
        guard let method = methods[request.method] else {
            // The unknown name is the client's text; it is not logged.
            logger.debug("rpc method not found", metadata: ["code": "\(RPCError.Code.methodNotFound)"])
            return .failure(.methodNotFound())
        }
        var logger = self.logger
        logger[metadataKey: "method"] = "\(method.name)"
        if let connection = caller.connection { logger[metadataKey: "connection"] = "\(connection.id)" }
        guard caller.access.permits(method.access) else {
            logger.notice(
                "rpc call forbidden", metadata: ["code": "\(RPCError.Code.forbidden)", "uid": "\(caller.peer.uid)"])
            return .failure(.forbidden("forbidden: this peer may not call \(method.access.rawValue) methods"))
        }
        let started = ContinuousClock.now
        let context = RequestContext(
            method: method.name, id: request.id, peer: caller.peer, access: caller.access,
            connection: caller.connection, logger: logger, serial: caller.connection?.nextSerial() ?? 0, fragments: fragments)
        let outcome: Result<JSONValue, RPCError>
        // Taken before the handler reads anything, so what it stores is never newer than its data.
        let generation = method.cacheable ? replyCache?.currentGeneration() : nil
        if generation != nil, let fragments, let replyCache, let cached = replyCache.result(for: .init(method: method.name, params: request.params)) {
            // In a batch, or a line too long for the event loop: held all the same.
            metrics.record(method: method.name, succeeded: true, since: started)
            return .success(fragments.placeholder(for: String(buffer: cached)))
        }
        do {
            let params = try method.bind(request.params)
            let result = try await method.handler(params, context)
            if result.isEncodable {
                outcome = .success(remember(result, of: request, method: method, at: generation, fragments: fragments))
            } else {
                logger.error("rpc result not encodable (non-finite number)", metadata: ["code": "\(RPCError.Code.internalError)"])
                outcome = .failure(.internalError())
            }
        } catch let error as RPCError {
            outcome = .failure(error)
        } catch {
            // The detail stays in the log; the client learns only that it failed.
            logger.error(
                "rpc handler failed",
                metadata: [
                    "code": "\(RPCError.Code.internalError)", "error_type": "\(String(reflecting: type(of: error)))",
                    "error": "\(error)",
                ])
            outcome = .failure(.internalError())
        }
        metrics.record(method: method.name, succeeded: (try? outcome.get()) != nil, since: started)
        switch outcome {
        case .success:
            logger.debug("rpc call", metadata: ["notification": "\(request.isNotification)"])
        case .failure(let error):
            caller.connection?.discardSubscriptions(createdBy: context.serial)
            logger.debug("rpc call failed", metadata: ["code": "\(error.code)"])
        }
        return outcome
    }

    /// Stores a cacheable method's result, encoded, and returns what the reply carries: the
    /// encoded text itself when the reply is a line (so it is not encoded twice), or `result`.
    private func remember(_ result: JSONValue, of request: RPCRequest, method: RPCMethod, at generation: UInt64?, fragments: RPCFragments?) -> JSONValue {
        guard let generation, let replyCache, let encoded = try? RPCJSON.encode(result) else { return result }
        let bytes = fragments?.splice(into: encoded) ?? encoded
        replyCache.store(ByteBuffer(bytes: bytes), for: .init(method: method.name, params: request.params), at: generation)
        return fragments?.placeholder(for: String(decoding: bytes, as: UTF8.self)) ?? result
    }

    // MARK: Built-ins

    static let discoverName = "rpc.discover"
    static let unsubscribeName = "rpc.unsubscribe"

    static func discoverMethod(_ handler: @escaping RPCMethod.Handler) -> RPCMethod {
        RPCMethod(
            discoverName, summary: "This document: every method of the socket, as OpenRPC 1.2.",
            access: .read, result: .init("document", RPCSchema.object(description: "an OpenRPC document")),
            handler: handler)
    }

    static let unsubscribeMethod = RPCMethod(
        unsubscribeName,
        summary: "Ends a subscription of this connection; true when it was live.",
        access: .read,
        params: [.required("subscription", RPCSchema.string(description: "the id a subscribe call returned"))],
        result: .init("ended", RPCSchema.boolean())
    ) { params, context in
        let id = try params.requiredString("subscription")
        return .bool(context.connection?.unsubscribe(id) ?? false)
    }
}

extension JSONValue {
    /// False when the value holds a number JSON cannot represent (NaN, infinity).
    var isEncodable: Bool {
        switch self {
        case .number(let number): number.isFinite
        case .array(let elements): elements.allSatisfy(\.isEncodable)
        case .object(let members): members.values.allSatisfy(\.isEncodable)
        case .null, .bool, .integer, .string: true
        }
    }
}
