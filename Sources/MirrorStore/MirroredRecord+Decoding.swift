import Foundation
import VolunteerAPI

extension MirroredRecord {
    /// The record that `raw` describes in `collection`, its indexed columns read from the JSON and
    /// its context columns (``MirrorCollection/contextColumns``) taken from `context`.
    ///
    /// Used where the mirror itself changes a record's JSON (a pending mutation laid over it), so
    /// that filters and sorts see the same record a pull of that JSON would have written. A JSON
    /// that no longer decodes keeps only its context columns: the raw JSON is still shown as is.
    public static func decoding(_ collection: MirrorCollection, id: Int, raw: JSONValue, context: [String: MirrorValue]) -> MirroredRecord {
        let decoder = JSONValueDecoder()
        func decode<Model: Decodable>(_: Model.Type) -> Model? { try? decoder.decode(Model.self, from: raw) }
        func integer(_ name: String) -> Int? {
            if case .integer(let number)? = context[name] { return number }
            return nil
        }
        func text(_ name: String) -> String? {
            if case .text(let value)? = context[name] { return value }
            return nil
        }
        var record: MirroredRecord?
        switch collection {
        case .projects: record = decode(Project.self).map { .project($0, raw: raw) }
        case .diagnoses:
            record = decode(Diagnosis.self).map { .diagnosis($0, raw: raw, projectID: integer("project_id"), doctorID: integer("doctor_id")) }
        case .systemMessages: record = decode(SystemMessage.self).map { .systemMessage($0, raw: raw) }
        case .chatDialogs: record = decode(ChatDialog.self).map { .chatDialog($0, raw: raw) }
        case .chatMessages: record = decode(ChatMessage.self).map { .chatMessage($0, raw: raw, dialogID: text("dialog_id")) }
        case .users:
            switch integer("role").flatMap(UserRole.init(rawValue:)) {
            case .doctor?: record = decode(Doctor.self).map { .user(.doctor($0), raw: raw) }
            case .assistant?: record = decode(Assistant.self).map { .user(.assistant($0), raw: raw) }
            default: record = decode(Patient.self).map { .user(.patient($0), raw: raw) }
            }
        case .hospitals: record = decode(Hospital.self).map { .hospital($0, raw: raw) }
        case .organisations: record = decode(Organisation.self).map { .organisation($0, raw: raw) }
        case .memberships: record = decode(OrgMembership.self).map { .membership($0, raw: raw) }
        case .news: record = decode(News.self).map { .news($0, raw: raw) }
        case .banners: record = decode(Banner.self).map { .banner($0, raw: raw) }
        case .specialProjects: record = decode(SpecialProject.self).map { .specialProject($0, raw: raw) }
        case .cities: record = decode(City.self).map { .city($0, raw: raw, parentID: integer("parent_id")) }
        case .visits: record = decode(DiagnosisRecord.self).map { .visit($0, raw: raw) }
        case .reviews: record = decode(Diagnosis.self).map { .review($0, raw: raw, doctorID: integer("doctor_id")) }
        case .casebooks: record = decode(Casebook.self).map { .casebook($0, raw: raw, projectID: integer("project_id")) }
        case .pages: record = MirrorPage(rawValue: id).map { .page($0, raw: raw) }
        }
        var columns = record?.columns ?? [:]
        for name in collection.contextColumns where (columns[name] ?? .null) == .null {
            columns[name] = context[name] ?? .null
        }
        // A record created offline has a temporary id that its JSON may not carry.
        return MirroredRecord(collection, id: id, columns: columns, raw: raw)
    }

    /// The values of the collection's context columns.
    public var context: [String: MirrorValue] {
        var context: [String: MirrorValue] = [:]
        for name in collection.contextColumns { context[name] = columns[name] ?? .null }
        return context
    }
}

/// JSON merge patches (RFC 7386): how a pending mutation's change is laid over a record.
public enum MergePatch {
    /// `target` with `patch` applied: members of an object patch replace (recursively), `null`
    /// members remove; any other patch replaces the target.
    public static func apply(_ patch: JSONValue, to target: JSONValue) -> JSONValue {
        guard case .object(let changes) = patch else { return patch }
        var members: [String: JSONValue]
        if case .object(let existing) = target { members = existing } else { members = [:] }
        for (key, value) in changes {
            if value == .null {
                members[key] = nil
            } else {
                members[key] = apply(value, to: members[key] ?? .null)
            }
        }
        return .object(members)
    }
}
