import Foundation

/// Reads the fields of one documented structure the way real servers of this kind send them.
///
/// This is the one place where tolerance lives. Every model's `init(from:)` reads its fields
/// through a reader, so the same rules hold everywhere:
/// - ids, counts, scores, prices and coordinates arrive as a number or as a string;
/// - a missing field, `null` and (for optional scalars and text) `""` all mean "not given";
/// - timestamps and times of day arrive with or without their seconds when those are zero
///   (`2018-03-04 15:33`, `09:00`), and are read with them;
/// - arrays arrive as an array, `null`, absent, `""`, or a JSON-encoded string;
///   a plain string that is not JSON counts as a one-element array (one photo URL);
/// - a nested record arrives as an object, a JSON-encoded string, `null`, an empty `[]` or `{}`
///   (PHP's empty value), or an array holding exactly one record;
/// - unknown fields are ignored.
///
/// Anything else is a ``WireDecodingError`` naming the structure and the field; nothing traps.
struct WireReader<Key: CodingKey> {
    let structure: String
    private let decoder: any Decoder
    private let container: KeyedDecodingContainer<Key>

    /// Opens `decoder`'s value as an object of `Record`'s fields.
    init<Record>(_ decoder: any Decoder, for record: Record.Type, keyedBy keys: Key.Type) throws {
        self.structure = String(describing: record)
        self.decoder = decoder
        do {
            self.container = try decoder.container(keyedBy: keys)
        } catch {
            throw WireDecodingError(
                structure: String(describing: record),
                field: decoder.codingPath.dotted,
                problem: "expected an object, found \(Self.kind(of: decoder))"
            )
        }
    }

    /// A reader of the same object by plain string keys, for documented aliases
    /// (`assistant_id` beside `assistant_user_id`, the typo `doctoy_comment_time`).
    func aliases() throws -> WireReader<AnyCodingKey> {
        try WireReader<AnyCodingKey>(decoder, named: structure)
    }

    private init(_ decoder: any Decoder, named structure: String) throws where Key == AnyCodingKey {
        self.structure = structure
        self.decoder = decoder
        self.container = try decoder.container(keyedBy: AnyCodingKey.self)
    }

    /// Whether the object has the field at all (even as `null`).
    func contains(_ key: Key) -> Bool {
        container.contains(key)
    }

    /// All keys present in the object, for structures keyed by data (`plan_time`).
    var allKeys: [Key] { container.allKeys }

    // MARK: - Scalars

    /// An integer: a number without fraction, or a string holding one. Required.
    func int(_ key: Key) throws -> Int {
        guard let value = try optionalInt(key) else { throw missing(key) }
        return value
    }

    /// An integer, or nil when the field is absent, `null` or `""`.
    func optionalInt(_ key: Key) throws -> Int? {
        guard let raw = try raw(key) else { return nil }
        if let value = Self.integer(from: raw) { return value }
        if case .string(let text) = raw, text.trimmingCharacters(in: .whitespaces).isEmpty { return nil }
        throw problem(key, "expected an integer, found \(Self.describe(raw))")
    }

    /// A string; numbers are taken as their decimal text. Required.
    func string(_ key: Key) throws -> String {
        guard let value = try optionalString(key) else { throw missing(key) }
        return value
    }

    /// A string, or nil when the field is absent, `null` or `""`: PHP servers send an empty
    /// string for a column without a value. Numbers are taken as their text.
    func optionalString(_ key: Key) throws -> String? {
        guard let raw = try raw(key) else { return nil }
        if let text = Self.text(from: raw) { return text.isEmpty ? nil : text }
        throw problem(key, "expected a string, found \(raw.kindDescription)")
    }

    /// A timestamp (`yyyy-MM-dd HH:mm:ss`) or a time of day (`HH:mm:ss`), or nil when not
    /// given; one written without its zero seconds (`2018-03-04 15:33`, `09:00`) is read with
    /// them (``TimeText``).
    func timestamp(_ key: Key) throws -> String? {
        try optionalString(key).map(TimeText.withSeconds)
    }

