import Foundation
import VolunteerAPI

/// A call's parameters by name, whichever way they were sent, with typed accessors whose failures
/// are the right `-32602` error naming the field.
///
/// By-position params are mapped onto the method's declared ``RPCMethod/Param`` names in order, so
/// a handler reads `params.requiredInt("minuend")` for `{"minuend": 42}` and for `[42]` alike.
/// `null` counts as absent for optional fields and as the wrong kind for required ones.
public struct RPCParams: Sendable, Hashable {
    /// Every parameter by name.
    public let values: [String: JSONValue]
    /// The array as sent when the call used by-position params, else nil.
    public let positional: [JSONValue]?

    public init(_ values: [String: JSONValue] = [:], positional: [JSONValue]? = nil) {
        self.values = values
        self.positional = positional
    }

    /// The raw value of a parameter, or nil when it is absent or null.
    public subscript(name: String) -> JSONValue? {
        switch values[name] {
        case nil, .null?: nil
        case let value?: value
        }
    }

    public func contains(_ name: String) -> Bool { self[name] != nil }

    // MARK: Required and optional values of each kind

    public func required(_ name: String) throws(RPCError) -> JSONValue {
        guard let value = self[name] else { throw Self.missing(name) }
        return value
    }

    public func requiredString(_ name: String) throws(RPCError) -> String {
        try Self.string(name, try required(name))
    }

    public func optionalString(_ name: String) throws(RPCError) -> String? {
        guard let value = self[name] else { return nil }
        return try Self.string(name, value)
    }

    public func requiredInt(_ name: String, in range: ClosedRange<Int>? = nil) throws(RPCError) -> Int {
        try Self.int(name, try required(name), in: range)
    }

    public func optionalInt(_ name: String, in range: ClosedRange<Int>? = nil) throws(RPCError) -> Int? {
        guard let value = self[name] else { return nil }
        return try Self.int(name, value, in: range)
    }

    public func requiredDouble(_ name: String) throws(RPCError) -> Double {
        try Self.double(name, try required(name))
    }

    public func optionalDouble(_ name: String) throws(RPCError) -> Double? {
        guard let value = self[name] else { return nil }
        return try Self.double(name, value)
    }

    public func requiredBool(_ name: String) throws(RPCError) -> Bool {
        try Self.bool(name, try required(name))
    }

    public func optionalBool(_ name: String) throws(RPCError) -> Bool? {
        guard let value = self[name] else { return nil }
        return try Self.bool(name, value)
    }

    public func requiredObject(_ name: String) throws(RPCError) -> [String: JSONValue] {
        try Self.object(name, try required(name))
    }

    public func optionalObject(_ name: String) throws(RPCError) -> [String: JSONValue]? {
        guard let value = self[name] else { return nil }
        return try Self.object(name, value)
    }

    public func requiredArray(_ name: String) throws(RPCError) -> [JSONValue] {
        try Self.array(name, try required(name))
    }

    public func optionalArray(_ name: String) throws(RPCError) -> [JSONValue]? {
        guard let value = self[name] else { return nil }
        return try Self.array(name, value)
    }

    /// A string that must be one of `allowed` (an enumeration in the schema).
    public func requiredString(_ name: String, oneOf allowed: Set<String>) throws(RPCError) -> String {
        let value = try requiredString(name)
        guard allowed.contains(value) else {
            throw .invalidParams(field: name, problem: "must be one of \(allowed.sorted().joined(separator: ", "))")
        }
        return value
    }

    /// Any `Decodable` from a parameter's JSON, e.g. a structure of the wire model. A decoding
    /// failure names the parameter and the path inside it (`draft.items.2.name`), never the value.
    public func required<T: Decodable>(_ name: String, as type: T.Type) throws(RPCError) -> T {
        try Self.decode(name, try required(name), as: type)
    }

    public func optional<T: Decodable>(_ name: String, as type: T.Type) throws(RPCError) -> T? {
        guard let value = self[name] else { return nil }
        return try Self.decode(name, value, as: type)
    }

    // MARK: Conversions

    static func missing(_ name: String) -> RPCError {
        .invalidParams(field: name, problem: "is required")
    }

    static func wrongKind(_ name: String, expected: String, got value: JSONValue) -> RPCError {
        .invalidParams(field: name, problem: "must be \(expected), got \(value.kindDescription)")
    }

    static func string(_ name: String, _ value: JSONValue) throws(RPCError) -> String {
        guard case .string(let string) = value else { throw wrongKind(name, expected: "a string", got: value) }
        return string
    }

    static func int(_ name: String, _ value: JSONValue, in range: ClosedRange<Int>?) throws(RPCError) -> Int {
        let result: Int
        switch value {
        case .integer(let integer):
            result = integer
        case .number(let number) where number.rounded() == number && abs(number) < 0x1p62:
            result = Int(number)
        default:
            throw wrongKind(name, expected: "an integer", got: value)
        }
        if let range, !range.contains(result) {
            throw .invalidParams(field: name, problem: "must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return result
    }

    static func double(_ name: String, _ value: JSONValue) throws(RPCError) -> Double {
        switch value {
        case .integer(let integer): return Double(integer)
        case .number(let number): return number
        default: throw wrongKind(name, expected: "a number", got: value)
        }
    }

    static func bool(_ name: String, _ value: JSONValue) throws(RPCError) -> Bool {
        guard case .bool(let bool) = value else { throw wrongKind(name, expected: "a boolean", got: value) }
        return bool
    }

    static func object(_ name: String, _ value: JSONValue) throws(RPCError) -> [String: JSONValue] {
        guard case .object(let members) = value else { throw wrongKind(name, expected: "an object", got: value) }
        return members
    }

    static func array(_ name: String, _ value: JSONValue) throws(RPCError) -> [JSONValue] {
        guard case .array(let elements) = value else { throw wrongKind(name, expected: "an array", got: value) }
        return elements
    }

    static func decode<T: Decodable>(_ name: String, _ value: JSONValue, as type: T.Type) throws(RPCError) -> T {
        do {
            return try JSONValueDecoder().decode(T.self, from: value)
        } catch let error as DecodingError {
            throw .invalidParams(field: Self.field(name, error), problem: "is not valid")
        } catch {
            throw .invalidParams(field: name, problem: "is not valid")
        }
    }

    /// The parameter name with the coding path of a decoding failure appended, but nothing of the
    /// failure's own description, which may quote the value.
    static func field(_ name: String, _ error: DecodingError) -> String {
        let path: [any CodingKey]
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            path = context.codingPath
        case .keyNotFound(let key, let context):
            path = context.codingPath + [key]
        @unknown default:
            return name
        }
        let components = path.map { key in key.intValue.map(String.init) ?? key.stringValue }
        return ([name] + components).joined(separator: ".")
    }
}
