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
}
