import Foundation

/// The `data` of list answers (§1.3.2, §1.3.3): `{list: [...]}`, with `page` when paged.
public struct RecordList<Record: Sendable>: Sendable {
    public var records: [Record]
    /// Paging information; nil for unpaged lists (`/doctor/project`, `/chat/{id}`).
    public var page: Page?

    public init(_ records: [Record], page: Page? = nil) {
        self.records = records
        self.page = page
    }

    enum CodingKeys: String, CodingKey {
        case records = "list"
        case page
    }
}

extension RecordList: Decodable where Record: Decodable {
    public init(from decoder: any Decoder) throws {
        // PHP writes an empty list's `data` as `[]`.
        if let elements = try? decoder.unkeyedContainer(), elements.count == 0 {
            records = []
            page = nil
            return
        }
        let reader = try WireReader(decoder, for: RecordList.self, keyedBy: CodingKeys.self)
        records = try reader.records(.records, of: Record.self)
        page = try reader.record(.page, Page.self)
    }
}

extension RecordList: Encodable where Record: Encodable {}
extension RecordList: Equatable where Record: Equatable {}
extension RecordList: Hashable where Record: Hashable {}

/// Paging information of a list (§1.3.3).
public struct Page: Sendable, Hashable, Codable {
    /// The page this answer holds, from 1.
    public var current: Int
    public var totalPages: Int
    /// The number of records over all pages.
    public var totalCount: Int
    public var size: Int

    public init(current: Int, totalPages: Int, totalCount: Int, size: Int) {
        self.current = current
        self.totalPages = totalPages
        self.totalCount = totalCount
        self.size = size
    }

    /// Whether a later page exists.
    public var hasNext: Bool { current < totalPages }

    enum CodingKeys: String, CodingKey {
        case current = "current_page"
        case totalPages = "total_page"
        case totalCount = "count"
        case size = "page_size"
    }

    public init(from decoder: any Decoder) throws {
        let reader = try WireReader(decoder, for: Page.self, keyedBy: CodingKeys.self)
        current = try reader.optionalInt(.current) ?? 1
        totalPages = try reader.optionalInt(.totalPages) ?? 0
        totalCount = try reader.optionalInt(.totalCount) ?? 0
        size = try reader.optionalInt(.size) ?? 10
    }
}

/// A bare JSON array as `data` (`/all_diagnoses/{id}`, §3.2.22), read with the same tolerance
/// as an array field: `null`, `[]`, `{}` and a JSON-encoded string are accepted.
public struct RecordArray<Record: Sendable>: Sendable {
    public var records: [Record]

    public init(_ records: [Record]) {
        self.records = records
    }
}

extension RecordArray: Decodable where Record: Decodable {
    public init(from decoder: any Decoder) throws {
        let structure = "RecordArray<\(Record.self)>"
        if var elements = try? decoder.unkeyedContainer() {
            var records: [Record] = []
            do {
                while !elements.isAtEnd {
                    records.append(try elements.decode(Record.self))
                }
            } catch let error as DecodingError {
                throw WireDecodingError(decodingError: error, structure: structure)
            }
            self.records = records
            return
        }
        let raw = try JSONValue(from: decoder)
        switch raw {
        case .null:
            records = []
        case .object(let members) where members.isEmpty:
            records = []
        case .string(let text) where text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty:
            records = []
        case .string(let text) where text.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("["):
            do {
                records = try JSONValueDecoder().decode(RecordArray<Record>.self, from: Data(text.utf8)).records
            } catch let error as WireDecodingError {
                throw error.nested(under: decoder.codingPath.dotted)
            } catch {
                throw WireDecodingError(
                    structure: structure, field: decoder.codingPath.dotted, problem: "a string holding JSON that is not an array")
            }
        default:
            throw WireDecodingError(
                structure: structure, field: decoder.codingPath.dotted, problem: "expected an array, found \(raw.kindDescription)")
        }
    }
}

extension RecordArray: Encodable where Record: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(records)
    }
}

extension RecordArray: Equatable where Record: Equatable {}
extension RecordArray: Hashable where Record: Hashable {}
