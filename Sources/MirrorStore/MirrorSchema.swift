import GRDB

/// The mirror database's versioned migrations. A database that has migrations this build does
/// not know was written by a newer vdsync and is refused (``MirrorStoreError/newerSchema``).
enum MirrorSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            for collection in MirrorCollection.allCases {
                // Indexed columns are loosely typed: ids are integers, times and labels text.
                let columns = collection.columns.map { "\($0.quotedDatabaseIdentifier)" }.joined(separator: ", ")
                try db.execute(
                    sql: """
                        CREATE TABLE \(collection.table.quotedDatabaseIdentifier) (
                            id INTEGER PRIMARY KEY,
                            \(columns.isEmpty ? "" : columns + ",")
                            raw TEXT NOT NULL,
                            content_hash TEXT NOT NULL,
                            written_at REAL NOT NULL
                        )
                        """)
                for column in collection.columns where column != "begin" && column != "end" {
                    try db.execute(
                        sql: "CREATE INDEX \("\(collection.table)_\(column)".quotedDatabaseIdentifier) ON \(collection.table.quotedDatabaseIdentifier)(\(column.quotedDatabaseIdentifier))")
                }
            }
            try db.execute(
                sql: """
                    CREATE TABLE list_member (
                        list TEXT NOT NULL,
                        collection TEXT NOT NULL,
                        record_id INTEGER NOT NULL,
                        position INTEGER NOT NULL,
                        PRIMARY KEY (list, collection, record_id)
                    );
                    CREATE INDEX list_member_record ON list_member(collection, record_id);
                    CREATE TABLE change_journal (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        collection TEXT NOT NULL,
                        record_id INTEGER NOT NULL,
                        operation TEXT NOT NULL,
                        at REAL NOT NULL
                    );
                    CREATE TABLE sync_state (
                        key TEXT PRIMARY KEY,
                        last_success REAL,
                        cursor TEXT
                    );
                    CREATE TABLE session (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        token TEXT NOT NULL,
                        role INTEGER NOT NULL,
                        user_id INTEGER NOT NULL,
                        saved_at REAL NOT NULL
                    );
                    """)
        }
        return migrator
    }
}
