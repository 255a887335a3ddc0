import GRDB
import VolunteerAPI

/// One kind of thing offline search finds: which rows of a collection, and which parts of
/// their raw JSON go into the index's three columns. ``SearchIndex/sources`` lists them all, in
/// one place; SQL triggers built from that list keep the index in step with every write.
public struct SearchSource: Sendable, Hashable {
    /// The collection whose rows are indexed.
    public let collection: MirrorCollection
    /// The label a hit carries and `kinds` filters on (`patients`, `projects`, …).
    public let kind: String
    /// Only rows whose indexed column has this value (a user's role), or every row when nil.
    public let onlyColumn: String?
    public let onlyValue: Int?
    /// JSON paths (`$.real_name`) of names: the most heavily weighted column.
    public let names: [String]
    /// JSON paths of longer text: addresses, abstracts, chat content, a diagnosis's result.
    public let texts: [String]
    /// The JSON path of a phone number, of which only the last four digits are indexed, and only
    /// when the record itself carries it: the upstream sends a phone only to a role that may see
    /// it, so the index never holds more of a phone than the reads already show.
    public let phone: String?

    public init(
        _ collection: MirrorCollection, kind: String, only: (column: String, value: Int)? = nil, names: [String], texts: [String] = [],
        phone: String? = nil
    ) {
        self.collection = collection
        self.kind = kind
        self.onlyColumn = only?.column
        self.onlyValue = only?.value
        self.names = names
        self.texts = texts
        self.phone = phone
    }

    /// The SQL condition (over `row`, `NEW` in a trigger) for a row to be indexed as this kind.
    /// The raw JSON is checked first, so a malformed record is left out rather than failing the
    /// write that stores it.
    func condition(_ row: String) -> String {
        var condition = "json_valid(\(row).raw)"
        if let onlyColumn, let onlyValue {
            condition += " AND \(row).\(onlyColumn.quotedDatabaseIdentifier) IS \(onlyValue)"
        }
        return condition
    }

    /// The SQL of the `name`, `body` and `phone` column values of `row`.
    func columnValues(_ row: String) -> [String] {
        let phoneValue: String
        if let phone {
            let digits = "substr(json_extract(\(row).raw, \(Self.literal(phone))), -4)"
            phoneValue = "CASE WHEN \(digits) GLOB '[0-9][0-9][0-9][0-9]' THEN \(digits) ELSE '' END"
        } else {
            phoneValue = "''"
        }
        return [Self.joined(names, row), Self.joined(texts, row), phoneValue]
    }

    /// The text at `paths`, joined by spaces; missing values are left out.
    private static func joined(_ paths: [String], _ row: String) -> String {
        guard !paths.isEmpty else { return "''" }
        let parts = paths.map { "COALESCE(json_extract(\(row).raw, \(literal($0))), '')" }
        return "trim(" + parts.joined(separator: " || ' ' || ") + ")"
    }

    static func literal(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }
}
