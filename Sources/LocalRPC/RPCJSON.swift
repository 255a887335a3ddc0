import Foundation
import VolunteerAPI

/// Reading and writing JSON for the socket, with Foundation's coders only: no JSON is parsed by hand.
///
/// Output is one line: compact, keys sorted so that replies are stable and diffable.
enum RPCJSON {
    /// Parses one line. Invalid UTF-8, invalid JSON and nesting deeper than Foundation's limit all throw.
    static func decode(_ bytes: some Collection<UInt8>) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    /// Encodes one value; the result never contains a newline (the encoder escapes them in strings).
    static func encode(_ value: JSONValue) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }
}
