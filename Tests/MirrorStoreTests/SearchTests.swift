import Foundation
import GRDB
import Testing
import VolunteerAPI

@testable import MirrorStore

/// Offline search: records written through the store's own write paths are found by Chinese
/// substrings and phone digits, ranked and paged, and the index follows updates, pending
/// changes, deletes and wipes.
@Suite("Search")
struct SearchTests {
    static func patient(_ id: Int, _ name: String, phone: String? = nil) -> MirroredRecord {
        var raw: [String: JSONValue] = ["id": .integer(id), "real_name": .string(name)]
        if let phone { raw["phone"] = .string(phone) }
        return .decoding(.users, id: id, raw: .object(raw), context: ["role": .integer(UserRole.patient.rawValue)])
    }

    static func diagnosis(_ id: Int, patient: String, result: String? = nil) -> MirroredRecord {
        var raw: [String: JSONValue] = ["id": .integer(id), "user_info": ["id": .integer(id + 1000), "real_name": .string(patient)]]
        if let result { raw["diag_result"] = .string(result) }
        return .decoding(.diagnoses, id: id, raw: .object(raw), context: [:])
    }

    static func ids(_ store: MirrorStore, _ text: String, kinds: [String] = [], limit: Int = 50, offset: Int = 0) async throws -> [Int] {
        try await store.search(MirrorSearch(text, kinds: kinds, limit: limit, offset: offset)).hits.map(\.row.id)
    }

    @Test("three characters from the middle of a name find it; its kind and record come back as reads show them")
    func chineseSubstring() async throws {
        let store = try MirrorStore(path: try MirrorStoreTests.temporaryDatabase())
        try await store.write([Self.patient(1, "欧阳明华丽"), Self.patient(2, "张伟")], list: "patients")
        try await store.write([
            MirroredRecord(.hospitals, id: 7, columns: ["name": .text("北京朝阳康宁医院")], raw: ["id": 7, "name": "北京朝阳康宁医院", "addr": "朝阳区东三环中路 27 号"])
        ])
        let found = try await store.search(MirrorSearch("明华丽"))
        #expect(found.total == 1)
        let hit = try #require(found.hits.first)
        #expect(hit.collection == .users && hit.kind == "patients" && hit.row.id == 1 && hit.row.raw["real_name"] == "欧阳明华丽")
        #expect(try await Self.ids(store, "康宁医") == [7])
        #expect(try await Self.ids(store, "东三环") == [7])
        #expect(try await Self.ids(store, "阳明华 华丽") == [1], "terms combine with AND")
        #expect(try await Self.ids(store, "阳明华 康宁医").isEmpty)
        #expect(try await Self.ids(store, "明华丽", kinds: ["hospitals"]).isEmpty)
    }

    @Test("the last four digits of a phone the record carries find it; the rest of the number is not indexed")
    func phoneDigits() async throws {
        let store = try MirrorStore(path: try MirrorStoreTests.temporaryDatabase())
        try await store.write([Self.patient(1, "周强", phone: "13800000023"), Self.patient(2, "李娜", phone: "13912345678"), Self.patient(3, "王芳")])
        #expect(try await Self.ids(store, "0023") == [1])
        #expect(try await Self.ids(store, "5678") == [2])
        #expect(try await Self.ids(store, "1380000").isEmpty, "only the last four digits are indexed")
        #expect(try await Self.ids(store, "1391").isEmpty)
        let phones = try await store.pool.read { db in try String.fetchAll(db, sql: "SELECT phone FROM search_text ORDER BY phone") }
        #expect(phones == ["", "0023", "5678"])
    }

    @Test("a name outranks the same text in a diagnosis's result; pages follow the rank")
    func rankAndPages() async throws {
        let store = try MirrorStore(path: try MirrorStoreTests.temporaryDatabase())
        try await store.write((1...5).map { Self.diagnosis($0, patient: "患者\($0)", result: "建议复查血压偏高的情况") })
        try await store.write([Self.diagnosis(9, patient: "血压偏高")])
        let all = try await store.search(MirrorSearch("血压偏", limit: 2))
        #expect(all.total == 6)
        #expect(all.hits.first?.row.id == 9, "the name weighs most")
        var pages: [Int] = []
        for offset in stride(from: 0, to: 6, by: 2) { pages += try await Self.ids(store, "血压偏", limit: 2, offset: offset) }
        #expect(pages.count == 6 && Set(pages) == [1, 2, 3, 4, 5, 9] && pages.first == 9)
    }