    /// A decimal kept as text (scores, coordinates, amounts), or nil when absent, `null` or `""`.
    func decimal(_ key: Key) throws -> DecimalText? {
        guard let raw = try raw(key) else { return nil }
        switch raw {
        case .integer(let value): return DecimalText(Double(value))
        case .number(let value): return DecimalText(value)
        case .string(let text):
            if text.trimmingCharacters(in: .whitespaces).isEmpty { return nil }
            if let value = DecimalText(text) { return value }
            throw problem(key, "expected a decimal number, found a string that is not one")
        default:
            throw problem(key, "expected a decimal number, found \(raw.kindDescription)")
        }
    }

    // MARK: - Arrays

    /// A list of strings (photo URLs, service targets); empty when not given.
    func strings(_ key: Key) throws -> [String] {
        guard let raw = try raw(key) else { return [] }
        return try strings(from: raw, key: key)
    }

    private func strings(from raw: JSONValue, key: Key) throws -> [String] {
        switch raw {
        case .null:
            return []
        case .array(let elements):
            return try elements.compactMap { element in
                if case .null = element { return nil }
                guard let text = Self.text(from: element) else {
                    throw problem(key, "expected an array of strings, found an element that is \(element.kindDescription)")
                }
                return text
            }
        case .object(let members) where members.isEmpty:
            return []
        case .string(let text):
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { return [] }
            if trimmed.hasPrefix("[") {
                guard let embedded = try? JSONValue.parse(trimmed),
                    case .array = embedded
                else { throw problem(key, "expected an array of strings, found a string that is not a JSON array") }
                return try strings(from: embedded, key: key)
            }
            return [text]
        default:
            throw problem(key, "expected an array of strings, found \(raw.kindDescription)")
        }
    }

    /// A list of nested records; empty when not given.
    func records<Record: Decodable>(_ key: Key, of type: Record.Type) throws -> [Record] {
        guard container.contains(key), try !isNull(key) else { return [] }
        if (try? container.nestedUnkeyedContainer(forKey: key)) != nil {
            return try mapped { try container.decode([Record].self, forKey: key) }
        }
        if let object = try? container.nestedContainer(keyedBy: AnyCodingKey.self, forKey: key), object.allKeys.isEmpty {
            return []
        }
        if let text = try? container.decode(String.self, forKey: key) {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { return [] }
            guard trimmed.hasPrefix("[") else {
                throw problem(key, "expected an array of \(Record.self), found a string that is not a JSON array")
            }
            return try embedded([Record].self, in: trimmed, key: key)
        }
        throw problem(key, "expected an array of \(Record.self), found \(kind(of: key))")
    }

    // MARK: - Nested records

    /// A nested record, or nil when it is absent, `null`, `""`, `[]` or `{}`.
    func record<Record: Decodable>(_ key: Key, _ type: Record.Type) throws -> Record? {
        guard container.contains(key), try !isNull(key) else { return nil }
        if let object = try? container.nestedContainer(keyedBy: AnyCodingKey.self, forKey: key) {
            if object.allKeys.isEmpty { return nil }
            return try mapped { try container.decode(Record.self, forKey: key) }
        }
        if var elements = try? container.nestedUnkeyedContainer(forKey: key) {
            switch elements.count ?? 0 {
            case 0: return nil
            case 1: return try mapped { try elements.decode(Record.self) }
            case let count: throw problem(key, "expected one \(Record.self), found an array of \(count)")
            }
        }
        if let text = try? container.decode(String.self, forKey: key) {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty || trimmed == "[]" || trimmed == "{}" { return nil }
            if trimmed.hasPrefix("[") {
                let elements = try embedded([Record].self, in: trimmed, key: key)
                guard elements.count <= 1 else {
                    throw problem(key, "expected one \(Record.self), found an array of \(elements.count)")
                }
                return elements.first
            }
            guard trimmed.hasPrefix("{") else {
                throw problem(key, "expected \(Record.self), found a string that is not a JSON object")
            }
            return try embedded(Record.self, in: trimmed, key: key)
        }
        throw problem(key, "expected \(Record.self), found \(kind(of: key))")
    }

