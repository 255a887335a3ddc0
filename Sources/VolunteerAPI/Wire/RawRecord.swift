/// A record decoded from the server's JSON, as its model and as JSON in canonical form
/// (``CanonicalJSON``): the model encoded again, so the same values always give the same JSON.
///
/// The mirror stores ``raw`` beside the model's indexed columns and hashes it to tell a
/// changed record from an unchanged one: `RecordList<RawRecord<Project>>` reads a page.
public struct RawRecord<Record: Sendable>: Sendable {
    public let value: Record
    /// The record's JSON in canonical form: every documented field, each written one way.
    public let raw: JSONValue

    public init(value: Record, raw: JSONValue) {
        self.value = value
        self.raw = raw
    }
}

extension RawRecord: Decodable where Record: Codable {
    public init(from decoder: any Decoder) throws {
        value = try Record(from: decoder)
        raw = try JSONValue(encoding: value)
    }
}

extension RawRecord: Equatable where Record: Equatable {}
extension RawRecord: Hashable where Record: Hashable {}