    @Test("a renamed patient is found by the new name and not the old; a deleted record is found no more")
    func followsWrites() async throws {
        let store = try MirrorStore(path: try MirrorStoreTests.temporaryDatabase())
        try await store.write([Self.patient(1, "欧阳明华"), Self.patient(2, "司马相如")], list: "patients")
        try await store.write([Self.patient(1, "诸葛孔明")], list: "patients")
        #expect(try await Self.ids(store, "阳明华").isEmpty)
        #expect(try await Self.ids(store, "葛孔明") == [1])
        // A pending rename is laid over the row, and search sees what reads see.
        _ = try await store.enqueue { transaction in
            try transaction.add(
                NewOutboxEntry(account: "", kind: "profile.update", arguments: [:], chains: ["user:2"], effects: [.patch(.users, id: 2, ["real_name": "上官婉儿"])])
            )
        }
        let pending = try #require(try await store.search(MirrorSearch("官婉儿")).hits.first)
        #expect(pending.row.id == 2 && pending.row.isPending)
        #expect(try await Self.ids(store, "司马相").isEmpty)
        // The list comes back without patient 1: it is deleted, and so is its index row.
        _ = try await store.completeList("patients", of: .users, ids: [2])
        #expect(try await Self.ids(store, "葛孔明").isEmpty)
        let rows = try await store.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM search_doc WHERE record_id = 1") }
        #expect(rows == 0)
    }

    @Test("two-character queries scan names, one character is refused, and the user's text cannot break the query")
    func shortAndHostileQueries() async throws {
        let store = try MirrorStore(path: try MirrorStoreTests.temporaryDatabase())
        try await store.write([Self.patient(1, "张伟"), Self.patient(2, "张伟明"), Self.patient(3, "李张伟", phone: "13800000023"), Self.patient(4, "100%_纯\"A")])
        #expect(try await Self.ids(store, "张伟") == [1, 2, 3], "names holding it, shorter names first")
        #expect(try await Self.ids(store, "23") == [3])
        #expect(try await Self.ids(store, "张伟", limit: 1, offset: 1) == [2])
        let past = try await store.search(MirrorSearch("张伟", offset: 10))
        #expect(past.hits.isEmpty && past.total == 3, "a page past the last hit still counts them")
        #expect(try await Self.ids(store, "张伟", kinds: ["doctors"]).isEmpty)
        await #expect(throws: MirrorSearchError.tooShort(minimum: 2)) { try await store.search(MirrorSearch("张")) }
        await #expect(throws: MirrorSearchError.tooShort(minimum: 2)) { try await store.search(MirrorSearch("  ")) }
        await #expect(throws: MirrorSearchError.self) { try await store.search(MirrorSearch("张伟", kinds: ["nope"])) }
        await #expect(throws: MirrorSearchError.tooLong(maximum: MirrorSearch.maximumLength)) {
            try await store.search(MirrorSearch(String(repeating: "a", count: 101)))
        }
        for hostile in ["\"张伟", "张伟*", "AND OR NOT", "NEAR(a b)", "a\" OR \"b", "%_%", "{name}: x", "欧阳\u{0}明华"] {
            _ = try await store.search(MirrorSearch(hostile))
        }
        await #expect(throws: MirrorSearchError.tooShort(minimum: 2)) { try await store.search(MirrorSearch("\u{0}\u{0}\u{0}")) }
        #expect(try await Self.ids(store, "%_纯") == [4], "LIKE's wildcards are the user's text")
        #expect(try await Self.ids(store, "纯\"A") == [4], "a quote is the user's text")
        #expect(try await Self.ids(store, "%_") == [4])
        #expect(try await Self.ids(store, "_伟").isEmpty, "an underscore is not a wildcard")
    }

    @Test("a wipe empties the index and leaves no segment of it behind")
    func wipe() async throws {
        let store = try MirrorStore(path: try MirrorStoreTests.temporaryDatabase())
        try await store.write((1...50).map { Self.patient($0, "欧阳明华\($0)") })
        try await store.wipe(account: "")
        #expect(try await Self.ids(store, "阳明华").isEmpty)
        let left = try await store.pool.read { db in
            try Int.fetchOne(
                db,
                sql:
                    "SELECT (SELECT COUNT(*) FROM search_doc) + (SELECT COUNT(*) FROM search_text_content) + (SELECT COUNT(*) FROM search_text_data WHERE id > 10)"
            )
        }
        #expect(left == 0)
    }

    @Test("records stored before the index existed are indexed when the store opens")
    func backfill() async throws {
        let path = try MirrorStoreTests.temporaryDatabase()
        do {
            let store = try MirrorStore(path: path)
            try await store.write([Self.patient(1, "欧阳明华")])
            // As a database of the build before search: no triggers, no index rows, no definition.
            try await store.pool.write { db in
                for name in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'search%'") {
                    try db.execute(sql: "DROP TRIGGER \(name.quotedDatabaseIdentifier)")
                }
                try db.execute(sql: "DELETE FROM search_text; DELETE FROM search_doc; DELETE FROM search_state")
            }
            try await store.write([Self.patient(2, "司马相如")])
            try store.close()
        }
        let reopened = try MirrorStore(path: path)
        #expect(try await Self.ids(reopened, "阳明华") == [1])
        #expect(try await Self.ids(reopened, "马相如") == [2])
        try await reopened.write([Self.patient(3, "上官婉儿")])
        #expect(try await Self.ids(reopened, "官婉儿") == [3])
    }
}
