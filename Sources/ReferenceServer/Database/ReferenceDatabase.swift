import Foundation
import GRDB
import VolunteerAPI

/// The reference server's own state: one SQLite database (a file in WAL mode, or in memory
/// for tests), created and migrated on open.
///
/// Every request that changes state runs in one write transaction, so a failed request never
/// leaves half a change behind. Tests read it directly to count effects (`read`).
public final class ReferenceDatabase: Sendable {
    /// Where the state lives.
    public enum Location: Sendable, Hashable {
        /// A private in-memory database, gone when the server stops.
        case memory
        /// A database file; created if missing.
        case file(String)
    }

    let writer: any DatabaseWriter

    public init(_ location: Location) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(5)
        switch location {
        case .memory:
            writer = try DatabaseQueue(configuration: configuration)
        case .file(let path):
            writer = try DatabasePool(path: path, configuration: configuration)
        }
        try Self.migrator.migrate(writer)
    }

    /// Reads the state in one consistent snapshot, for tests and inspection.
    public func read<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws -> T {
        try await writer.read(body)
    }

    /// Changes the state in one transaction.
    public func write<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws -> T {
        try await writer.write(body)
    }

    /// Counts the rows of `table` that match `condition` (SQL, with `?` placeholders), for tests
    /// that count effects: `count("chat_message", where: "content = ?", ["hello"])`.
    public func count(_ table: String, where condition: String = "1", _ arguments: [any DatabaseValueConvertible & Sendable] = []) async throws -> Int {
        let sql = "SELECT COUNT(*) FROM \(table.quotedDatabaseIdentifier) WHERE \(condition)"
        let values = StatementArguments(arguments.map { $0 as (any DatabaseValueConvertible)? })
        return try await writer.read { db in try Int.fetchOne(db, sql: sql, arguments: values) ?? 0 }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: Self.schemaV1)
        }
        return migrator
    }

    /// Column names follow the document's field names, so rows read like the API's records.
    private static let schemaV1 = """
        CREATE TABLE hospital (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL, logo TEXT, banner TEXT NOT NULL DEFAULT '[]', level TEXT, tag TEXT,
            province_id INTEGER, city_id INTEGER, county_id INTEGER, addr TEXT
        );
        CREATE TABLE org (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL, logo TEXT, abstract TEXT
        );
        CREATE TABLE city (
            id INTEGER PRIMARY KEY,
            parent_id INTEGER NOT NULL DEFAULT 0, name TEXT NOT NULL, short_name TEXT, pinyin TEXT,
            sort INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX city_parent ON city(parent_id, sort);
        CREATE TABLE user (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            type INTEGER NOT NULL CHECK (type IN (\(UserRole.allCases.map { String($0.rawValue) }.joined(separator: ", ")))),
            phone TEXT NOT NULL,
            password_hash TEXT NOT NULL DEFAULT '',
            real_name TEXT, avatars TEXT, idno TEXT, sex INTEGER, birthday TEXT, email TEXT,
            height TEXT, weight TEXT, province_id INTEGER, city_id INTEGER, county_id INTEGER, addr TEXT,
            marital_status INTEGER, drink_status INTEGER, smoking_status INTEGER,
            is_verify INTEGER NOT NULL DEFAULT 1,
            hospital_id INTEGER REFERENCES hospital(id),
            departments TEXT, job_position TEXT, good_at TEXT, work_photo TEXT NOT NULL DEFAULT '[]',
            abstract TEXT, work_time TEXT,
            team_name TEXT,
            created_at TEXT NOT NULL,
            UNIQUE (phone, type)
        );
        CREATE TABLE session (
            token TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES user(id),
            created_at REAL NOT NULL,
            expires_at REAL NOT NULL,
            revoked INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE verify_code (
            phone TEXT PRIMARY KEY,
            code TEXT NOT NULL,
            expires_at REAL NOT NULL
        );
        CREATE TABLE captcha (
            id TEXT PRIMARY KEY,
            code TEXT NOT NULL,
            expires_at REAL NOT NULL
        );
        CREATE TABLE org_member (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            org_id INTEGER NOT NULL REFERENCES org(id),
            doctor_id INTEGER NOT NULL REFERENCES user(id),
            verify_status INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX org_member_unique ON org_member(org_id, doctor_id);
        CREATE TABLE project (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            doctor_id INTEGER NOT NULL REFERENCES user(id),
            hospital_id INTEGER REFERENCES hospital(id),
            org_id INTEGER REFERENCES org(id),
            date TEXT NOT NULL, begin TEXT NOT NULL, "end" TEXT NOT NULL,
            people_count INTEGER NOT NULL,
            lng TEXT NOT NULL, lat TEXT NOT NULL, addr TEXT NOT NULL,
            service_target TEXT NOT NULL DEFAULT '[]',
            abstract TEXT NOT NULL, price INTEGER NOT NULL DEFAULT 0,
            status INTEGER NOT NULL DEFAULT 1,
            slot_capacity TEXT NOT NULL DEFAULT '{}',
            created_at TEXT NOT NULL
        );
        CREATE INDEX project_doctor ON project(doctor_id, date);
        CREATE INDEX project_date ON project(date, begin);
        CREATE TABLE casebook (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id INTEGER NOT NULL REFERENCES user(id),
            project_id INTEGER NOT NULL REFERENCES project(id),
            content TEXT NOT NULL, photo TEXT NOT NULL DEFAULT '[]',
            created_at TEXT NOT NULL, updated_at TEXT NOT NULL
        );
        CREATE TABLE diagnosis (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            project_id INTEGER NOT NULL REFERENCES project(id),
            user_id INTEGER NOT NULL REFERENCES user(id),
            doctor_user_id INTEGER NOT NULL REFERENCES user(id),
            hospital_id INTEGER,
            assistant_user_id INTEGER NOT NULL DEFAULT 0,
            casebook_id INTEGER REFERENCES casebook(id),
            verify_status INTEGER NOT NULL DEFAULT 1,
            reject_msg TEXT NOT NULL DEFAULT '',
            visit_time TEXT,
            status INTEGER NOT NULL DEFAULT 1,
            amount TEXT NOT NULL DEFAULT '0.00',
            refund_status INTEGER, refund_time TEXT, refund_sn TEXT,
            confirm_no_refund INTEGER NOT NULL DEFAULT 0,
            sn TEXT UNIQUE,
            diag_result TEXT, diag_photo TEXT,
            patient_credit_score INTEGER NOT NULL DEFAULT 0,
            patient_punctuality_score INTEGER NOT NULL DEFAULT 0,
            patient_comment_show INTEGER NOT NULL DEFAULT 1,
            doctor_comment_time TEXT,
            doctor_score INTEGER NOT NULL DEFAULT 0,
            doctor_comment TEXT,
            doctor_comment_show INTEGER NOT NULL DEFAULT 1,
            patient_comment_time TEXT,
            plan_time TEXT,
            created_at TEXT NOT NULL, updated_at TEXT NOT NULL
        );
        CREATE INDEX diagnosis_project ON diagnosis(project_id, verify_status);
        CREATE INDEX diagnosis_user ON diagnosis(user_id, id);
        CREATE INDEX diagnosis_doctor ON diagnosis(doctor_user_id, status);
        CREATE TABLE follow (
            user_id INTEGER NOT NULL REFERENCES user(id),
            doctor_id INTEGER NOT NULL REFERENCES user(id),
            created_at TEXT NOT NULL,
            PRIMARY KEY (user_id, doctor_id)
        );
        CREATE TABLE assistant_patient (
            assistant_id INTEGER NOT NULL REFERENCES user(id),
            patient_id INTEGER NOT NULL REFERENCES user(id),
            created_at TEXT NOT NULL,
            PRIMARY KEY (assistant_id, patient_id)
        );
        CREATE TABLE chat_dialog (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            patient_user_id INTEGER NOT NULL REFERENCES user(id),
            doctor_user_id INTEGER NOT NULL REFERENCES user(id),
            last_msg_id INTEGER,
            UNIQUE (patient_user_id, doctor_user_id)
        );
        CREATE TABLE chat_message (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            dialog_id INTEGER NOT NULL REFERENCES chat_dialog(id),
            type INTEGER NOT NULL,
            from_user_id INTEGER NOT NULL REFERENCES user(id),
            to_user_id INTEGER NOT NULL REFERENCES user(id),
            content TEXT NOT NULL,
            photo TEXT NOT NULL DEFAULT '[]',
            is_read INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL
        );
        CREATE INDEX chat_message_dialog ON chat_message(dialog_id, id);
        CREATE TABLE message (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            type INTEGER NOT NULL,
            to_user_id INTEGER REFERENCES user(id),
            title TEXT NOT NULL, content TEXT NOT NULL,
            publish_time TEXT NOT NULL,
            username TEXT, avatars TEXT
        );
        CREATE INDEX message_user ON message(to_user_id, publish_time);
        CREATE TABLE news (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            type INTEGER NOT NULL,
            title TEXT NOT NULL, photo TEXT, content TEXT NOT NULL,
            publish_time TEXT NOT NULL
        );
        CREATE TABLE banner (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            audience INTEGER NOT NULL,
            hospital_id INTEGER, org_id INTEGER,
            title TEXT NOT NULL, photo TEXT, jump_mode INTEGER NOT NULL DEFAULT 0,
            jump_id INTEGER NOT NULL DEFAULT 0, href TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE special_project (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            hospital_id INTEGER REFERENCES hospital(id),
            org_id INTEGER REFERENCES org(id),
            date TEXT NOT NULL, begin TEXT NOT NULL, "end" TEXT NOT NULL,
            people_count INTEGER NOT NULL DEFAULT 0,
            lng TEXT NOT NULL DEFAULT '0', lat TEXT NOT NULL DEFAULT '0', addr TEXT NOT NULL DEFAULT '',
            abstract TEXT NOT NULL DEFAULT '', photo TEXT, price INTEGER NOT NULL DEFAULT 0,
            service_target TEXT NOT NULL DEFAULT '[]'
        );
        CREATE TABLE special_project_item (
            special_project_id INTEGER NOT NULL REFERENCES special_project(id),
            project_id INTEGER NOT NULL REFERENCES project(id),
            PRIMARY KEY (special_project_id, project_id)
        );
        CREATE TABLE upload (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE,
            content_type TEXT NOT NULL,
            bytes BLOB NOT NULL,
            created_at TEXT NOT NULL
        );
        """
}
