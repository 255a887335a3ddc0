import Foundation
import Testing
import VolunteerAPI

@testable import MirrorStore

/// Local reads: filters, sorts, list order, paging and pending marks, on a real file.
@Suite("Mirror queries")
struct MirrorQueryTests {
    @Test("filters and sorts on indexed columns, pages with a total, and marks pending rows")
    func filtersSortsPages() async throws {
        let store = try MirrorStore(path: try MirrorStoreTests.temporaryDatabase())
        let records = (1...5).map { MirrorStoreTests.project($0, date: "2030-03-0\($0)") }
        try await store.write(records, list: "GET /doctor/project")
        let upcoming = try await store.query(
            MirrorQuery(.projects, filters: [.init("date", .greaterOrEqual, .text("2030-03-03"))], sort: "date", descending: true, limit: 2))
        #expect(upcoming.total == 3)
        #expect(upcoming.rows.map(\.id) == [5, 4])
        let next = try await store.query(
            MirrorQuery(.projects, filters: [.init("date", .greaterOrEqual, .text("2030-03-03"))], sort: "date", descending: true, limit: 2, offset: 2))
        #expect(next.rows.map(\.id) == [3])

        _ = try await store.enqueue { transaction in
            try transaction.add(
                NewOutboxEntry(account: "", kind: "project.cancel", arguments: [:], chains: ["project:4"], effects: [.patch(.projects, id: 4, ["status": 0])]))
        }
        let row = try #require(try await store.row(.projects, id: 4))
        #expect(row.isPending && row.raw["status"] == 0)
        #expect(try await store.row(.projects, id: 3)?.isPending == false)
    }

    @Test("a list's members come in list order; an unknown column is refused")
    func listOrder() async throws {
        let store = try MirrorStore(path: try MirrorStoreTests.temporaryDatabase())
        try await store.write([MirrorStoreTests.project(9), MirrorStoreTests.project(2), MirrorStoreTests.project(5)], list: "GET /project")
        try await store.write([MirrorStoreTests.project(7)], list: "other")
        #expect(try await store.query(MirrorQuery(.projects, list: "GET /project")).rows.map(\.id) == [9, 2, 5])
        await #expect(throws: MirrorQueryError.unknownColumn("raw")) {
            try await store.query(MirrorQuery(.projects, filters: [.init("raw", .equal, .text("x"))]))
        }
    }
}
