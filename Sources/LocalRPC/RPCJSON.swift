import Foundation
import VolunteerAPI

/// Reading and writing JSON for the socket, with Foundation's coders only: no JSON is parsed by hand.
///
/// Output is one line: compact, keys sorted so that replies are stable and diffable.
public enum RPCJSON {
    /// Foundation's own nesting limit: deeper arrays and objects are a parse error.
    public static let maxNestingDepth = 512

    /// The nesting a request line may have. Requests of this API nest 6 deep at most (a batch of
    /// requests whose params hold an array of photo objects); decoding a `JSONValue` costs more
    /// than linear time in its depth (a 1 KB line nested 511 deep took 2 s of CPU in a debug
    /// build, so a few such lines stalled every client), and at 32 a line costs a few times
    /// what a flat line of the same size does.
    public static let maxRequestDepth = 32

    /// A line nested deeper than the limit (other bad lines throw Foundation's own errors).
    public struct Failure: Error {}

    /// Parses one line. Invalid UTF-8, invalid JSON and nesting deeper than `maxDepth` (at most
    /// Foundation's limit) all throw.
    public static func decode(_ bytes: some Collection<UInt8>, maxDepth: Int = maxNestingDepth) throws -> JSONValue {
        // Foundation refuses nesting past its limit, but traps (ending the process) when the
        // bracket that passes the limit is the last byte of the input: a 514-byte line of '['
        // killed the daemon. Such lines are refused here, before Foundation sees them.
        if nestingExceeds(bytes, limit: min(maxDepth, maxNestingDepth)) { throw Failure() }
        return try JSONValue.parse(Data(bytes))
    }

    /// Encodes one value; the result never contains a newline (the encoder escapes them in strings).
    public static func encode(_ value: JSONValue) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    static func nestingExceeds(_ bytes: some Collection<UInt8>, limit: Int) -> Bool {
        JSONValue.nestingExceeds(bytes, limit: limit)
    }
}
