/// The application's methods, collected before the server starts. A value: build it, hand it to
/// an ``RPCDispatcher``, and the dispatcher serves and documents exactly these (plus the built-ins).
public struct RPCRegistry: Sendable {
    /// Why a method cannot be registered; a programming error found at startup.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case duplicate(String)
        case invalidName(String)
        case reservedName(String)
        case duplicateParam(method: String, param: String)

        public var description: String {
            switch self {
            case .duplicate(let name): "method '\(name)' is registered twice"
            case .invalidName(let name): "'\(name)' is not a method name (printable ASCII, no spaces)"
            case .reservedName(let name): "'\(name)': names beginning with 'rpc.' are reserved for the transport"
            case .duplicateParam(let method, let param): "method '\(method)' declares param '\(param)' twice"
            }
        }
    }

    public private(set) var methods: [String: RPCMethod] = [:]

    public init() {}

    public init(_ methods: [RPCMethod]) throws {
        for method in methods { try register(method) }
    }

    public mutating func register(_ method: RPCMethod) throws {
        let name = method.name
        guard !name.isEmpty, name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw Failure.invalidName(name)
        }
        guard !name.hasPrefix("rpc.") else { throw Failure.reservedName(name) }
        try add(method)
    }

    /// Adds a method without the name rules, for the built-in `rpc.` methods.
    mutating func add(_ method: RPCMethod) throws {
        guard methods[method.name] == nil else { throw Failure.duplicate(method.name) }
        var seen: Set<String> = []
        for param in method.params where !seen.insert(param.name).inserted {
            throw Failure.duplicateParam(method: method.name, param: param.name)
        }
        methods[method.name] = method
    }

    public var names: [String] { methods.keys.sorted() }
}
