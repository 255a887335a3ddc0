import Foundation
import Synchronization
import VolunteerAPI

/// JSON texts a reply carries verbatim: what a handler read already encoded (a mirrored
/// record's stored JSON) goes into the reply line as it is, instead of being parsed into a
/// ``JSONValue`` and encoded again, which was most of a read's cost (docs/performance.md).
///
/// A handler gets a placeholder value for each text (``RequestContext/encodedJSON(_:)``); the
/// dispatcher encodes the reply as usual and then replaces each placeholder with its text. A
/// placeholder is a string holding a control character and a random nonce drawn for each reply
/// line, so no value a client or the upstream sent can be mistaken for one.
final class RPCFragments: Sendable {
    private let nonce = UUID().uuidString
    private let texts = Mutex<[String]>([])

    /// The value standing for `text` until the reply is encoded. `text` must be one valid JSON
    /// value in the form ``RPCJSON`` writes (keys sorted, slashes unescaped, no newline).
    func placeholder(for text: String) -> JSONValue {
        let index = texts.withLock { texts in
            texts.append(text)
            return texts.count - 1
        }
        return .string("\u{1}\(nonce):\(index)")
    }

    /// `line` with every placeholder replaced by its text.
    func splice(into line: [UInt8]) -> [UInt8] {
        let texts = texts.withLock { $0 }
        guard !texts.isEmpty else { return line }
        // How the encoder writes a placeholder: the quote, the escaped control character, the nonce.
        let opening = Array("\"\\u0001\(nonce):".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(line.count + texts.reduce(0) { $0 + $1.utf8.count })
        var position = 0
        while let start = Self.find(opening, in: line, from: position) {
            var end = start + opening.count
            var index = 0
            while end < line.count, let digit = Self.digit(line[end]) {
                index = index * 10 + digit
                end += 1
            }
            guard end < line.count, line[end] == UInt8(ascii: "\""), index < texts.count else {
                // Not one of ours after all; copy it and go on.
                out.append(contentsOf: line[position..<end])
                position = end
                continue
            }
            out.append(contentsOf: line[position..<start])
            out.append(contentsOf: texts[index].utf8)
            position = end + 1
        }
        out.append(contentsOf: line[position...])
        return out
    }

    private static func digit(_ byte: UInt8) -> Int? {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) ? Int(byte - UInt8(ascii: "0")) : nil
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, haystack.count >= needle.count else { return nil }
        var index = start
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first, haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
