import Foundation
import GRDB

/// A search of the mirror's names and text (``SearchIndex``): whitespace-separated terms that
/// must all occur, as substrings, in the indexed text of a record; optionally only some kinds;
/// ranked and paged.
///
/// Terms of three characters or more are looked up in the trigram index and ranked by bm25
/// (names weigh most). A query whose terms are all shorter (a two-character name, the last two
/// digits of a phone) cannot use the index: it scans the names and phone digits only, and
/// ranks names containing the text first, shorter names before longer. A query with no term of
/// two characters or more is refused (``MirrorSearchError/tooShort``).
public struct MirrorSearch: Sendable, Hashable {
    /// The longest query accepted, in characters.
    public static let maximumLength = 100

    public var text: String
    /// Only hits of these kinds (``SearchIndex/kinds``); empty: every kind.
    public var kinds: [String]
    public var limit: Int
    public var offset: Int

    public init(_ text: String, kinds: [String] = [], limit: Int = 50, offset: Int = 0) {
        self.text = text
        self.kinds = kinds
        self.limit = limit
        self.offset = offset
    }

    /// The terms of the query, each at most once. Control characters separate terms like spaces:
    /// FTS5 reads its query as a C string, which a NUL would cut short.
    var terms: [String] {
        let separator = { (character: Character) in
            character.isWhitespace || character.unicodeScalars.contains { $0.properties.generalCategory == .control }
        }
        var seen: [String] = []
        for term in text.split(whereSeparator: separator).map(String.init) where !seen.contains(term) { seen.append(term) }
        return seen
    }

    /// Checks the query; throws what is wrong with it.
    func validate() throws(MirrorSearchError) {
        guard text.count <= Self.maximumLength else { throw .tooLong(maximum: Self.maximumLength) }
        guard terms.contains(where: { $0.unicodeScalars.count >= 2 }) else { throw .tooShort(minimum: 2) }
        let known = SearchIndex.kinds
        if let unknown = kinds.first(where: { !known.contains($0) }) { throw .unknownKind(unknown, known: known) }
    }

    /// The FTS5 MATCH expression of the terms that the trigram index can find (three characters
    /// or more), each a quoted string so that `"`, `*`, `AND` or `NEAR` in the user's text are
    /// only text; nil when there is none.
    var matchExpression: String? {
        let long = terms.filter { $0.unicodeScalars.count >= 3 }
        guard !long.isEmpty else { return nil }
        return long.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: " ")
    }

    /// The LIKE pattern that finds `term` anywhere, with `%`, `_` and `\` of the user's text escaped.
    static func likePattern(_ term: String) -> String {
        var escaped = ""
        for character in term {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return "%" + escaped + "%"
    }
}

/// One record that a search found: its collection, the kind it was found as, and the record as
/// a local read shows it.
public struct SearchHit: Sendable, Hashable {
    public let collection: MirrorCollection
    public let kind: String
    public let row: MirrorRow
}

/// Why a search was refused.
public enum MirrorSearchError: Error, Sendable, Hashable, CustomStringConvertible {
    case tooShort(minimum: Int)
    case tooLong(maximum: Int)
    case unknownKind(String, known: [String])

    public var description: String {
        switch self {
        case .tooShort(let minimum): "must hold a term of at least \(minimum) characters"
        case .tooLong(let maximum): "must be at most \(maximum) characters"
        case .unknownKind(let kind, let known): "'\(kind)' is not a kind; the kinds are \(known.joined(separator: ", "))"
        }
    }
}

extension MirrorStore {
    /// Runs a search: the page of hits, best first, and the number of hits over all pages. The
    /// index and the records are read in one snapshot, so every hit is a record that exists.
    public func search(_ search: MirrorSearch) async throws -> (hits: [SearchHit], total: Int) {
        try search.validate()
        return try await pool.read { db in
            let (found, total) = try search.matchExpression.map { try Self.indexed(db, search, $0) } ?? Self.scanned(db, search)
            return (try found.compactMap { try Self.hit(db, $0) }, total)
        }
    }

