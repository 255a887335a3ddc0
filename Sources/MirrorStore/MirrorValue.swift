import VolunteerAPI

/// A value of an indexed column: what local reads filter and sort on. The record's full
/// content stays in its raw JSON.
public enum MirrorValue: Sendable, Hashable {
    case null
    case integer(Int)
    case text(String)

    public init(_ value: Int?) {
        self = value.map(MirrorValue.integer) ?? .null
    }

    public init(_ value: String?) {
        self = value.map(MirrorValue.text) ?? .null
    }

    /// The value as JSON, as stored beside a shadow or an overlay.
    public var json: JSONValue {
        switch self {
        case .null: .null
        case .integer(let number): .integer(number)
        case .text(let text): .string(text)
        }
    }

    /// The column value a JSON value stands for (numbers and text only; anything else is null).
    public init(json: JSONValue?) {
        switch json {
        case .integer(let number)?: self = .integer(number)
        case .string(let text)?: self = .text(text)
        default: self = .null
        }
    }
}
