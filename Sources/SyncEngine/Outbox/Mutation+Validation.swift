import Foundation
import MirrorStore
import VolunteerAPI

/// A mutation validated and ready to enqueue: temporary ids are still 0 and photos taken
/// offline are `.upload(entryID: -n)` for `attachments[n - 1]`, until the outbox assigns them.
public struct MutationDraft: Sendable, Hashable {
    public var mutation: Mutation
    public var attachments: [OutboxBlob]
}

extension Mutation {
    /// Validates the parameters of a `kind` for the logged-in `role`, before anything is queued.
    ///
    /// The rules are the document's (required fields, integer types, the chat's 256 characters,
    /// at most three photos) and the formats a server of this kind checks (dates, times, phone
    /// numbers, ID-card numbers); a mutation that breaks one would only be rejected later.
    public static func validate(_ kind: MutationKind, parameters: [String: JSONValue], role: UserRole?) throws(MutationError) -> MutationDraft {
        guard let role else { throw .notLoggedIn }
        guard kind.roles.contains(role) else { throw .notAllowed(kind: kind, role: "\(role)") }
        let given = MutationParameters(values: parameters)
        var attachments: [OutboxBlob] = []
        func photos(_ name: String, maximumCount: Int) throws(MutationError) -> [PhotoReference] {
            try given.photos(name, maximumCount: maximumCount).map { photo in
                switch photo {
                case .url(let url): return .url(url)
                case .file(let blob):
                    attachments.append(blob)
                    return .upload(entryID: -attachments.count)
                }
            }
        }
        let mutation: Mutation
        switch kind {
        case .uploadPhoto:
            guard case .file(let blob)? = try given.photos("photo", maximumCount: 1).first, parameters["photo"] != nil else {
                throw .invalidParameter(field: "photo", reason: "must be one photo as [{data, content_type}]")
            }
            attachments.append(blob)
            mutation = .uploadPhoto(contentType: blob.contentType, filename: blob.filename)
        case .completeProfile:
            mutation = .completeProfile(fields: try profileFields(given, of: .completeProfile, role: role))
        case .follow:
            mutation = .follow(doctorID: try given.id("doctor_id"))
        case .unfollow:
            mutation = .unfollow(doctorID: try given.id("doctor_id"))
        case .publishProject:
            mutation = .publishProject(try newProject(given))
        case .cancelProject:
            mutation = .cancelProject(projectID: try given.id("project_id"))
        case .rejectDiagnosis:
            mutation = .rejectDiagnosis(diagnosisID: try given.id("diagnosis_id"), reason: try given.text("reason", maximumLength: 500))
        case .markDiagnosisDone:
            mutation = .markDiagnosisDone(diagnosisID: try given.id("diagnosis_id"))
        case .ratePatient:
            mutation = .ratePatient(
                diagnosisID: try given.id("diagnosis_id"), honesty: try given.integer("honesty", in: 1...5),
                punctuality: try given.integer("punctuality", in: 1...5))
        case .recordDiagnosisResult:
            mutation = .recordDiagnosisResult(
                diagnosisID: try given.id("diagnosis_id"), result: try given.text("result", maximumLength: 5000),
                photos: try photos("photos", maximumCount: 9))
        case .joinOrganisation:
            mutation = .joinOrganisation(organisationID: try given.id("organisation_id"), membershipID: 0)
        case .leaveOrganisation:
            mutation = .leaveOrganisation(membershipID: try given.id("membership_id"))
        case .joinProject:
            mutation = .joinProject(
                projectID: try given.id("project_id"), description: try given.text("description", maximumLength: 5000),
                photos: try photos("photos", maximumCount: 3), slot: try given.optionalText("slot", pattern: slotPattern, rule: slotRule),
                diagnosisID: 0)
        case .cancelProjectJoin:
            mutation = .cancelProjectJoin(projectID: try given.id("project_id"))
        case .rateDoctor:
            mutation = .rateDoctor(
                diagnosisID: try given.id("diagnosis_id"), score: try given.integer("score", in: 1...5),
                comment: try given.text("comment", maximumLength: 500))
        case .bindPatient:
            mutation = .bindPatient(
                phone: try given.text("phone", pattern: #"^1[0-9]{10}$"#, rule: "must be a mainland mobile number (11 digits)"),
                verifyCode: try given.text("verify_code", maximumLength: 10))
        case .createPatient:
            mutation = .createPatient(try newPatient(given, role: role), patientID: 0)
        case .joinProjectForPatient:
            mutation = .joinProjectForPatient(
                projectID: try given.id("project_id"), patientID: try given.id("patient_id"),
                slot: try given.text("slot", pattern: slotPattern, rule: slotRule), diagnosisID: 0)
        case .cancelForPatient:
            mutation = .cancelForPatient(diagnosisID: try given.id("diagnosis_id"))
        case .sendChatMessage:
            mutation = .sendChatMessage(
                toUserID: try given.id("to_user_id"), content: try given.text("content", maximumLength: 256),
                photos: try photos("photos", maximumCount: 3), messageID: 0)
        }
        return MutationDraft(mutation: mutation, attachments: attachments)
    }

    /// A project to publish: a date, hours in order, a place, at least one service target.
    private static func newProject(_ given: MutationParameters) throws(MutationError) -> NewProject {
        let date = try given.text("date", pattern: #"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"#, rule: "must be a date, yyyy-MM-dd")
        let time = #"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$"#
        let begin = try given.text("begin", pattern: time, rule: "must be a time, HH:mm:ss")
        let end = try given.text("end", pattern: time, rule: "must be a time, HH:mm:ss")
        guard begin < end else { throw .invalidParameter(field: "end", reason: "must be later than begin") }
        let decimal = #"^-?[0-9]{1,3}(\.[0-9]+)?$"#
        return NewProject(
            date: date, begin: begin, end: end, capacity: try given.integer("capacity", in: 1...100_000),
            longitude: try given.text("longitude", pattern: decimal, rule: "must be a decimal number"),
            latitude: try given.text("latitude", pattern: decimal, rule: "must be a decimal number"),
            address: try given.text("address", maximumLength: 500),
            serviceTargets: try nonEmpty(given.texts("service_targets", maximumCount: 20, maximumLength: 100), "service_targets"),
            description: try given.text("description", maximumLength: 5000), price: try given.integer("price", in: 0...10_000_000),
            projectID: 0)
    }

    /// A walk-in patient: the profile fields of the role's form, and a password of 6 or more.
    private static func newPatient(_ given: MutationParameters, role: UserRole) throws(MutationError) -> NewPatient {
        var fields = try profileFields(given, of: .createPatient, role: role)
        fields["pwd"] = nil
        let password = try given.text("password", maximumLength: 64)
        guard password.unicodeScalars.count >= 6 else { throw .invalidParameter(field: "password", reason: "must be at least 6 characters") }
        return NewPatient(fields: fields, password: password)
    }

    private static let slotPattern = #"^[0-9]{2}:[0-9]{2}(:[0-9]{2})? ?- ?[0-9]{2}:[0-9]{2}(:[0-9]{2})?$"#
    private static let slotRule = "must be a time slot, e.g. 09:00:00 - 09:30:00"

    private static func nonEmpty(_ texts: [String], _ field: String) throws(MutationError) -> [String] {
        guard !texts.isEmpty else { throw .invalidParameter(field: field, reason: "must hold at least one item") }
        return texts
    }

    /// Profile fields by their documented wire names, checked against the endpoint's parameters
    /// for the role: required ones present, integers integers, lists lists, unknown names refused.
    private static func profileFields(_ given: MutationParameters, of endpoint: Endpoint, role: UserRole) throws(MutationError) -> [String: JSONValue] {
        let documented = endpoint.parameters.filter { $0.roles.contains(role) && $0.location == .body }
        let names = Set(documented.map(\.name)).union(endpoint == .createPatient ? ["password"] : [])
        if let unknown = given.values.keys.sorted().first(where: { !names.contains($0) && $0 != "pwd" }) {
            throw .invalidParameter(field: unknown, reason: "is not a profile field of the \(role) role")
        }
        var fields: [String: JSONValue] = [:]
        for parameter in documented where parameter.name != "pwd" {
            switch parameter.type {
            case .integer:
                let value = parameter.isRequired ? try given.integer(parameter.name) : try given.optionalInteger(parameter.name)
                if let value { fields[parameter.name] = .integer(value) }
            case .array:
                let values = try given.texts(parameter.name, maximumCount: 20)
                if parameter.isRequired, values.isEmpty { throw .invalidParameter(field: parameter.name, reason: "is required") }
                if !values.isEmpty { fields[parameter.name] = .array(values.map(JSONValue.string)) }
            default:
                let rule: (String, String)? =
                    switch parameter.name {
                    case "idno": (#"^([0-9]{17}[0-9Xx]|[0-9]{15})$"#, "must be an ID-card number (18 characters)")
                    case "height", "weight": (#"^[1-9][0-9]{0,2}(\.[0-9]{1,2})?$"#, "must be a number such as 172 or 60.5")
                    default: nil
                    }
                let value =
                    parameter.isRequired
                    ? try given.text(parameter.name, maximumLength: 2000, pattern: rule?.0, rule: rule?.1)
                    : try given.optionalText(parameter.name, maximumLength: 2000, pattern: rule?.0, rule: rule?.1)
                if let value { fields[parameter.name] = .string(value) }
            }
        }
        return fields
    }
}
