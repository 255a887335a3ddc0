import Foundation
import VolunteerAPI

/// One record as the mirror stores it: its id, its indexed columns, and the JSON the server
/// sent for it, with a content hash of that JSON for change detection.
public struct MirroredRecord: Sendable, Hashable {
    public let collection: MirrorCollection
    public let id: Int
    public let columns: [String: MirrorValue]
    public let raw: JSONValue
    /// A hash of the raw JSON in canonical form (keys sorted): equal content, equal hash, so an
    /// unchanged record is recognised without comparing its fields.
    public let contentHash: String
    /// The raw JSON in canonical form, as stored; made once, since it is also what is hashed.
    let canonicalJSON: String

    /// `columns` must name only columns of `collection` (``MirrorCollection/columns``); missing
    /// ones are stored as null.
    public init(_ collection: MirrorCollection, id: Int, columns: [String: MirrorValue], raw: JSONValue) {
        self.collection = collection
        self.id = id
        self.columns = columns
        self.raw = raw
        self.canonicalJSON = ContentHash.canonicalText(raw)
        self.contentHash = ContentHash.of(text: canonicalJSON)
    }
}

/// Content hashes for change detection: FNV-1a 64 over the canonical JSON text. Not a
/// security measure; a change that kept the hash would only delay a refresh.
enum ContentHash {
    static func canonicalText(_ value: JSONValue) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }

    static func of(text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
