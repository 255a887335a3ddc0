import Foundation
import MirrorStore
import VolunteerAPI

/// Turns one answer of a pull step into mirrored records, each with its JSON in canonical form
/// (``CanonicalJSON``: the same values give the same JSON, whichever way the server wrote
/// them), and the page information when the answer is paged. Pure: tested with fixtures.
public enum PageDecoder {
    public struct DecodedPage: Sendable {
        public let records: [MirroredRecord]
        public let page: Page?
    }

    /// Decodes the body of a successful answer of `step`. A refusal in the envelope, or a body
    /// that does not decode, throws (`EnvelopeError`, `WireDecodingError`).
    public static func decode(_ body: Data, for step: PullStep, role: UserRole) throws -> DecodedPage {
        var decoder = JSONValueDecoder()
        decoder.userInfo[UserProfile.expectedRoleKey] = role
        func list<Model: Codable & Sendable>(_: Model.Type, _ make: (Model, JSONValue) -> MirroredRecord) throws -> DecodedPage {
            let payload = try decoder.decode(Envelope<RecordList<RawRecord<Model>>>.self, from: body).payload()
            return DecodedPage(records: payload.records.map { make($0.value, $0.raw) }, page: payload.page)
        }
        // A whole page (a homepage, a centre), in canonical form as the model of the endpoint's
        // answer writes it.
        func canonicalPayload() throws -> JSONValue {
            let payload = try decoder.decode(Envelope<JSONValue>.self, from: body).payload()
            guard case .record(let kind) = step.endpoint.response else { return payload }
            return try CanonicalJSON.of(payload, kind: kind, decoder: decoder)
        }
        switch step.collection {
        case .users where step.endpoint.response == .userByType:
            let user = try decoder.decode(Envelope<RawRecord<UserProfile>>.self, from: body).payload()
            return DecodedPage(records: [.user(user.value, raw: withoutTokens(user.raw))], page: nil)
        case .users:
            // Without tokens too: servers that write every field send `"token": null` in lists,
            // and a user listed here is the same row `/user` writes without one.
            switch step.endpoint.response {
            case .page(.doctor), .list(.doctor):
                return try list(Doctor.self) { .user(.doctor($0), raw: withoutTokens($1)) }
            case .page(.assistant), .list(.assistant):
                return try list(Assistant.self) { .user(.assistant($0), raw: withoutTokens($1)) }
            default:
                return try list(Patient.self) { .user(.patient($0), raw: withoutTokens($1)) }
            }
        case .projects: return try list(Project.self) { .project($0, raw: $1) }
        case .diagnoses:
            return try list(Diagnosis.self) { .diagnosis($0, raw: $1, projectID: step.projectID, doctorID: step.doctorID) }
        case .systemMessages: return try list(SystemMessage.self) { .systemMessage($0, raw: $1) }
        case .chatDialogs: return try list(ChatDialog.self) { .chatDialog($0, raw: $1) }
        case .chatMessages: return try list(ChatMessage.self) { .chatMessage($0, raw: $1, dialogID: step.dialogID) }
        case .hospitals: return try list(Hospital.self) { .hospital($0, raw: $1) }
        case .organisations: return try list(Organisation.self) { .organisation($0, raw: $1) }
        case .memberships: return try list(OrgMembership.self) { .membership($0, raw: $1) }
        case .news: return try list(News.self) { .news($0, raw: $1) }
        case .banners:
            // Banners come only inside the homepages (`{banner, news, project_list, ...}`), which
            // are kept whole as the home page besides.
            let homepage = try canonicalPayload()
            guard case .array(let banners)? = homepage["banner"] else { return DecodedPage(records: [.page(.home, raw: homepage)], page: nil) }
            let records = try banners.map { raw in
                MirroredRecord.banner(try decoder.decode(Banner.self, from: raw), raw: raw)
            }
            return DecodedPage(records: records + [.page(.home, raw: homepage)], page: nil)
        case .specialProjects: return try list(SpecialProject.self) { .specialProject($0, raw: $1) }
        case .cities: return try list(City.self) { .city($0, raw: $1, parentID: step.parentID) }
        case .visits:
            // A bare array (§3.2.22), not `{list}`; PHP's empty object `{}` or null means none.
            let payload = try decoder.decode(Envelope<JSONValue>.self, from: body).payload()
            guard case .array(let elements) = payload else { return DecodedPage(records: [], page: nil) }
            return DecodedPage(
                records: try elements.map { element in
                    let visit = try decoder.decode(RawRecord<DiagnosisRecord>.self, from: element)
                    return .visit(visit.value, raw: visit.raw)
                }, page: nil)
        case .reviews: return try list(Diagnosis.self) { .review($0, raw: $1, doctorID: step.doctorID) }
        case .casebooks:
            // A patient who wrote no case record gets an empty `data`.
            let payload = try decoder.decode(Envelope<JSONValue>.self, from: body).payload()
            guard case .object(let members) = payload, members["id"] != nil, members["id"] != .null else {
                return DecodedPage(records: [], page: nil)
            }
            let casebook = try decoder.decode(RawRecord<Casebook>.self, from: payload)
            return DecodedPage(records: [.casebook(casebook.value, raw: casebook.raw, projectID: step.projectID)], page: nil)
        case .pages:
            guard let page = step.page else { return DecodedPage(records: [], page: nil) }
            return DecodedPage(records: [.page(page, raw: withoutTokens(try canonicalPayload()))], page: nil)
        }
    }

    /// `raw` without any `token` member: a profile's own token is the session's business, not
    /// the mirror's, wherever an answer nests the profile.
    public static func withoutTokens(_ raw: JSONValue) -> JSONValue {
        switch raw {
        case .object(var members):
            members["token"] = nil
            return .object(members.mapValues(withoutTokens))
        case .array(let elements):
            return .array(elements.map(withoutTokens))
        default:
            return raw
        }
    }
}
