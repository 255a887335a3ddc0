import Foundation

extension JSONValue {
    /// Parses JSON text into a value in one pass, with Foundation's `JSONSerialization`.
    ///
    /// Decoding a ``JSONValue`` through `JSONDecoder` has to guess each value's kind by trying
    /// one type after another, and every wrong guess builds a `DecodingError`; on the records of
    /// a page that cost ten times the parse itself (docs/performance.md). `JSONSerialization`
    /// knows each value's kind as it parses, and refuses input nested deeper than 512 levels with
    /// an error instead of trapping. Numbers without a fraction that fit in `Int` become
    /// ``integer(_:)``, as they do through `JSONDecoder`; any top-level value is accepted.
    ///
    /// Text holding a byte-order mark (U+FEFF) goes through `JSONDecoder` instead:
    /// `JSONSerialization` drops one that begins a string, keys included, so a request member
    /// `"\u{FEFF}jsonrpc"` was read as `"jsonrpc"` (found by the socket fuzzer,
    /// docs/reliability.md). `JSONDecoder` keeps every character.
    public static func parse(_ data: Data) throws -> JSONValue {
        if holdsByteOrderMark(data) {
            if nestingExceeds(data, limit: 512) {
                throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: [], debugDescription: "The given data was nested too deeply."))
            }
            return try JSONDecoder().decode(JSONValue.self, from: data)
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: [], debugDescription: "The given data was not valid JSON.", underlyingError: error))
        }
        return try JSONValue(serialized: object)
    }

    /// Parses UTF-8 JSON text; see ``parse(_:)-(Data)``.
    public static func parse(_ text: String) throws -> JSONValue {
        try parse(Data(text.utf8))
    }

    /// True when the UTF-8 text holds U+FEFF (the bytes EF BB BF) anywhere.
    static func holdsByteOrderMark(_ data: Data) -> Bool {
        data.withUnsafeBytes { buffer in
            let bytes = buffer.bindMemory(to: UInt8.self)
            var index = 0
            while index + 2 < bytes.count {
                if bytes[index] == 0xEF, bytes[index + 1] == 0xBB, bytes[index + 2] == 0xBF { return true }
                index += 1
            }
            return false
        }
    }

    /// Converts what `JSONSerialization` returns. Types are compared exactly first: a
    /// conditional cast such as `as? NSNumber` of a dictionary would bridge the whole dictionary
    /// to look inside it, which costs more than the parse.
    private init(serialized object: Any) throws {
        let type = Swift.type(of: object)
        if type == String.self {
            self = .string(object as! String)
        } else if type == [String: Any].self {
            let members = object as! [String: Any]
            var values = [String: JSONValue](minimumCapacity: members.count)
            for (key, member) in members {
                values[key] = try JSONValue(serialized: member)
            }
            self = .object(values)
        } else if type == [Any].self {
            self = .array(try (object as! [Any]).map { try JSONValue(serialized: $0) })
        } else if let number = object as? NSNumber {
            self = JSONValue(number: number)
        } else if object is NSNull {
            self = .null
        } else if let text = object as? String {
            self = .string(text)
        } else if let members = object as? [String: Any] {
            self = .object(try members.mapValues { try JSONValue(serialized: $0) })
        } else if let elements = object as? [Any] {
            self = .array(try elements.map { try JSONValue(serialized: $0) })
        } else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: [], debugDescription: "JSONSerialization returned \(type), which is not JSON"))
        }
    }

    /// A number by the C type `JSONSerialization` gave it: `c` is a boolean, `d`/`f` a number
    /// that had a fraction or an exponent (an integer when it has neither and fits), `Q` an
    /// unsigned integer that may not fit in `Int`, anything else a signed integer.
    private init(number: NSNumber) {
        switch UInt8(bitPattern: number.objCType.pointee) {
        case UInt8(ascii: "c"), UInt8(ascii: "B"):
            self = .bool(number.boolValue)
        case UInt8(ascii: "d"), UInt8(ascii: "f"):
            let value = number.doubleValue
            if value.rounded() == value, abs(value) < 9.0e15 {
                self = .integer(Int(value))
            } else {
                self = .number(value)
            }
        case UInt8(ascii: "Q"), UInt8(ascii: "L"):
            let value = number.uint64Value
            self = value <= UInt64(Int.max) ? .integer(Int(value)) : .number(Double(value))
        default:
            self = .integer(number.intValue)
        }
    }

    /// True when arrays and objects outside strings open deeper than `limit`. Exact for valid JSON,
    /// and for the valid prefix Foundation reads before it stops at an error, so every input
    /// Foundation would take past the limit is caught, and no valid input within it is refused.
    /// `JSONDecoder` refuses nesting past 512, but traps (ending the process) when the bracket
    /// that passes the limit is the input's last byte; check with this before handing it input
    /// from outside.
    public static func nestingExceeds(_ bytes: some Collection<UInt8>, limit: Int) -> Bool {
        var depth = 0
        var inString = false
        var escaped = false
        for byte in bytes {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > limit { return true }
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                depth -= 1
            default:
                break
            }
        }
        return false
    }
}
