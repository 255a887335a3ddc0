import VolunteerAPI

/// The field names the quirks mode treats specially: the one place that says which fields are
/// 0/1 flags, which hold decimal text, and which undocumented fields may be added to a record.
enum QuirkFields {
    /// Fields whose value is a 0/1 flag (sent as `0`/`1`, `"0"`/`"1"` or `false`/`true`).
    /// `jump_mode` is a code, not a flag.
    static let flags: Set<String> = [
        "is_read", "is_join", "op_cancel", "is_new", "confirm_no_refund", "patient_comment_show",
        "doctor_comment_show", "morning", "afternoon",
    ]

    /// Fields that hold a decimal as text (`"4.5"`, `"116.397128"`), sent as a number when lossless.
    static let decimals: Set<String> = [
        "credit_score", "punctuality_score", "score", "lng", "lat", "amount", "height", "weight",
    ]

    /// Envelope members that are never left out or blanked: a client needs them to read the answer.
    static let envelope: Set<String> = ["error_code", "data", "error_message"]

    /// Undocumented fields a legacy server leaks from its tables, added to records that lack them.
    static let extras: [(name: String, value: JSONValue)] = [
        ("deleted_at", .null),
        ("sort", .string("0")),
        ("create_time", .string("2024-01-01 08:00:00")),
        ("is_del", .integer(0)),
    ]
}
