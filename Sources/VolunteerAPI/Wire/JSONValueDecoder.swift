import Foundation

/// Decodes `Decodable` types from a parsed ``JSONValue`` instead of from JSON text.
///
/// It exists for speed, with the semantics of `JSONDecoder` with default strategies: the models'
/// tolerant readers (``WireReader``) ask for each field as a ``JSONValue`` to see its kind, and
/// records keep their raw JSON beside the model. Through `JSONDecoder` each of those asks
/// re-decodes the subtree by trial and error; here it hands back the value already parsed.
/// Errors are Foundation's `DecodingError`s with the same coding paths.
public struct JSONValueDecoder: Sendable {
    /// Passed to every `init(from:)`, as `JSONDecoder.userInfo` is.
    public var userInfo: [CodingUserInfoKey: any Sendable] = [:]

    public init() {}

    /// Decodes `type` from an already parsed value.
    public func decode<Value: Decodable>(_ type: Value.Type, from value: JSONValue) throws -> Value {
        try JSONValueDecoding(value: value, codingPath: [], userInfo: userInfo).decodeValue(type)
    }

    /// Parses `data` with ``JSONValue/parse(_:)-(Data)`` and decodes `type` from it.
    public func decode<Value: Decodable>(_ type: Value.Type, from data: Data) throws -> Value {
        try decode(type, from: JSONValue.parse(data))
    }
}

/// The `Decoder` handed to `init(from:)`: one value and where it sits.
struct JSONValueDecoding: Decoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    let storedUserInfo: [CodingUserInfoKey: any Sendable]

    init(value: JSONValue, codingPath: [any CodingKey], userInfo: [CodingUserInfoKey: any Sendable]) {
        self.value = value
        self.codingPath = codingPath
        self.storedUserInfo = userInfo
    }

    var userInfo: [CodingUserInfoKey: Any] { storedUserInfo }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else {
            throw mismatch([String: JSONValue].self, value, codingPath)
        }
        return KeyedDecodingContainer(KeyedContainer<Key>(members: members, decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else {
            throw mismatch([JSONValue].self, value, codingPath)
        }
        return UnkeyedContainer(elements: elements, decoder: self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    /// Decodes `type` from this value; a ``JSONValue`` is handed back as it is.
    func decodeValue<Value: Decodable>(_ type: Value.Type) throws -> Value {
        if Value.self == JSONValue.self { return value as! Value }
        if Value.self == String.self { return try decode(String.self) as! Value }
        if Value.self == Int.self { return try decode(Int.self) as! Value }
        if Value.self == Bool.self { return try decode(Bool.self) as! Value }
        if Value.self == Double.self { return try decode(Double.self) as! Value }
        return try Value(from: self)
    }

    func child(_ value: JSONValue, at key: any CodingKey) -> JSONValueDecoding {
        JSONValueDecoding(value: value, codingPath: codingPath + [key], userInfo: storedUserInfo)
    }
}

// MARK: - Single values

extension JSONValueDecoding: SingleValueDecodingContainer {
    func decodeNil() -> Bool {
        if case .null = value { return true }
        return false
    }

    func decode(_ type: Bool.Type) throws -> Bool {
        guard case .bool(let flag) = value else { throw mismatch(type, value, codingPath) }
        return flag
    }

    func decode(_ type: String.Type) throws -> String {
        guard case .string(let text) = value else { throw mismatch(type, value, codingPath) }
        return text
    }

    func decode(_ type: Double.Type) throws -> Double {
        switch value {
        case .integer(let number): return Double(number)
        case .number(let number): return number
        default: throw mismatch(type, value, codingPath)
        }
    }

    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }

    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    func decode<Value: Decodable>(_ type: Value.Type) throws -> Value { try decodeValue(type) }

    private func integer<Integer: FixedWidthInteger>(_ type: Integer.Type) throws -> Integer {
        let exact: Integer?
        switch value {
        case .integer(let number): exact = Integer(exactly: number)
        case .number(let number): exact = Integer(exactly: number)
        default: throw mismatch(type, value, codingPath)
        }
        guard let exact else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: codingPath, debugDescription: "Number \(value) does not fit in \(type)."))
        }
        return exact
    }
}

// MARK: - Objects

extension JSONValueDecoding {
    struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let members: [String: JSONValue]
        let decoder: JSONValueDecoding

