/// A field of a documented structure that could not be read.
///
/// Decoding never traps: anything a server sends that vdsync cannot make sense of becomes
/// this error, which names the structure, the field's path from the top of the document,
/// and what was wrong. It carries no field values, so it is safe to log.
public struct WireDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The Swift name of the structure being read, e.g. `Project`.
    public let structure: String
    /// The path of the field from the top of the decoded document, e.g. `data.list.3.lng`.
    public let field: String
    /// What was wrong, e.g. "expected an integer, found a string that is not a number".
    public let problem: String

    public init(structure: String, field: String, problem: String) {
        self.structure = structure
        self.field = field
        self.problem = problem
    }

    public var description: String {
        "cannot read \(structure) field '\(field)': \(problem)"
    }

    /// The same error seen from a document that embeds this one under `prefix`
    /// (a JSON-encoded string inside a field).
    func nested(under prefix: String) -> WireDecodingError {
        WireDecodingError(structure: structure, field: field.isEmpty ? prefix : "\(prefix).\(field)", problem: problem)
    }
}

/// A `CodingKey` for any string, used for aliases and dynamic keys such as `plan_time` slots.
struct AnyCodingKey: CodingKey, Hashable {
    let stringValue: String
    let intValue: Int?

    init(_ string: String) {
        stringValue = string
        intValue = nil
    }

    init?(stringValue: String) {
        self.init(stringValue)
    }

    init?(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }
}

extension [any CodingKey] {
    /// `data.list.3.lng`: the dotted form used in ``WireDecodingError/field``.
    var dotted: String {
        map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }
}
