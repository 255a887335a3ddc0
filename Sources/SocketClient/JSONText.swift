import Foundation
import LocalRPC
import VolunteerAPI

/// JSON as `vdsync` prints and reads it: pretty with sorted keys for people and `jq`, and the
/// short text of a value for a table cell.
public enum JSONText {
    /// `value` as indented JSON with keys sorted, so output is stable and diffable; no trailing newline.
    public static func pretty(_ value: JSONValue) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }

    /// `value` on one line, keys sorted (for `vdsync watch --json`, one notification per line).
    public static func compact(_ value: JSONValue) -> String {
        guard let bytes = try? RPCJSON.encode(value) else { return "null" }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses `text` as one JSON value; the error says what is wrong, for a usage message.
    public static func parse(_ text: String) throws -> JSONValue {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        } catch {
            throw Failure(text: text)
        }
    }

    /// The text that is not JSON.
    public struct Failure: Error, CustomStringConvertible {
        public let text: String
        public var description: String { "not valid JSON: \(text.prefix(80))" }
    }

    /// A value as a table cell: strings as they are, numbers and booleans as JSON spells them,
    /// null and missing as empty, arrays as their elements joined by ", ", objects as "{…}".
    public static func cell(_ value: JSONValue?) -> String {
        switch value {
        case nil, .null?: ""
        case .bool(let flag)?: flag ? "true" : "false"
        case .integer(let number)?: String(number)
        case .number(let number)?: number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
        case .string(let text)?: text
        case .array(let elements)?: elements.map { cell($0) }.joined(separator: ", ")
        case .object?: "{…}"
        }
    }

    /// The value at a dotted path (`doctor_info.real_name`), or nil.
    public static func value(_ root: JSONValue?, at path: String) -> JSONValue? {
        var current = root
        for key in path.split(separator: ".") {
            guard let next = current?[String(key)] else { return nil }
            current = next
        }
        return current
    }
}
