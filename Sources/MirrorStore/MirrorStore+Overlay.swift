import Foundation
import GRDB
import VolunteerAPI

// The optimistic overlay. A record that pending mutations change keeps its server truth in
// `shadow`; its visible row in the collection's table is always the shadow with the pending
// changes (`overlay`) laid over it, in the order the mutations were accepted. Reads therefore
// stay plain SQL on the collection tables, pulls write beneath the overlay, and resolving a
// mutation only recomputes the records it touched.
extension MirrorStore {
    /// Whether pending mutations change this record (reads mark it `pending`).
    static func hasOverlay(_ db: Database, _ collection: MirrorCollection, _ id: Int) throws -> Bool {
        try Bool.fetchOne(
            db, sql: "SELECT EXISTS (SELECT 1 FROM overlay WHERE collection = ? AND record_id = ? AND list IS NULL)",
            arguments: [collection.rawValue, id]) ?? false
    }

    /// Lays `effects` of entry `entryID` over the mirror.
    static func addOverlay(_ db: Database, entryID: Int, effects: [RecordEffect], now: Date) throws -> [JournalEntry] {
        var entries: [JournalEntry] = []
        for (position, effect) in effects.enumerated() {
            let collection = effect.collection
            let id = effect.recordID
            if let list = effect.list {
                let held = try Int.fetchOne(
                    db, sql: "SELECT position FROM list_member WHERE list = ? AND collection = ? AND record_id = ?",
                    arguments: [list, collection.rawValue, id])
                var stored = effect.stored
                if case .object(var members) = stored, let held {
                    members["position"] = .integer(held)
                    stored = .object(members)
                }
                try insertOverlay(db, entryID, position, effect, stored: stored)
                if case .addToList = effect, held == nil {
                    try db.execute(
                        sql: "INSERT INTO list_member (list, collection, record_id, position) VALUES (?, ?, ?, -1)",
                        arguments: [list, collection.rawValue, id])
                } else if case .removeFromList = effect, held != nil {
                    try db.execute(
                        sql: "DELETE FROM list_member WHERE list = ? AND collection = ? AND record_id = ?", arguments: [list, collection.rawValue, id])
                }
                continue
            }
            try ensureShadow(db, collection, id)
            try insertOverlay(db, entryID, position, effect, stored: effect.stored)
            if let entry = try recompute(db, collection, id, now: now) { entries.append(entry) }
        }
        return entries
    }

    private static func insertOverlay(_ db: Database, _ entryID: Int, _ position: Int, _ effect: RecordEffect, stored: JSONValue) throws {
        try db.execute(
            sql: "INSERT INTO overlay (entry_id, position, collection, record_id, list, op, change) VALUES (?, ?, ?, ?, ?, ?, ?)",
            arguments: [
                entryID, position, effect.collection.rawValue, effect.recordID, effect.list,
                stored["op"].flatMap { if case .string(let op) = $0 { op } else { nil } },
                ContentHash.canonicalText(stored),
            ])
    }

    /// Removes the overlay of entry `entryID`. Applied (`keep`), its record changes become server
    /// truth until a pull or refresh says otherwise; rolled back, they vanish. Records created
    /// offline vanish either way: the server's own record (real id) replaces them.
    static func removeOverlay(_ db: Database, entryID: Int, keep: Bool, now: Date) throws -> [JournalEntry] {
        let rows = try Row.fetchAll(db, sql: "SELECT * FROM overlay WHERE entry_id = ? ORDER BY position", arguments: [entryID])
        try db.execute(sql: "DELETE FROM overlay WHERE entry_id = ?", arguments: [entryID])
        var entries: [JournalEntry] = []
        var touched: [(MirrorCollection, Int)] = []
        for row in rows {
            guard let collection = MirrorCollection(rawValue: row["collection"]) else { continue }
            let id: Int = row["record_id"]
            let list: String? = row["list"]
            let stored = try decodeJSON(row["change"])
            guard let effect = RecordEffect(stored: stored, collection: collection, id: id, list: list) else { continue }
            switch effect {
            case .addToList(let list, _, _) where !keep:
                try db.execute(
                    sql: "DELETE FROM list_member WHERE list = ? AND collection = ? AND record_id = ? AND position = -1",
                    arguments: [list, collection.rawValue, id])
            case .removeFromList(let list, _, _) where !keep:
                if case .integer(let position)? = stored["position"] {
                    try db.execute(
                        sql: "INSERT OR IGNORE INTO list_member (list, collection, record_id, position) VALUES (?, ?, ?, ?)",
                        arguments: [list, collection.rawValue, id, position])
                }
            case .patch(_, _, let patch) where keep:
                if let shadow = try shadowRecord(db, collection, id), let raw = shadow.raw {
                    try writeShadow(db, collection, id, raw: MergePatch.apply(patch, to: raw), context: shadow.context)
                }
            case .delete where keep:
                if let shadow = try shadowRecord(db, collection, id) {
                    try writeShadow(db, collection, id, raw: nil, context: shadow.context)
                }
            default:
                break
            }
            if list == nil { touched.append((collection, id)) }
        }
        for (collection, id) in touched {
            if let entry = try recompute(db, collection, id, now: now) { entries.append(entry) }
        }
        return entries
    }

