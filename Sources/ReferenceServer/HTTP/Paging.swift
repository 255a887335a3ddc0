import GRDB
import VolunteerAPI

/// The paging of §1.3.3 for one call: `current_page` from 1 (default 1), `page_size` from 1 to
/// 100 (default 10). Pages past the end are empty, with the true totals.
struct Paging: Sendable {
    let current: Int
    let size: Int

    init(_ parameters: Parameters) throws(CallError) {
        current = try parameters.int("current_page", in: 1...1_000_000) ?? 1
        size = try parameters.int("page_size", in: 1...100) ?? 10
    }

    var offset: Int { (current - 1) * size }

    /// `LIMIT ? OFFSET ?` arguments for this page.
    var limitArguments: StatementArguments { [size, offset] }

    func page(totalCount: Int) -> Page {
        Page(current: current, totalPages: (totalCount + size - 1) / size, totalCount: totalCount, size: size)
    }

    /// Fetches one page of `select` (without ORDER BY's LIMIT) and the total count, and
    /// presents each row.
    func list<Record: Sendable>(
        _ db: Database, select: String, orderBy: String, arguments: StatementArguments = [], present: (Row) throws -> Record
    ) throws -> RecordList<Record> {
        let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (\(select))", arguments: arguments) ?? 0
        let rows = try Row.fetchAll(db, sql: "\(select) ORDER BY \(orderBy) LIMIT ? OFFSET ?", arguments: arguments + limitArguments)
        return RecordList(try rows.map(present), page: page(totalCount: total))
    }
}
