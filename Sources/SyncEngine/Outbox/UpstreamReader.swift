import Foundation
import MirrorStore
import UpstreamClient
import VolunteerAPI

/// Documented reads made on a mutation's behalf (read-back checks and refreshes): one record,
/// or every page of a list, decoded with their canonical JSON for the mirror. A request that failed
/// is asked again as ``ReadRetry`` says, so that one failed page does not fail the whole read.
struct UpstreamReader: Sendable {
    let client: UpstreamClient
    var retry = ReadRetry()
    /// A bound on the pages of one list read back.
    static let maximumPages = 200
    static let pageSize = 50

    /// One record (`/diagnoses/{id}`, `/project/{id}`, `/user`).
    func record<Model: Codable & Sendable>(_ endpoint: Endpoint, path: [String: String] = [:], as type: Model.Type) async
        -> UpstreamOutcome<RawRecord<Model>>
    {
        await retry.run { await client.call(endpoint, path: path, as: RawRecord<Model>.self) }
    }

    /// Every page of a list, in order.
    func all<Model: Codable & Sendable>(
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
            let outcome = await retry.run { await client.call(endpoint, path: path, parameters: query, as: RecordList<RawRecord<Model>>.self) }
            guard case .applied(let list) = outcome else { return outcome.map { _ in [] } }
            records += list.records
            guard paged, let info = list.page, info.hasNext, info.current == page else { break }
            page += 1
        }
        return .applied(records)
    }

    /// The last pages of a list ordered oldest first (a dialog's messages): enough to find a
    /// message just sent. `/chat/{id}` answers without `page`, so its pages are walked until one
    /// comes back short; the last `pages` of them are kept.
    func latest<Model: Codable & Sendable>(
        _ endpoint: Endpoint, path: [String: String] = [:], pages: Int = 2, as type: Model.Type
    ) async -> UpstreamOutcome<[RawRecord<Model>]> {
        var kept: [[RawRecord<Model>]] = []
        var page = 1
        while page <= Self.maximumPages {
            let query: [String: JSONValue] = ["current_page": .integer(page), "page_size": .integer(Self.pageSize)]
            let outcome = await retry.run { await client.call(endpoint, path: path, parameters: query, as: RecordList<RawRecord<Model>>.self) }
            guard case .applied(let list) = outcome else { return outcome.map { _ in [] } }
            // A server that ignores the paging parameters answers the same page again.
            if page > 1, let first = list.records.first?.raw, kept.last?.first?.raw == first { break }
            kept.append(list.records)
            if kept.count > pages { kept.removeFirst() }
            let more = list.page.map { $0.hasNext && $0.current == page } ?? (list.records.count >= Self.pageSize)
            guard more else { break }
            page += 1
        }
        return .applied(kept.flatMap { $0 })
    }
}
