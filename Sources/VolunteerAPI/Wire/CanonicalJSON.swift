import Foundation

/// One JSON form for each set of values, whatever form the server chose to send them in.
///
/// Servers of this kind write the same value several ways (`13` or `"13"`, `null`, `""` or no
/// field, `{}` or `[]`, `09:00` or `09:00:00`). The models read all of them (``WireReader``);
/// their own encoding writes each value one way. So a record decoded and encoded again is in
/// canonical form: equal values give equal JSON, and a hash of it changes only when a value
/// does. Fields the document does not define are left out, since their type, and so their one
/// form, is unknown.
public enum CanonicalJSON {
    /// `raw` decoded as `model` and encoded again.
    public static func of<Model: Codable>(_ raw: JSONValue, as model: Model.Type, decoder: JSONValueDecoder = JSONValueDecoder()) throws -> JSONValue {
        try JSONValue(encoding: decoder.decode(model, from: raw))
    }

    /// `raw` as a record of `kind`, in canonical form.
    public static func of(_ raw: JSONValue, kind: RecordKind, decoder: JSONValueDecoder = JSONValueDecoder()) throws -> JSONValue {
        try of(raw, as: kind.modelType, decoder: decoder)
    }

    /// The `data` of an answer of this shape in canonical form, when it holds one record (or
    /// one user); any other shape, or a record that does not decode (PHP's `{}` for none), is
    /// returned as it is.
    public static func of(_ data: JSONValue, shape: ResponseShape, decoder: JSONValueDecoder = JSONValueDecoder()) -> JSONValue {
        switch shape {
        case .record(let kind), .optionalRecord(let kind): (try? of(data, kind: kind, decoder: decoder)) ?? data
        case .userByType: (try? of(data, as: UserProfile.self, decoder: decoder)) ?? data
        default: data
        }
    }
}

extension JSONValue {
    /// An `Encodable` value as JSON.
    public init(encoding value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        self = try JSONValue.parse(encoder.encode(value))
    }
}
