import GRDB

/// The mirror database's versioned migrations. A database that has migrations this build does
/// not know was written by a newer vdsync and is refused (``MirrorStoreError/newerSchema``).
enum MirrorSchema {
    /// The newest migration's name: the schema this build writes.
    static let version: String = migrator.migrations.last ?? "none"

    /// Every migration in order; a migration, once released, never changes.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1", migrate: migrateV1)
        migrator.registerMigration("v2-outbox", migrate: migrateV2Outbox)
        migrator.registerMigration("v3-outbox-chain-holds", migrate: migrateV3OutboxChainHolds)
        migrator.registerMigration("v4-outbox-settle", migrate: migrateV4OutboxSettle)
        migrator.registerMigration("v5-accounts", migrate: migrateV5Accounts)
        migrator.registerMigration("v6-reads", migrate: migrateV6Reads)
        migrator.registerMigration("v7-search", migrate: migrateV7Search)
        migrator.registerMigration("v8-images", migrate: migrateV8Images)
        return migrator
    }

    /// The collections of v1 and their indexed columns, as they were then: a migration, once
    /// released, never changes, whatever ``MirrorCollection`` holds today.
    private static let v1Tables: KeyValuePairs<String, [String]> = [
        "project": ["date", "begin", "end", "doctor_id", "hospital_id", "status", "progress_status", "project_status", "is_join"],
        "diagnosis": ["project_id", "patient_id", "doctor_id", "assistant_id", "verify_status", "status", "visit_time", "refund_status"],
        "system_message": ["type", "publish_time"],
        "chat_dialog": ["patient_user_id", "doctor_user_id", "last_msg_id"],
        "chat_message": ["dialog_id", "from_user_id", "to_user_id", "is_read"],
        "user": ["role", "real_name"],
        "hospital": ["name"],
        "organisation": ["name"],
        "org_membership": ["org_id", "verify_status"],
        "news": ["publish_time"],
        "banner": [],
        "special_project": ["date"],
        "city": ["parent_id", "name", "sort"],
    ]

    /// A collection's table: the record's id, its indexed columns (loosely typed: ids are
    /// integers, times and labels text), its raw JSON, content hash and write time; an index on
    /// each column but the times of day.
    private static func createCollectionTable(_ db: Database, _ table: String, columns: [String]) throws {
        let quoted = columns.map { "\($0.quotedDatabaseIdentifier)" }.joined(separator: ", ")
        try db.execute(
            sql: """
                CREATE TABLE \(table.quotedDatabaseIdentifier) (
                    id INTEGER PRIMARY KEY,
                    \(quoted.isEmpty ? "" : quoted + ",")
                    raw TEXT NOT NULL,
                    content_hash TEXT NOT NULL,
                    written_at REAL NOT NULL
                )
                """)
        for column in columns where column != "begin" && column != "end" {
            try createIndex(db, table, column)
        }
    }

    private static func createIndex(_ db: Database, _ table: String, _ column: String) throws {
        try db.execute(
            sql: "CREATE INDEX \("\(table)_\(column)".quotedDatabaseIdentifier) ON \(table.quotedDatabaseIdentifier)(\(column.quotedDatabaseIdentifier))")
    }

    /// The mirror: one table per collection with its indexed columns, list membership, the
    /// change journal, the sync state of each pull step, and the session.
    private static func migrateV1(_ db: Database) throws {
        for (table, columns) in v1Tables {
            try createCollectionTable(db, table, columns: columns)
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

    /// The outbox: entries, their chains and photo blobs; the optimistic overlay and the
    /// shadows it hides; temporary-id mappings; the server records entries have claimed.
    private static func migrateV2Outbox(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE outbox (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    kind TEXT NOT NULL,
                    arguments TEXT NOT NULL,
                    state TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    checks INTEGER NOT NULL DEFAULT 0,
                    committed INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at REAL NOT NULL,
                    baseline TEXT,
                    result TEXT,
                    last_error TEXT,
                    error_code INTEGER,
                    error_message TEXT,
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL
                );
                CREATE INDEX outbox_state ON outbox(state, next_attempt_at);
                CREATE TABLE outbox_chain (
                    entry_id INTEGER NOT NULL REFERENCES outbox(id),
                    chain TEXT NOT NULL,
                    PRIMARY KEY (chain, entry_id)
                );
                CREATE INDEX outbox_chain_entry ON outbox_chain(entry_id);
                CREATE TABLE outbox_blob (
                    entry_id INTEGER PRIMARY KEY REFERENCES outbox(id),
                    data BLOB,
                    content_type TEXT NOT NULL,
                    filename TEXT NOT NULL
                );
                CREATE TABLE overlay (
                    entry_id INTEGER NOT NULL REFERENCES outbox(id),
                    position INTEGER NOT NULL,
                    collection TEXT NOT NULL,
                    record_id INTEGER NOT NULL,
                    list TEXT,
                    op TEXT NOT NULL,
                    change TEXT NOT NULL,
                    PRIMARY KEY (entry_id, position)
                );
                CREATE INDEX overlay_record ON overlay(collection, record_id);
                CREATE TABLE shadow (
                    collection TEXT NOT NULL,
                    record_id INTEGER NOT NULL,
                    raw TEXT,
                    context TEXT NOT NULL,
                    PRIMARY KEY (collection, record_id)
                );
                CREATE TABLE temp_id (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    collection TEXT NOT NULL,
                    real_id INTEGER
                );
                CREATE TABLE claim (
                    collection TEXT NOT NULL,
                    record_id INTEGER NOT NULL,
                    entry_id INTEGER NOT NULL REFERENCES outbox(id),
                    PRIMARY KEY (collection, record_id)
                );
                """)
    }

    /// Chain holds. Finding the entries first in their chains walked every applied predecessor, so a
    /// drain slowed as the queue and the history grew. `holds` marks the chain rows of
    /// entries not yet applied or discarded (kept by triggers on every state change), so
    /// "an earlier entry of the chain still holds it" is one probe of a partial index, and
    /// the pending entries are scanned in id order through their own partial index.
    private static func migrateV3OutboxChainHolds(_ db: Database) throws {
        try db.execute(
            sql: """
                ALTER TABLE outbox_chain ADD COLUMN holds INTEGER NOT NULL DEFAULT 1;
                UPDATE outbox_chain SET holds = 0 WHERE entry_id IN (SELECT id FROM outbox WHERE state IN ('applied', 'discarded'));
                CREATE INDEX outbox_chain_holding ON outbox_chain(chain, entry_id) WHERE holds = 1;
                CREATE INDEX outbox_pending ON outbox(id) WHERE state IN ('queued', 'unknown');
                CREATE TRIGGER outbox_chain_release AFTER UPDATE OF state ON outbox
                WHEN NEW.state IN ('applied', 'discarded') AND OLD.state NOT IN ('applied', 'discarded')
                BEGIN
                    UPDATE outbox_chain SET holds = 0 WHERE entry_id = NEW.id;
                END;
                CREATE TRIGGER outbox_chain_rehold AFTER UPDATE OF state ON outbox
                WHEN NEW.state NOT IN ('applied', 'discarded') AND OLD.state IN ('applied', 'discarded')
                BEGIN
                    UPDATE outbox_chain SET holds = 1 WHERE entry_id = NEW.id;
                END;
                """)
    }

    /// The settle time. A send that got no answer may still take effect upstream (a slow handler, a proxy's
    /// queue), so an empty read-back allows a resend only once the last send has had its
    /// settle time (docs/outbox.md). `sent_at` is when the last request left;
    /// `send_answered` is set when the server's own answer shows it was done with that
    /// request (a 500, say), so nothing of it can land later; `settles_at` is when an entry
    /// that a read-back did not find may be sent again. Entries sent before this migration
    /// take their last change as their send: later than the send, so never a settle cut
    /// short.
    private static func migrateV4OutboxSettle(_ db: Database) throws {
        try db.execute(
            sql: """
                ALTER TABLE outbox ADD COLUMN sent_at REAL;
                ALTER TABLE outbox ADD COLUMN send_answered INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE outbox ADD COLUMN settles_at REAL;
                UPDATE outbox SET sent_at = updated_at WHERE attempts > 0;
                """)
    }

    /// Accounts taking turns at one kiosk (docs/outbox.md, "Accounts taking turns"). `account`
    /// names the account an entry was accepted for (`<role>:<user id>`): only that account's
    /// session sends it, lists it or retries it. Entries accepted before take the mirror's owner.
    /// `session.origin` says whether the stored session is the configured account's
    /// (`configured`) or a login over the socket (`socket`); a session saved before is unknown.
    private static func migrateV5Accounts(_ db: Database) throws {
        try db.execute(
            sql: """
                ALTER TABLE outbox ADD COLUMN account TEXT NOT NULL DEFAULT '';
                UPDATE outbox SET account = COALESCE((SELECT cursor FROM sync_state WHERE key = 'owner'), '');
                CREATE INDEX outbox_account_state ON outbox(account, state);
                ALTER TABLE session ADD COLUMN origin TEXT;
                """)
    }

    /// Everything a role can read (docs/local-api.md, "Every documented read"): a patient's
    /// visits, reviews, casebooks and composite pages get tables; people get the doctor's
    /// hospital, departments, job title and score, to filter and sort the doctor directory on,
    /// filled from the stored JSON so that records mirrored before need no new pull.
    private static func migrateV6Reads(_ db: Database) throws {
        try createCollectionTable(db, "visit", columns: ["patient_id", "doctor_id", "project_id", "status", "visit_time"])
        try createCollectionTable(db, "review", columns: ["doctor_id", "doctor_score", "patient_comment_time"])
        try createCollectionTable(db, "casebook", columns: ["project_id", "user_id"])
        try createCollectionTable(db, "page", columns: [])
        for column in ["hospital", "departments", "job_position", "score"] {
            try db.execute(sql: "ALTER TABLE user ADD COLUMN \(column.quotedDatabaseIdentifier)")
            try createIndex(db, "user", column)
        }
        try db.execute(
            sql: """
                UPDATE user SET hospital = json_extract(raw, '$.hospital'), departments = json_extract(raw, '$.departments'),
                    job_position = json_extract(raw, '$.job_position'), score = CAST(json_extract(raw, '$.score') AS TEXT)
                WHERE json_valid(raw) AND json_type(raw, '$.departments') IS NOT NULL
                """)
    }

    /// Offline search (docs/local-api.md, `search`): the FTS5 index of names and text and the
    /// record each of its rows is. Its triggers are not part of the migration: they follow
    /// ``SearchIndex/sources`` and are installed, with the index filled, when the store opens.
    private static func migrateV7Search(_ db: Database) throws {
        try SearchIndex.createTables(db)
    }

    /// Pictures offline (docs/configuration.md, "Pictures offline"). The index of the image
    /// cache lives here, beside the records that name the pictures, rather than in a database
    /// of its own: it is the account's data like the mirror, so a logout's wipe and an account
    /// change empty it in the same transaction as the records (and with `secure_delete`), a
    /// damaged database takes it along into quarantine, and there is one file to back up, check
    /// and bound. The pictures themselves are files in the state directory (`images/`), named
    /// by random names: `file` is that name, never a path.
    ///
    /// `state`: `waiting` (wanted, not downloaded; `attempts` and `next_attempt_at` say when
    /// to try again), `cached` (the file holds it), `evicted` (pushed out by the size cap:
    /// fetched again only when a front end asks for it, so two plans larger than the cap never
    /// evict each other in turn). `priority` is the planner's (``ImagePlan``) or a front end's;
    /// `requested` marks an image a front end asked for, kept wanted whatever the plan says.
    private static func migrateV8Images(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE image_cache (
                    url TEXT PRIMARY KEY,
                    state TEXT NOT NULL,
                    priority INTEGER NOT NULL,
                    requested INTEGER NOT NULL DEFAULT 0,
                    file TEXT UNIQUE,
                    bytes INTEGER NOT NULL DEFAULT 0,
                    content_type TEXT,
                    last_used REAL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at REAL NOT NULL DEFAULT 0,
                    last_error TEXT
                );
                CREATE INDEX image_cache_due ON image_cache(state, priority DESC, next_attempt_at);
                CREATE INDEX image_cache_lru ON image_cache(last_used) WHERE state = 'cached';
                """)
    }
}
