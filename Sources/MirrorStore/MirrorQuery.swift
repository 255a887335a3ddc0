import Foundation
import GRDB
import VolunteerAPI

/// A local read of one collection: filters and a sort on indexed columns, optionally only the
/// members of one list, paged. What front ends ask of the mirror; never the network.
public struct MirrorQuery: Sendable, Hashable {
    /// One condition on an indexed column (or `id`).
    public struct Filter: Sendable, Hashable {
        public enum Comparison: String, Sendable, Hashable {
            case equal = "="
            case notEqual = "!="
            case less = "<"
            case lessOrEqual = "<="
            case greater = ">"
            case greaterOrEqual = ">="
        }

        public let column: String
        public let comparison: Comparison
        public let value: MirrorValue

        public init(_ column: String, _ comparison: Comparison = .equal, _ value: MirrorValue) {
            self.column = column
            self.comparison = comparison
            self.value = value
        }
    }

    public var collection: MirrorCollection
    public var filters: [Filter]
    /// Only records this list holds (a pull step's ``listKey``), in list order unless sorted.
    public var list: String?
    /// An indexed column or `id`; nil: list order, else id.
    public var sort: String?
    public var descending: Bool
    public var limit: Int
    public var offset: Int

    public init(
        _ collection: MirrorCollection, filters: [Filter] = [], list: String? = nil, sort: String? = nil, descending: Bool = false,
        limit: Int = 50, offset: Int = 0
    ) {
        self.collection = collection
        self.filters = filters
        self.list = list
        self.sort = sort
        self.descending = descending
        self.limit = limit
        self.offset = offset
    }

    /// The columns a query may filter and sort on.
    public var queryableColumns: [String] { ["id"] + collection.columns }
}

/// One record as a local read shows it: the server's JSON with pending changes laid over it,
/// and which outbox entries are pending on it.
public struct MirrorRow: Sendable, Hashable {
    public let id: Int
    /// The record's JSON text as stored: canonical (keys sorted, slashes unescaped), so a reply
    /// can carry it verbatim instead of parsing and encoding it again.
    public let json: String
    /// Outbox entries whose optimistic effect this row shows; empty when it is server truth.
    public let pendingEntries: [Int]

    public var isPending: Bool { !pendingEntries.isEmpty }

    public init(id: Int, json: String, pendingEntries: [Int]) {
        self.id = id
        self.json = json
        self.pendingEntries = pendingEntries
    }

    /// The record's JSON, parsed.
    public var raw: JSONValue { (try? JSONValue.parse(json)) ?? .null }
}

/// Why a query was refused (a front end named a column that is not indexed).
public enum MirrorQueryError: Error, Sendable, Hashable, CustomStringConvertible {
    case unknownColumn(String)

    public var description: String {
        switch self {
        case .unknownColumn(let name): "'\(name)' is not a column that can be filtered or sorted on"
        }
    }
}

extension MirrorStore {
    /// Runs a local read: the page of rows and the total number matching.
    public func query(_ query: MirrorQuery) async throws -> (rows: [MirrorRow], total: Int) {
        let allowed = Set(query.queryableColumns)
        for name in query.filters.map(\.column) + [query.sort].compactMap({ $0 }) where !allowed.contains(name) {
            throw MirrorQueryError.unknownColumn(name)
        }
        return try await pool.read { db in
            let table = query.collection.table.quotedDatabaseIdentifier
            var from = "\(table) r"
            var conditions: [String] = []
            var arguments: [(any DatabaseValueConvertible)?] = []
            if let list = query.list {
                from += " JOIN list_member m ON m.record_id = r.id AND m.list = ? AND m.collection = ?"
                arguments += [list, query.collection.rawValue]
            }
            for filter in query.filters {
                let column = "r.\(filter.column.quotedDatabaseIdentifier)"
                switch filter.value {
                case .null:
                    conditions.append(filter.comparison == .notEqual ? "\(column) IS NOT NULL" : "\(column) IS NULL")
                case .integer(let number):
                    conditions.append("\(column) \(filter.comparison.rawValue) ?")
                    arguments.append(number)
                case .text(let text):
                    conditions.append("\(column) \(filter.comparison.rawValue) ?")
                    arguments.append(text)
                }
            }
            let whereClause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
            let direction = query.descending ? "DESC" : "ASC"
            let order =
                if let sort = query.sort {
                    "r.\(sort.quotedDatabaseIdentifier) \(direction), r.id \(direction)"
                } else if query.list != nil {
                    "m.position \(direction), r.id \(direction)"
                } else {
                    "r.id \(direction)"
                }
            // Statements are cached per connection: the same few queries repeat, and preparing one
            // (parsing, GRDB's authorizer) cost more than running it.
            let total =
                try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM \(from)\(whereClause)"), arguments: StatementArguments(arguments)) ?? 0
            let rows = try Row.fetchAll(
                db.cachedStatement(sql: "SELECT r.id, r.raw FROM \(from)\(whereClause) ORDER BY \(order) LIMIT ? OFFSET ?"),
                arguments: StatementArguments(arguments + [max(query.limit, 0), max(query.offset, 0)]))
            // The pending entries of the whole page in one statement, not one per row.
            let ids: [Int] = rows.map { $0["id"] }
            var pending: [Int: [Int]] = [:]
            if !ids.isEmpty {
                let pairs = try Row.fetchAll(
                    db.cachedStatement(
                        sql: """
                            SELECT DISTINCT record_id, entry_id FROM overlay
                            WHERE collection = ? AND record_id IN (SELECT value FROM json_each(?)) ORDER BY entry_id
                            """),
                    arguments: [query.collection.rawValue, "[" + ids.map(String.init).joined(separator: ",") + "]"])
                for pair in pairs { pending[pair["record_id"], default: []].append(pair["entry_id"]) }
            }
            return (rows.map { row in MirrorRow(id: row["id"], json: row["raw"], pendingEntries: pending[row["id"]] ?? []) }, total)
        }
    }

    /// One record as a local read shows it, or nil.
    public func row(_ collection: MirrorCollection, id: Int) async throws -> MirrorRow? {
        try await query(MirrorQuery(collection, filters: [.init("id", .equal, .integer(id))], limit: 1)).rows.first
    }
}
