/// A record decoded twice from the same JSON: as its model, and as the raw value the server sent.
///
/// The mirror stores ``raw`` beside the model's indexed columns, so fields vdsync does not model
/// (and fields a newer server adds) are never lost: `RecordList<RawRecord<Project>>` reads a page.
public struct RawRecord<Record: Sendable>: Sendable {
    public let value: Record
    public let raw: JSONValue

    public init(value: Record, raw: JSONValue) {
        self.value = value
        self.raw = raw
    }
}

extension RawRecord: Decodable where Record: Decodable {
    public init(from decoder: any Decoder) throws {
        value = try Record(from: decoder)
        raw = try JSONValue(from: decoder)
    }
}

extension RawRecord: Equatable where Record: Equatable {}
extension RawRecord: Hashable where Record: Hashable {}
