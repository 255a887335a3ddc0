import Foundation
import VolunteerAPI

/// Names the objects of an answer after the documented structures, for the census: an object is
/// the structure whose documented keys cover the most of its keys.
///
/// The documented key sets are the models' own (``RecordKind/documentedFields()``), beside the
/// answer's wrappers (envelope, `{list, page}`, `page`, a `work_time` day). An object no
/// structure covers well enough is named by the field it sits under (`plan_time`), else `other`.
struct QuirkStructures: Sendable {
    /// Structure name → its documented keys.
    let keys: [(name: String, keys: Set<String>)]

    /// The wrappers around records, which are not structures of §2.2.
    static let wrappers: [String: Set<String>] = [
        "envelope": ["error_code", "data", "error_message"],
        "page": ["current_page", "total_page", "count", "page_size"],
        "list": ["list", "page"],
        "workDay": ["morning", "afternoon"],
    ]

    static let standard = QuirkStructures()

    init() {
        func names(_ fields: () throws -> [DocumentedField]) -> Set<String> {
            Set(((try? fields()) ?? []).map(\.name))
        }
        var table = Self.wrappers
        for kind in RecordKind.allCases {
            table[kind.rawValue] = names(kind.documentedFields)
        }
        table["userSummary"] = names { try DocumentedField.fields(of: UserSummary.self) }
        keys = table.sorted { $0.key < $1.key }.map { (name: $0.key, keys: $0.value) }
    }

    /// The structure an object with `members` is, sitting under `field` (nil at the top).
    func name(of members: [String: JSONValue], under field: String?) -> String {
        let present = Set(members.keys)
        if present.isEmpty { return field ?? "other" }
        var best: (name: String, covered: Int, missing: Int)?
        for (name, documented) in keys {
            // A structure with an id names only objects with one: records are told apart by it.
            if documented.contains("id") != present.contains("id") { continue }
            let covered = present.intersection(documented).count
            let missing = documented.count - covered
            guard covered > 0 else { continue }
            if let current = best, (covered, -missing) <= (current.covered, -current.missing) { continue }
            best = (name, covered, missing)
        }
        // Most of the object's keys must be documented for the structure, or the name misleads.
        if let best, best.covered * 2 > present.count { return best.name }
        return field ?? "other"
    }
}
