import GRDB
import MirrorStore

/// Every row of a database file, by table and rowid, as a hash of its values: two snapshots
/// tell which rows a pull inserted, changed or deleted, whatever code wrote them.
struct Snapshot {
    var tables: [String: [Int64: Int]] = [:]

    static func take(_ path: String) throws -> Snapshot {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read { db in
            var snapshot = Snapshot()
            // A virtual table (the search index) is seen through its shadow tables, which are
            // ordinary tables; some of those have no rowid, and their rows are keyed by content.
            let tables = try Row.fetchAll(
                db,
                sql: """
                    SELECT name, sql LIKE '%WITHOUT ROWID%' AS keyed FROM sqlite_master
                    WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'grdb_migrations' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'
                    """)
            for table in tables {
                let name: String = table["name"]
                let withoutRowid: Bool = table["keyed"]
                var rows: [Int64: Int] = [:]
                let select = withoutRowid ? "SELECT 0 AS bench_rowid, *" : "SELECT rowid AS bench_rowid, *"
                let cursor = try Row.fetchCursor(db, sql: "\(select) FROM \(name.quotedDatabaseIdentifier)")
                while let row = try cursor.next() {
                    var hasher = Hasher()
                    for value in row.databaseValues.dropFirst() { hasher.combine(value) }
                    let hash = hasher.finalize()
                    rows[withoutRowid ? Int64(hash) : row["bench_rowid"]] = hash
                }
                snapshot.tables[name] = rows
            }
            return snapshot
        }
    }

    /// Rows inserted, updated and deleted since `before`, per table (tables without any left out).
    func changes(since before: Snapshot) -> [String: RowChanges] {
        var result: [String: RowChanges] = [:]
        for name in Set(tables.keys).union(before.tables.keys) {
            let now = tables[name] ?? [:]
            let then = before.tables[name] ?? [:]
            var changes = RowChanges()
            for (rowid, hash) in now {
                if let old = then[rowid] {
                    if old != hash { changes.updated += 1 }
                } else {
                    changes.inserted += 1
                }
            }
            changes.deleted = then.keys.filter { now[$0] == nil }.count
            if changes.total > 0 { result[name] = changes }
        }
        return result
    }

    /// Rows of the mirrored collections' tables.
    func mirroredRecords() -> Int {
        MirrorCollection.allCases.reduce(0) { $0 + (tables[$1.table]?.count ?? 0) }
    }
}

struct RowChanges: Codable, Sendable {
    var inserted = 0
    var updated = 0
    var deleted = 0
    var total: Int { inserted + updated + deleted }
}
