import Foundation

/// One documented field of a structure, as the models write it: every field is written,
/// `null` when the record does not set it (docs/reference-server.md, "Every field, null when unset").
public struct DocumentedField: Sendable, Hashable {
    /// The field's name on the wire, e.g. `diag_result`.
    public var name: String
    /// Whether the field is `null` when unset; `false` for the fields every record has (`id`,
    /// `FileURL`'s `url`) and for those whose empty form is not `null` (lists are `[]`).
    public var isNullable: Bool

    public init(name: String, isNullable: Bool) {
        self.name = name
        self.isNullable = isNullable
    }
}

extension DocumentedField {
    /// The fields `model` writes, sorted by name.
    ///
    /// Derived from the model itself, so there is no second list to keep: the least record the
    /// model's tolerant decoder accepts (`{}`, with each field it reports missing added as `1`)
    /// is written back; every key written is a documented field, and those written as `null`
    /// are the nullable ones. A model that stores more properties than it writes fields (an
    /// `encode(to:)` that forgot one) is an error, not a shorter list.
    public static func fields<Model: Codable>(of model: Model.Type) throws -> [DocumentedField] {
        var least: [String: JSONValue] = [:]
        let record: Model
        while true {
            do {
                record = try JSONValueDecoder().decode(Model.self, from: .object(least))
                break
            } catch let error as WireDecodingError where error.problem.hasPrefix("required") && least[error.field] == nil {
                least[error.field] = .integer(1)
            }
        }
        let stored = Mirror(reflecting: record).children.count
        guard case .object(let written) = try JSONValue.parse(JSONEncoder().encode(record)), written.count == stored else {
            let context = EncodingError.Context(codingPath: [], debugDescription: "\(model) does not write each of its \(stored) properties as a field")
            throw EncodingError.invalidValue(record, context)
        }
        return written.keys.sorted().map { name in
            DocumentedField(name: name, isNullable: written[name] == .null)
        }
    }
}

extension RecordKind {
    /// The documented fields of this kind's structure (``DocumentedField/fields(of:)``).
    public func documentedFields() throws -> [DocumentedField] {
        try DocumentedField.fields(of: modelType)
    }
}