        var codingPath: [any CodingKey] { decoder.codingPath }
        var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }

        func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

        private func member(_ key: Key) throws -> JSONValueDecoding {
            guard let value = members[key.stringValue] else {
                throw DecodingError.keyNotFound(
                    key, DecodingError.Context(codingPath: codingPath, debugDescription: "No value for key \(key.stringValue)."))
            }
            return decoder.child(value, at: key)
        }

        func decodeNil(forKey key: Key) throws -> Bool { try member(key).decodeNil() }

        func decode<Value: Decodable>(_ type: Value.Type, forKey key: Key) throws -> Value {
            let member = try member(key)
            if case .null = member.value, !(Value.self is JSONValue.Type) {
                throw DecodingError.valueNotFound(
                    type, DecodingError.Context(codingPath: member.codingPath, debugDescription: "Expected \(type) but found null."))
            }
            return try member.decodeValue(type)
        }

        func decodeIfPresent<Value: Decodable>(_ type: Value.Type, forKey key: Key) throws -> Value? {
            guard let value = members[key.stringValue] else { return nil }
            if case .null = value, !(Value.self is JSONValue.Type) { return nil }
            return try decoder.child(value, at: key).decodeValue(type)
        }

        func nestedContainer<NestedKey: CodingKey>(
            keyedBy type: NestedKey.Type, forKey key: Key
        ) throws -> KeyedDecodingContainer<NestedKey> {
            try member(key).container(keyedBy: type)
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            try member(key).unkeyedContainer()
        }

        func superDecoder() throws -> any Decoder {
            decoder.child(.object(members), at: JSONValueKey.superKey)
        }

        func superDecoder(forKey key: Key) throws -> any Decoder {
            decoder.child(members[key.stringValue] ?? .null, at: key)
        }
    }
}

// MARK: - Arrays

extension JSONValueDecoding {
    struct UnkeyedContainer: UnkeyedDecodingContainer {
        let elements: [JSONValue]
        let decoder: JSONValueDecoding
        private(set) var currentIndex = 0

        init(elements: [JSONValue], decoder: JSONValueDecoding) {
            self.elements = elements
            self.decoder = decoder
        }

        var codingPath: [any CodingKey] { decoder.codingPath }
        var count: Int? { elements.count }
        var isAtEnd: Bool { currentIndex >= elements.count }

        private mutating func next<Value>(_ type: Value.Type) throws -> JSONValueDecoding {
            guard !isAtEnd else {
                throw DecodingError.valueNotFound(
                    type,
                    DecodingError.Context(
                        codingPath: codingPath + [JSONValueKey(index: currentIndex)], debugDescription: "Unkeyed container is at end."))
            }
            defer { currentIndex += 1 }
            return decoder.child(elements[currentIndex], at: JSONValueKey(index: currentIndex))
        }

        mutating func decodeNil() throws -> Bool {
            guard !isAtEnd else { return false }
            if case .null = elements[currentIndex] {
                currentIndex += 1
                return true
            }
            return false
        }

        mutating func decode<Value: Decodable>(_ type: Value.Type) throws -> Value {
            guard !isAtEnd else { return try next(type).decodeValue(type) }
            if case .null = elements[currentIndex], !(Value.self is JSONValue.Type), !(Value.self is any ExpressibleByNilLiteral.Type) {
                throw DecodingError.valueNotFound(
                    type,
                    DecodingError.Context(
                        codingPath: codingPath + [JSONValueKey(index: currentIndex)], debugDescription: "Expected \(type) but found null."))
            }
            return try next(type).decodeValue(type)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            try next(type).container(keyedBy: type)
        }

        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            try next([JSONValue].self).unkeyedContainer()
        }

        mutating func superDecoder() throws -> any Decoder {
            try next(JSONValue.self)
        }
    }
}

/// The coding keys this decoder adds to paths: array indexes and `super`.
struct JSONValueKey: CodingKey {
    let stringValue: String
    let intValue: Int?

    init(stringValue: String) {
        self.stringValue = stringValue
        self.intValue = nil
    }

    init(intValue: Int) {
        self.init(index: intValue)
    }

    init(index: Int) {
        self.stringValue = "Index \(index)"
        self.intValue = index
    }

    static let superKey = JSONValueKey(stringValue: "super")
}

/// A type mismatch worded as `JSONDecoder` words it.
private func mismatch(_ type: Any.Type, _ value: JSONValue, _ path: [any CodingKey]) -> DecodingError {
    DecodingError.typeMismatch(
        type, DecodingError.Context(codingPath: path, debugDescription: "Expected to decode \(type) but found \(value.kindDescription) instead."))
}