    /// The `data` of an envelope, decoded as it stands (a bare array stays an array).
    /// Nil when it is absent, `null`, or PHP's empty value (`{}`, `[]`, `""`) that `Payload`
    /// cannot read, as `/order/query/{sn}` answers when there is no order.
    func payload<Payload: Decodable>(_ key: Key, _ type: Payload.Type) throws -> Payload? {
        guard container.contains(key), try !isNull(key) else { return nil }
        do {
            return try mapped { try container.decode(Payload.self, forKey: key) }
        } catch {
            switch try raw(key) {
            case .object(let members)? where members.isEmpty: return nil
            case .array(let elements)? where elements.isEmpty: return nil
            case .string(let text)? where text.isEmpty: return nil
            default: throw error
            }
        }
    }

    // MARK: - Errors

    /// The error for a field that is required but absent or empty.
    func missing(_ key: Key) -> WireDecodingError {
        problem(key, container.contains(key) ? "required, but empty or null" : "required, but missing")
    }

    /// An error about `key` of this structure.
    func problem(_ key: Key, _ text: String) -> WireDecodingError {
        WireDecodingError(structure: structure, field: (container.codingPath + [key]).dotted, problem: text)
    }

    // MARK: - Internals

    private func raw(_ key: Key) throws -> JSONValue? {
        guard container.contains(key) else { return nil }
        let value = try mapped { try container.decode(JSONValue.self, forKey: key) }
        if case .null = value { return nil }
        return value
    }

    private func isNull(_ key: Key) throws -> Bool {
        (try? container.decodeNil(forKey: key)) ?? false
    }

    private func kind(of key: Key) -> String {
        (try? container.decode(JSONValue.self, forKey: key))?.kindDescription ?? "an unreadable value"
    }

    private static func kind(of decoder: any Decoder) -> String {
        (try? JSONValue(from: decoder))?.kindDescription ?? "an unreadable value"
    }

    private func embedded<Value: Decodable>(_ type: Value.Type, in text: String, key: Key) throws -> Value {
        let path = (container.codingPath + [key]).dotted
        do {
            return try JSONValueDecoder().decode(Value.self, from: Data(text.utf8))
        } catch let error as WireDecodingError {
            throw error.nested(under: path)
        } catch {
            throw problem(key, "expected \(Value.self), found a string holding JSON that is not one")
        }
    }

    /// Runs a decode, turning Foundation's `DecodingError` into a ``WireDecodingError``.
    private func mapped<Value>(_ body: () throws -> Value) throws -> Value {
        do {
            return try body()
        } catch let error as WireDecodingError {
            throw error
        } catch let error as DecodingError {
            throw WireDecodingError(decodingError: error, structure: structure)
        }
    }

    /// An integer from a number without fraction, a numeric string, or a boolean (as 1/0).
    static func integer(from raw: JSONValue) -> Int? {
        switch raw {
        case .integer(let value):
            return value
        case .number(let value):
            return value.rounded() == value && abs(value) < 9.0e15 ? Int(value) : nil
        case .bool(let value):
            return value ? 1 : 0
        case .string(let text):
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if let value = Int(trimmed) { return value }
            if let value = Double(trimmed), value.isFinite { return integer(from: .number(value)) }
            return nil
        default:
            return nil
        }
    }

    /// The text of a string or a number; nil for anything else.
    static func text(from raw: JSONValue) -> String? {
        switch raw {
        case .string(let text): text
        case .integer(let value): String(value)
        case .number(let value): DecimalText(value).text
        default: nil
        }
    }

    /// "a string that is not a number", for integers that could not be read.
    private static func describe(_ raw: JSONValue) -> String {
        if case .string = raw { return "a string that is not a whole number" }
        if case .number = raw { return "a number with a fraction" }
        return raw.kindDescription
    }
}

extension WireDecodingError {
    /// The same information as Foundation's error, in this error's terms.
    init(decodingError: DecodingError, structure: String) {
        switch decodingError {
        case .typeMismatch(let type, let context):
            self.init(structure: structure, field: context.codingPath.dotted, problem: "expected \(type)")
        case .valueNotFound(let type, let context):
            self.init(structure: structure, field: context.codingPath.dotted, problem: "expected \(type), found null")
        case .keyNotFound(let key, let context):
            self.init(structure: structure, field: (context.codingPath + [key]).dotted, problem: "required, but missing")
        case .dataCorrupted(let context):
            self.init(structure: structure, field: context.codingPath.dotted, problem: "not valid JSON")
        @unknown default:
            self.init(structure: structure, field: "", problem: "unreadable")
        }
    }
}
