import Foundation
import LocalRPC
import MirrorStore
import VolunteerAPI

extension LocalAPI {
    /// One search hit: an item as reads show it, with the collection and kind it was found as.
    static let hitSchema = RPCSchema.object(
        [
            "collection": RPCSchema.string(description: "the mirrored collection: users, diagnoses, projects, …"),
            "kind": RPCSchema.enumeration(SearchIndex.kinds, description: "what it was found as"),
            "id": RPCSchema.integer(description: "negative for a record created offline"),
            "pending": RPCSchema.boolean(description: "whether pending mutations change it"),
            "pending_mutations": RPCSchema.array(of: RPCSchema.integer(), description: "their local ids"),
            "record": RPCSchema.object(description: "the record's values as the server sent them, in canonical form, with pending changes laid over it"),
        ], required: ["collection", "kind", "id", "pending", "pending_mutations", "record"])

    /// `search`: the mirror's names and text, offline, ranked and paged (docs/local-api.md).
    func searchMethods() -> [RPCMethod] {
        let page = RPCSchema.object(
            ["items": RPCSchema.array(of: Self.hitSchema), "total": RPCSchema.integer(description: "hits over all pages")], required: ["items", "total"])
        return [
            RPCMethod(
                "search", summary: "Finds mirrored records by names, phone digits and text, best first.", access: .read,
                params: [
                    .required("query", RPCSchema.string(description: "terms that must all occur; one of 2 characters or more, 3 or more to use the index")),
                    .optional("kinds", RPCSchema.array(of: RPCSchema.enumeration(SearchIndex.kinds), description: "only these kinds; default every kind")),
                ] + Self.paging,
                result: .init("page", page)
            ) { params, context in
                var search = MirrorSearch(try params.requiredString("query"))
                search.kinds = try Self.kinds(params)
                search.limit = try params.optionalInt("limit", in: 1...500) ?? 50
                search.offset = try params.optionalInt("offset", in: 0...Int(Int32.max)) ?? 0
                try requireSession()
                let (hits, total): ([SearchHit], Int)
                do {
                    (hits, total) = try await store.search(search)
                } catch let error as MirrorSearchError {
                    let field = if case .unknownKind = error { "kinds" } else { "query" }
                    throw RPCError.invalidParams(field: field, problem: error.description)
                }
                return ["items": context.encodedJSON("[" + hits.map(Self.hitJSON).joined(separator: ",") + "]"), "total": .integer(total)]
            }
        ]
    }

    /// The `kinds` param: an array of strings, or nothing.
    private static func kinds(_ params: RPCParams) throws(RPCError) -> [String] {
        guard let values = try params.optionalArray("kinds") else { return [] }
        return try values.map { (value: JSONValue) throws(RPCError) -> String in
            guard case .string(let kind) = value else { throw RPCError.invalidParams(field: "kinds", problem: "must be an array of strings") }
            return kind
        }
    }

    /// A hit's JSON text: an item's (``itemJSON(_:)``) with `collection` and `kind` added, in
    /// the same sorted key order.
    static func hitJSON(_ hit: SearchHit) -> String {
        let row = hit.row
        let pending = row.pendingEntries.map(String.init).joined(separator: ",")
        return
            #"{"collection":"\#(hit.collection.rawValue)","id":\#(row.id),"kind":"\#(hit.kind)","pending":\#(row.isPending),"pending_mutations":[\#(pending)],"record":\#(row.json)}"#
    }
}
