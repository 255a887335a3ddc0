import GRDB
import VolunteerAPI

/// The offline search index: an FTS5 table (`search_text`, trigram tokenizer, so any three
/// characters of a Chinese name find it) over the mirrored records that ``sources`` names, and
/// `search_doc`, which says which record each of its rows is.
///
/// SQL triggers on the collection tables keep it exact: every insert, update and delete of a
/// mirrored row (a pull, a pending mutation's overlay, a wipe) changes the index in the same
/// transaction, with no Swift code to forget. The triggers are built from ``sources`` each time
/// the database is opened; when that list changed since, they are replaced and the index is
/// rebuilt from the tables once (``install(_:)``). Adding a collection to search is one row in
/// ``sources``.
public enum SearchIndex {
    /// Everything search finds. The lists of the users table hold patients (an assistant's),
    /// doctors (followed, or the doctor's own profile) and assistants: its `role` column tells them apart.
    public static let sources: [SearchSource] = [
        SearchSource(.users, kind: "patients", only: ("role", UserRole.patient.rawValue), names: ["$.real_name"], phone: "$.phone"),
        SearchSource(.users, kind: "doctors", only: ("role", UserRole.doctor.rawValue), names: ["$.real_name"], texts: ["$.hospital"], phone: "$.phone"),
        SearchSource(.users, kind: "assistants", only: ("role", UserRole.assistant.rawValue), names: ["$.real_name"], phone: "$.phone"),
        SearchSource(.diagnoses, kind: "diagnoses", names: ["$.user_info.real_name"], texts: ["$.diag_result"], phone: "$.user_info.phone"),
        SearchSource(.projects, kind: "projects", names: ["$.doctor_info.real_name", "$.hospital_info.name"], texts: ["$.addr", "$.abstract"]),
        SearchSource(.hospitals, kind: "hospitals", names: ["$.name"], texts: ["$.addr"]),
        SearchSource(.organisations, kind: "organisations", names: ["$.name"], texts: ["$.abstract"]),
        SearchSource(.chatMessages, kind: "messages", names: [], texts: ["$.content"]),
        SearchSource(.visits, kind: "visits", names: ["$.user.real_name", "$.doctor.real_name"], texts: ["$.diag_result", "$.casebook.content"]),
    ]

    /// Every kind, in the order of ``sources``.
    public static var kinds: [String] {
        var seen: [String] = []
        for source in sources where !seen.contains(source.kind) { seen.append(source.kind) }
        return seen
    }

    /// How much each column weighs in the bm25 rank: a name outweighs a phone's digits, which
    /// outweigh a word in a long text.
    static let weights = "10.0, 1.0, 5.0"

