import Foundation
import MirrorStore
import UpstreamClient
import VolunteerAPI

/// Documented reads made on a mutation's behalf (read-back checks and refreshes): one record,
/// or every page of a list, decoded with the raw JSON kept for the mirror.
struct UpstreamReader: Sendable {
    let client: UpstreamClient
    /// A bound on the pages of one list read back.
    static let maximumPages = 200
    static let pageSize = 50

    /// One record (`/diagnoses/{id}`, `/project/{id}`, `/user`).
    func record<Model: Decodable & Sendable>(_ endpoint: Endpoint, path: [String: String] = [:], as type: Model.Type) async
        -> UpstreamOutcome<RawRecord<Model>>
    {
        await client.call(endpoint, path: path, as: RawRecord<Model>.self)
    }

    /// Every page of a list, in order.
    func all<Model: Decodable & Sendable>(
        _ endpoint: Endpoint, path: [String: String] = [:], parameters: [String: JSONValue] = [:], as type: Model.Type
    ) async -> UpstreamOutcome<[RawRecord<Model>]> {
        var records: [RawRecord<Model>] = []
        var page = 1
        // A page answer is paged even where the document lists no paging parameters (`/org/my`:
        // vdapi answers 10 records a page by default), as the puller reads it: reading only the
        // first page would miss a record beyond it and call the effect absent.
        var paged = endpoint.isPaged
        if case .page = endpoint.response { paged = true }
        while page <= Self.maximumPages {
            var query = parameters
            if paged {
                query["current_page"] = .integer(page)
                query["page_size"] = .integer(Self.pageSize)
            }
            let outcome = await client.call(endpoint, path: path, parameters: query, as: RecordList<RawRecord<Model>>.self)
            guard case .applied(let list) = outcome else { return outcome.map { _ in [] } }
            records += list.records
            guard paged, let info = list.page, info.hasNext, info.current == page else { break }
            page += 1
        }
        return .applied(records)
    }

    /// The last pages of a list ordered oldest first (a dialog's messages): enough to find a
    /// message just sent.
    func latest<Model: Decodable & Sendable>(
        _ endpoint: Endpoint, path: [String: String] = [:], pages: Int = 2, as type: Model.Type
    ) async -> UpstreamOutcome<[RawRecord<Model>]> {
        let first = await client.call(
            endpoint, path: path, parameters: ["current_page": 1, "page_size": .integer(Self.pageSize)], as: RecordList<RawRecord<Model>>.self)
        guard case .applied(let list) = first else { return first.map { _ in [] } }
        guard let info = list.page, info.totalPages > 1 else { return .applied(list.records) }
        var records: [RawRecord<Model>] = []
        for page in max(2, info.totalPages - pages + 1)...info.totalPages {
            let outcome = await client.call(
                endpoint, path: path, parameters: ["current_page": .integer(page), "page_size": .integer(Self.pageSize)],
                as: RecordList<RawRecord<Model>>.self)
            guard case .applied(let more) = outcome else { return outcome.map { _ in [] } }
            records += more.records
        }
        return .applied(records)
    }
}