    /// Moves the pending changes of other entries, and the record's places in lists, from a
    /// record created offline to the record the server created, once its real id is known.
    static func moveOverlays(_ db: Database, from mapping: TempIDMapping, now: Date) throws -> [JournalEntry] {
        let collection = mapping.collection.rawValue
        // The lists that showed the record created offline show the server's record in its place
        // until their next pull, rather than nothing (the temporary record is gone).
        try db.execute(
            sql: "UPDATE OR IGNORE list_member SET record_id = ? WHERE collection = ? AND record_id = ?",
            arguments: [mapping.realID, collection, mapping.tempID])
        try db.execute(sql: "DELETE FROM list_member WHERE collection = ? AND record_id = ?", arguments: [collection, mapping.tempID])
        let moved =
            try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM overlay WHERE collection = ? AND record_id = ? AND list IS NULL", arguments: [collection, mapping.tempID]) ?? 0
        try db.execute(
            sql: "UPDATE overlay SET record_id = ? WHERE collection = ? AND record_id = ? AND list IS NOT NULL",
            arguments: [mapping.realID, collection, mapping.tempID])
        guard moved > 0 else { return [] }
        try ensureShadow(db, mapping.collection, mapping.realID)
        // Only patches and deletions follow; the creation itself belonged to the applied entry.
        try db.execute(
            sql: "UPDATE overlay SET record_id = ? WHERE collection = ? AND record_id = ? AND list IS NULL AND op != 'create'",
            arguments: [mapping.realID, collection, mapping.tempID])
        var entries: [JournalEntry] = []
        for id in [mapping.tempID, mapping.realID] {
            if let entry = try recompute(db, mapping.collection, id, now: now) { entries.append(entry) }
        }
        return entries
    }

    // MARK: - Shadows

    struct Shadow {
        var raw: JSONValue?
        var context: [String: MirrorValue]
    }

    static func shadowRecord(_ db: Database, _ collection: MirrorCollection, _ id: Int) throws -> Shadow? {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT raw, context FROM shadow WHERE collection = ? AND record_id = ?", arguments: [collection.rawValue, id])
        else { return nil }
        let raw: String? = row["raw"]
        return Shadow(raw: try raw.map(decodeJSON), context: try contextValues(row["context"]))
    }

    static func writeShadow(_ db: Database, _ collection: MirrorCollection, _ id: Int, raw: JSONValue?, context: [String: MirrorValue]) throws {
        try db.execute(
            sql: """
                INSERT INTO shadow (collection, record_id, raw, context) VALUES (?, ?, ?, ?)
                ON CONFLICT DO UPDATE SET raw = excluded.raw, context = excluded.context
                """,
            arguments: [collection.rawValue, id, raw.map(ContentHash.canonicalText), ContentHash.canonicalText(.object(context.mapValues(\.json)))])
    }

    /// Keeps the record's current (server) state as its shadow before the first pending change.
    private static func ensureShadow(_ db: Database, _ collection: MirrorCollection, _ id: Int) throws {
        guard try shadowRecord(db, collection, id) == nil else { return }
        let visible = try visibleRecord(db, collection, id)
        try writeShadow(db, collection, id, raw: visible?.raw, context: visible?.context ?? [:])
    }

    /// The record as its table holds it now.
    static func visibleRecord(_ db: Database, _ collection: MirrorCollection, _ id: Int) throws -> MirroredRecord? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM \(collection.table.quotedDatabaseIdentifier) WHERE id = ?", arguments: [id])
        else { return nil }
        var columns: [String: MirrorValue] = [:]
        for name in collection.columns {
            switch row[name] as DatabaseValue? {
            case let value? where !value.isNull:
                if let number = Int.fromDatabaseValue(value) {
                    columns[name] = .integer(number)
                } else if let text = String.fromDatabaseValue(value) {
                    columns[name] = .text(text)
                }
            default: columns[name] = .null
            }
        }
        return MirroredRecord(collection, id: id, columns: columns, raw: try decodeJSON(row["raw"]))
    }

    /// Recomputes the visible row: the shadow with the remaining overlay laid over it; drops
    /// the shadow when nothing is pending any more. Returns the journal entry if it changed.
    static func recompute(_ db: Database, _ collection: MirrorCollection, _ id: Int, now: Date) throws -> JournalEntry? {
        let rows = try Row.fetchAll(
            db, sql: "SELECT change FROM overlay WHERE collection = ? AND record_id = ? AND list IS NULL ORDER BY entry_id, position",
            arguments: [collection.rawValue, id])
        let shadow = try shadowRecord(db, collection, id)
        var raw = shadow?.raw
        var context = shadow?.context ?? [:]
        for row in rows {
            let stored = try decodeJSON(row["change"])
            switch RecordEffect(stored: stored, collection: collection, id: id, list: nil) {
            case .create(_, _, let created, let createdContext)?:
                raw = created
                context = createdContext
            case .patch(_, _, let patch)?:
                if let current = raw { raw = MergePatch.apply(patch, to: current) }
            case .delete?:
                raw = nil
            default:
                break
            }
        }
        if rows.isEmpty {
            try db.execute(sql: "DELETE FROM shadow WHERE collection = ? AND record_id = ?", arguments: [collection.rawValue, id])
        }
        let table = collection.table.quotedDatabaseIdentifier
        guard let raw else {
            try db.execute(sql: "DELETE FROM \(table) WHERE id = ?", arguments: [id])
            return db.changesCount > 0 ? try appendJournal(db, collection, id, .delete, now: now) : nil
        }
        let record = MirroredRecord.decoding(collection, id: id, raw: raw, context: context)
        let current = try visibleRecord(db, collection, id)
        guard current?.contentHash != record.contentHash || current?.columns != record.columns else { return nil }
        try upsert(db, record, keepingContext: false, now: now)
        return try appendJournal(db, collection, id, current == nil ? .insert : .update, now: now)
    }

    static func decodeJSON(_ text: String) throws -> JSONValue {
        try JSONValue.parse(text)
    }

    private static func contextValues(_ text: String) throws -> [String: MirrorValue] {
        guard case .object(let members) = try decodeJSON(text) else { return [:] }
        return members.mapValues { MirrorValue(json: $0) }
    }
}
