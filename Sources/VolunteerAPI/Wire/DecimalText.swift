import Foundation

/// A decimal the API writes as text (`credit_score: '3.4'`, `lng: "127.000000"`, `amount: "0.00"`).
///
/// The text is kept exactly as the server sent it so that re-encoding writes the same string;
/// equality and hashing go by numeric value, so `"4.50"` equals `4.5`.
public struct DecimalText: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The text as received, or the shortest text of a number received as a JSON number.
    public let text: String
    public let value: Double

    /// Reads a decimal written as text; nil when it is not a finite number.
    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let value = Double(trimmed), value.isFinite else { return nil }
        self.text = trimmed
        self.value = value
    }

    public init(_ value: Double) {
        self.value = value
        self.text = value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    public var description: String { text }

    public static func == (lhs: DecimalText, rhs: DecimalText) -> Bool { lhs.value == rhs.value }
    public func hash(into hasher: inout Hasher) { hasher.combine(value) }

    public init(from decoder: any Decoder) throws {
        let raw = try JSONValue(from: decoder)
        switch raw {
        case .integer(let value): self.init(Double(value))
        case .number(let value): self.init(value)
        case .string(let text):
            guard let parsed = DecimalText(text) else {
                throw WireDecodingError(structure: "DecimalText", field: decoder.codingPath.dotted, problem: "not a decimal number")
            }
            self = parsed
        default:
            throw WireDecodingError(
                structure: "DecimalText", field: decoder.codingPath.dotted, problem: "expected a decimal, found \(raw.kindDescription)")
        }
    }

    /// Always a string, as the document shows these fields.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}