    /// The tables, created by the `v7-search` migration. The triggers are not part of it: they
    /// follow ``sources`` (``install(_:)``).
    static func createTables(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE search_doc (
                    docid INTEGER PRIMARY KEY,
                    collection TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    record_id INTEGER NOT NULL,
                    name TEXT NOT NULL,
                    phone TEXT NOT NULL,
                    UNIQUE (collection, record_id, kind)
                );
                CREATE VIRTUAL TABLE search_text USING fts5(name, body, phone, tokenize = 'trigram');
                CREATE TABLE search_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                """)
    }

    /// Makes the triggers match ``sources``: when the definition stored with the index differs
    /// (a new database, or a build that indexes something else), the old triggers are dropped,
    /// the new ones created, and the index is rebuilt from the tables, in one transaction.
    static func install(_ db: Database) throws {
        let definition = triggers().joined(separator: "\n")
        let stored = try String.fetchOne(db, sql: "SELECT value FROM search_state WHERE key = 'definition'")
        guard stored != definition else { return }
        let old = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'search\\_%' ESCAPE '\\'")
        for name in old { try db.execute(sql: "DROP TRIGGER \(name.quotedDatabaseIdentifier)") }
        try db.execute(sql: "DELETE FROM search_text; DELETE FROM search_doc")
        for statement in triggers() { try db.execute(sql: statement) }
        for source in sources {
            let table = source.collection.table.quotedDatabaseIdentifier
            try db.execute(sql: docInsert(source, row: "r") + " FROM \(table) r WHERE \(source.condition("r"))")
            try db.execute(sql: textInsert(source, row: "r", join: "JOIN \(table) r ON r.id = d.record_id", match: ""))
        }
        try db.execute(
            sql: "INSERT INTO search_state (key, value) VALUES ('definition', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            arguments: [definition])
    }

    /// Drops what deleted rows leave in the index's segments until FTS5 merges them (SQLite
    /// 3.40 has no `secure-delete` option for FTS5): rebuilt from its now empty content, the
    /// index keeps nothing of the wiped account. For a logout's wipe, after the deletes.
    static func purgeRemnants(_ db: Database) throws {
        try db.execute(sql: "INSERT INTO search_text (search_text) VALUES ('rebuild')")
    }

    /// The insert, update and delete triggers of every collection that ``sources`` names.
    static func triggers() -> [String] {
        var collections: [MirrorCollection] = []
        for source in sources where !collections.contains(source.collection) { collections.append(source.collection) }
        return collections.flatMap { collection -> [String] in
            let own = sources.filter { $0.collection == collection }
            let table = collection.table
            let remove = removal(collection, id: "OLD.id")
            let add = own.flatMap(addition)
            let name = { (event: String) in "search_\(table)_\(event)".quotedDatabaseIdentifier }
            let on = table.quotedDatabaseIdentifier
            // An insert first clears what the index may still hold of the id, so it never
            // conflicts with a stale row.
            return [
                "CREATE TRIGGER \(name("insert")) AFTER INSERT ON \(on) BEGIN \((removal(collection, id: "NEW.id") + add).joined()) END",
                "CREATE TRIGGER \(name("update")) AFTER UPDATE ON \(on) BEGIN \((remove + add).joined()) END",
                "CREATE TRIGGER \(name("delete")) AFTER DELETE ON \(on) BEGIN \(remove.joined()) END",
            ]
        }
    }

    /// Statements that take the record `id` of `collection` out of the index.
    private static func removal(_ collection: MirrorCollection, id: String) -> [String] {
        let docs = "SELECT docid FROM search_doc WHERE collection = \(SearchSource.literal(collection.rawValue)) AND record_id = \(id)"
        return [
            "DELETE FROM search_text WHERE rowid IN (\(docs));",
            "DELETE FROM search_doc WHERE collection = \(SearchSource.literal(collection.rawValue)) AND record_id = \(id);",
        ]
    }

    /// Statements that index the trigger's `NEW` row as `source`, when it is one.
    private static func addition(_ source: SearchSource) -> [String] {
        [
            docInsert(source, row: "NEW") + " WHERE \(source.condition("NEW"));",
            textInsert(source, row: "NEW", join: "", match: " AND d.record_id = NEW.id") + ";",
        ]
    }

    /// The `search_doc` row of `row` as `source` (a SELECT without its FROM and WHERE): which
    /// record it is, with its name and phone digits, which short queries scan.
    private static func docInsert(_ source: SearchSource, row: String) -> String {
        let values = source.columnValues(row)
        return "INSERT INTO search_doc (collection, kind, record_id, name, phone) SELECT \(identity(source)), \(row).id, \(values[0]), \(values[2])"
    }

    /// The index row of each `search_doc` of `source`: its name and phone digits from there, its
    /// text from `row`.
    private static func textInsert(_ source: SearchSource, row: String, join: String, match: String) -> String {
        """
        INSERT INTO search_text (rowid, name, body, phone) SELECT d.docid, d.name, \(source.columnValues(row)[1]), d.phone \
        FROM search_doc d \(join) WHERE d.collection = \(SearchSource.literal(source.collection.rawValue)) \
        AND d.kind = \(SearchSource.literal(source.kind))\(match)
        """
    }

    private static func identity(_ source: SearchSource) -> String {
        "\(SearchSource.literal(source.collection.rawValue)), \(SearchSource.literal(source.kind))"
    }
}