    /// A query with a term of 3 characters or more: the trigram index finds, bm25 ranks.
    private static func indexed(_ db: Database, _ search: MirrorSearch, _ match: String) throws -> (rows: [Row], total: Int) {
        var conditions = ["search_text MATCH ?"]
        var arguments: [(any DatabaseValueConvertible)?] = [match]
        // Short terms of a longer query only filter what the index found.
        for term in search.terms where term.unicodeScalars.count < 3 {
            conditions.append("(search_text.name LIKE ? ESCAPE '\\' OR search_text.body LIKE ? ESCAPE '\\' OR search_text.phone LIKE ? ESCAPE '\\')")
            arguments += Array(repeating: MirrorSearch.likePattern(term), count: 3)
        }
        if let kinds = kindsCondition(search, &arguments) { conditions.append(kinds) }
        let from = "search_text CROSS JOIN search_doc d ON d.docid = search_text.rowid WHERE " + conditions.joined(separator: " AND ")
        // Cached like a read's statements: a query's shape depends only on how many terms it has.
        let total = try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM \(from)"), arguments: StatementArguments(arguments)) ?? 0
        let rows = try Row.fetchAll(
            db.cachedStatement(
                sql: "SELECT d.collection, d.kind, d.record_id FROM \(from) ORDER BY bm25(search_text, \(SearchIndex.weights)), d.docid LIMIT ? OFFSET ?"),
            arguments: StatementArguments(arguments + [max(search.limit, 0), max(search.offset, 0)]))
        return (rows, total)
    }

    /// A query of 1- and 2-character terms only, which the trigram index cannot find: one scan of
    /// the names and phone digits `search_doc` keeps beside each index row (a narrow table, not
    /// the index's content), counting every hit in the same pass. Names holding the first term
    /// come first, shorter before longer.
    private static func scanned(_ db: Database, _ search: MirrorSearch) throws -> (rows: [Row], total: Int) {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        for term in search.terms {
            conditions.append("(d.name LIKE ? ESCAPE '\\' OR d.phone LIKE ? ESCAPE '\\')")
            arguments += Array(repeating: MirrorSearch.likePattern(term), count: 2)
        }
        if let kinds = kindsCondition(search, &arguments) { conditions.append(kinds) }
        let whereClause = conditions.joined(separator: " AND ")
        let rows = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT d.collection, d.kind, d.record_id, COUNT(*) OVER () AS total FROM search_doc d WHERE \(whereClause)
                    ORDER BY instr(d.name, ?) = 0, length(d.name), d.docid LIMIT ? OFFSET ?
                    """),
            arguments: StatementArguments(arguments + [search.terms[0], max(search.limit, 0), max(search.offset, 0)]))
        if let first = rows.first { return (rows, first["total"]) }
        // A page past the last hit has no row to carry the count.
        let total =
            try Int.fetchOne(
                db.cachedStatement(sql: "SELECT COUNT(*) FROM search_doc d WHERE \(whereClause)"), arguments: StatementArguments(arguments)) ?? 0
        return (rows, total)
    }

    /// The condition on `kinds`, if any, its argument appended.
    private static func kindsCondition(_ search: MirrorSearch, _ arguments: inout [(any DatabaseValueConvertible)?]) -> String? {
        guard !search.kinds.isEmpty else { return nil }
        arguments.append("[" + search.kinds.map { "\"\($0)\"" }.joined(separator: ",") + "]")
        return "d.kind IN (SELECT value FROM json_each(?))"
    }

    /// The hit of one `search_doc` row: its record as a read shows it, with its pending entries.
    private static func hit(_ db: Database, _ found: Row) throws -> SearchHit? {
        guard let collection = MirrorCollection(rawValue: found["collection"]) else { return nil }
        let id: Int = found["record_id"]
        guard
            let json = try String.fetchOne(
                db.cachedStatement(sql: "SELECT raw FROM \(collection.table.quotedDatabaseIdentifier) WHERE id = ?"), arguments: [id])
        else { return nil }
        let pending = try Int.fetchAll(
            db.cachedStatement(sql: "SELECT DISTINCT entry_id FROM overlay WHERE collection = ? AND record_id = ? ORDER BY entry_id"),
            arguments: [collection.rawValue, id])
        return SearchHit(collection: collection, kind: found["kind"], row: MirrorRow(id: id, json: json, pendingEntries: pending))
    }
}
