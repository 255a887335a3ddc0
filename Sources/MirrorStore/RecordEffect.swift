import VolunteerAPI

/// One optimistic change a pending mutation makes to the mirror, laid over server truth until
/// the mutation is applied (then kept until a pull or refresh brings the server's own record) or
/// rejected (then rolled back). Pulls never overwrite it: they update the server truth beneath.
public enum RecordEffect: Sendable, Hashable {
    /// Changes members of a record's JSON (an RFC 7386 merge patch: `null` removes a member).
    case patch(MirrorCollection, id: Int, JSONValue)
    /// A record created offline, under a temporary (negative) id, with its context columns.
    case create(MirrorCollection, id: Int, raw: JSONValue, context: [String: MirrorValue] = [:])
    /// Hides a record (left, removed).
    case delete(MirrorCollection, id: Int)
    /// Shows a record as a member of a list (`GET /custom/follow`...).
    case addToList(String, MirrorCollection, id: Int)
    /// Hides a record from a list.
    case removeFromList(String, MirrorCollection, id: Int)

    public var collection: MirrorCollection {
        switch self {
        case .patch(let collection, _, _), .create(let collection, _, _, _), .delete(let collection, _),
            .addToList(_, let collection, _), .removeFromList(_, let collection, _):
            collection
        }
    }

    public var recordID: Int {
        switch self {
        case .patch(_, let id, _), .create(_, let id, _, _), .delete(_, let id), .addToList(_, _, let id), .removeFromList(_, _, let id):
            id
        }
    }

    var list: String? {
        switch self {
        case .addToList(let list, _, _), .removeFromList(let list, _, _): list
        default: nil
        }
    }

    /// How the change is stored in the `overlay` table.
    var stored: JSONValue {
        switch self {
        case .patch(_, _, let patch): ["op": "patch", "patch": patch]
        case .create(_, _, let raw, let context): ["op": "create", "raw": raw, "context": .object(context.mapValues(\.json))]
        case .delete: ["op": "delete"]
        case .addToList: ["op": "add"]
        case .removeFromList: ["op": "remove"]
        }
    }

    init?(stored: JSONValue, collection: MirrorCollection, id: Int, list: String?) {
        switch stored["op"] {
        case "patch": self = .patch(collection, id: id, stored["patch"] ?? .null)
        case "create":
            var context: [String: MirrorValue] = [:]
            if case .object(let members)? = stored["context"] {
                for (name, value) in members { context[name] = MirrorValue(json: value) }
            }
            self = .create(collection, id: id, raw: stored["raw"] ?? .null, context: context)
        case "delete": self = .delete(collection, id: id)
        case "add": if let list { self = .addToList(list, collection, id: id) } else { return nil }
        case "remove": if let list { self = .removeFromList(list, collection, id: id) } else { return nil }
        default: return nil
        }
    }
}
