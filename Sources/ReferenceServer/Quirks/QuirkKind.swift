/// One kind of variation the quirks mode applies, named as the census counts it.
public enum QuirkKind: String, Sendable, Hashable, CaseIterable, Codable, Comparable {
    /// An integer sent as its decimal text (`13` → `"13"`).
    case intAsString = "int-as-string"
    /// Decimal text sent as a JSON number where that keeps every digit (`"4.5"` → `4.5`).
    case decimalAsNumber = "decimal-as-number"
    /// A `null` field sent as `""`.
    case nullAsEmpty = "null-as-empty"
    /// A `null` field left out.
    case nullLeftOut = "null-left-out"
    /// An empty object sent as `[]`, PHP's empty array.
    case emptyObjectAsArray = "empty-object-as-array"
    /// A 0/1 flag sent as `"0"`/`"1"`.
    case flagAsString = "flag-as-string"
    /// A 0/1 flag sent as `false`/`true`.
    case flagAsBool = "flag-as-bool"
    /// A timestamp or time whose seconds are `00` sent without them (`09:00:00` → `09:00`).
    case timeWithoutSeconds = "time-without-seconds"
    /// An undocumented field added to a record (`deleted_at: null`, `sort: "0"`...).
    case extraField = "extra-field"

    public static func < (lhs: QuirkKind, rhs: QuirkKind) -> Bool { lhs.rawValue < rhs.rawValue }
}
