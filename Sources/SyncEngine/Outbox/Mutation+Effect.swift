import Foundation
import MirrorStore
import VolunteerAPI

/// Who is making mutations: the logged-in role and user, which shape requests and effects.
public struct MutationContext: Sendable, Hashable {
    public let role: UserRole
    public let userID: Int

    public init(role: UserRole, userID: Int) {
        self.role = role
        self.userID = userID
    }

    /// The account's name in the store (`<role>:<user id>`): whose outbox entries these are,
    /// and who owns the mirror.
    public var account: String { "\(role.rawValue):\(userID)" }
}

extension Mutation {
    /// The dependency chains of the mutation: it is sent only after every earlier entry of each
    /// chain is applied. Writes on the same record share a chain; a record created offline and
    /// its dependents share the created record's chain; a photo upload and its dependent share
    /// the upload's chain.
    public var chains: [String] {
        var chains: [String]
        switch self {
        case .uploadPhoto: chains = []
        case .completeProfile: chains = ["profile"]
        case .follow(let doctor), .unfollow(let doctor): chains = ["follow:\(doctor)"]
        case .publishProject(let project): chains = ["project:\(project.projectID)"]
        case .cancelProject(let project): chains = ["project:\(project)"]
        case .rejectDiagnosis(let id, _), .markDiagnosisDone(let id), .ratePatient(let id, _, _), .recordDiagnosisResult(let id, _, _),
            .rateDoctor(let id, _, _), .cancelForPatient(let id):
            chains = ["diagnosis:\(id)"]
        case .joinOrganisation(let organisation, let membership): chains = ["organisation:\(organisation)", "membership:\(membership)"]
        case .leaveOrganisation(let membership): chains = ["membership:\(membership)"]
        case .joinProject(let project, _, _, _, let diagnosis): chains = ["booking:\(project)", "diagnosis:\(diagnosis)"]
        case .cancelProjectJoin(let project): chains = ["booking:\(project)"]
        case .bindPatient: chains = ["bind"]  // one chain for all: a phone must not show in chain names
        case .createPatient(_, let patient): chains = ["patient:\(patient)"]
        case .joinProjectForPatient(let project, let patient, _, let diagnosis):
            chains = ["patient:\(patient)", "booking:\(project):\(patient)", "diagnosis:\(diagnosis)"]
        case .sendChatMessage(let to, _, _, _): chains = ["chat:\(to)"]
        }
        // A project published offline: everything on it waits for its publication.
        if let project = bookedProject, project < 0 {
            chains.append("project:\(project)")
        }
        return chains + photos.compactMap { if case .upload(let id) = $0 { "upload:\(id)" } else { nil } }
    }

    /// The project a booking is for.
    var bookedProject: Int? {
        switch self {
        case .joinProject(let project, _, _, _, _), .joinProjectForPatient(let project, _, _, _): project
        default: nil
        }
    }

    /// The photos it carries.
    public var photos: [PhotoReference] {
        switch self {
        case .recordDiagnosisResult(_, _, let photos), .joinProject(_, _, let photos, _, _), .sendChatMessage(_, _, let photos, _): photos
        default: []
        }
    }

    /// The record it creates offline, if any: the collection and the temporary id.
    public var createdRecord: (collection: MirrorCollection, id: Int)? {
        switch self {
        case .publishProject(let project): (.projects, project.projectID)
        case .joinOrganisation(_, let membership): (.memberships, membership)
        case .joinProject(_, _, _, _, let diagnosis), .joinProjectForPatient(_, _, _, let diagnosis): (.diagnoses, diagnosis)
        case .createPatient(_, let patient): (.users, patient)
        case .sendChatMessage(_, _, _, let message): (.chatMessages, message)
        default: nil
        }
    }

    /// The same mutation with its created record's temporary id and its photo uploads' entry
    /// ids filled in (a draft has 0 and `.upload(entryID: -n)` for its n-th attachment).
    func assigning(tempID: Int, uploads: [Int]) -> Mutation {
        func photo(_ reference: PhotoReference) -> PhotoReference {
            if case .upload(let index) = reference, index < 0, -index <= uploads.count { return .upload(entryID: uploads[-index - 1]) }
            return reference
        }
        switch self {
        case .publishProject(var project):
            project.projectID = tempID
            return .publishProject(project)
        case .joinOrganisation(let organisation, _): return .joinOrganisation(organisationID: organisation, membershipID: tempID)
        case .joinProject(let project, let description, let photos, let slot, _):
            return .joinProject(projectID: project, description: description, photos: photos.map(photo), slot: slot, diagnosisID: tempID)
        case .joinProjectForPatient(let project, let patient, let slot, _):
            return .joinProjectForPatient(projectID: project, patientID: patient, slot: slot, diagnosisID: tempID)
        case .createPatient(let patient, _): return .createPatient(patient, patientID: tempID)
        case .sendChatMessage(let to, let content, let photos, _):
            return .sendChatMessage(toUserID: to, content: content, photos: photos.map(photo), messageID: tempID)
        case .recordDiagnosisResult(let id, let result, let photos):
            return .recordDiagnosisResult(diagnosisID: id, result: result, photos: photos.map(photo))
        default: return self
        }
    }

    /// The optimistic effect: what the kiosk shows at once, marked pending, until the server
    /// has answered. Built from the mirror as it is when the mutation is accepted.
    func effects(in transaction: OutboxTransaction, context: MutationContext) throws -> [RecordEffect] {
        let now = Self.timestamp(transaction.now)
        switch self {
        case .uploadPhoto, .bindPatient:
            // Nothing to show: an upload is a means to an end; a bound patient is unknown until read.
            return []
        case .completeProfile(let fields):
            return [.patch(.users, id: context.userID, .object(fields))]
        case .follow(let doctor):
            return [.addToList(Self.followList(context.role), .users, id: doctor)]
        case .unfollow(let doctor):
            return [.removeFromList(Self.followList(context.role), .users, id: doctor)]
        case .publishProject(let project):
            return Self.publishEffects(project)
        case .cancelProject(let project):
            return [.patch(.projects, id: project, ["status": .code(ProjectStatus.cancelled), "project_status": .code(ProjectPhase.finished), "op_cancel": 0])]
        case .rejectDiagnosis(let id, let reason):
            return [.patch(.diagnoses, id: id, ["verify_status": .code(BookingStatus.rejected), "reject_msg": .string(reason)])]
        case .markDiagnosisDone(let id):
            return [.patch(.diagnoses, id: id, ["status": .code(VisitStatus.seen)])]
        case .ratePatient(let id, let honesty, let punctuality):
            return [.patch(.diagnoses, id: id, ["patient_credit_score": .integer(honesty), "patient_punctuality_score": .integer(punctuality)])]
        case .recordDiagnosisResult(let id, let result, let photos):
            let urls = photos.compactMap { if case .url(let url) = $0 { JSONValue.string(url) } else { nil } }
            return [.patch(.diagnoses, id: id, ["diag_result": .string(result), "diag_photo": .array(urls)])]
        case .joinOrganisation(let organisation, let membership):
            return try Self.membershipEffects(transaction, organisation: organisation, membership: membership, doctor: context.userID)
        case .leaveOrganisation(let membership):
            return [
                .delete(.memberships, id: membership),
                .removeFromList(PullStep(.myOrganisations, into: .memberships, paging: .complete).listKey, .memberships, id: membership),
            ]
        case .joinProject(let project, let description, let photos, let slot, let diagnosis):
            let urls = photos.compactMap { if case .url(let url) = $0 { JSONValue.string(url) } else { nil } }
            var raw: JSONValue = [
                "id": .integer(diagnosis), "verify_status": .code(BookingStatus.booked), "status": .code(VisitStatus.waiting), "created_at": .string(now),
                "casebook_info": ["content": .string(description), "photo": .array(urls)],
            ]
            if let slot { raw = MergePatch.apply(["visit_time": .string(slot)], to: raw) }
            return try Self.bookingEffects(transaction, project: project, diagnosis: diagnosis, raw: raw, joined: true) + [
                .addToList(PullStep(.patientDiagnoses, into: .diagnoses, paging: .complete).listKey, .diagnoses, id: diagnosis)
            ]
        case .cancelProjectJoin(let project):
            var effects = try Self.projectCountEffect(transaction, project: project, change: -1, joined: false)
            for id in try transaction.ids(.diagnoses, where: "project_id", is: .integer(project))
            where try transaction.record(.diagnoses, id: id)?.columns["verify_status"] == .integer(BookingStatus.booked.rawValue) {
                effects.append(.patch(.diagnoses, id: id, ["verify_status": .code(BookingStatus.cancelled)]))
            }
            return effects
        case .rateDoctor(let id, let score, let comment):
            return [.patch(.diagnoses, id: id, ["doctor_score": .integer(score), "doctor_comment": .string(comment)])]
        case .createPatient(let patient, let id):
            var raw = JSONValue.object(patient.fields)
            raw = MergePatch.apply(["id": .integer(id)], to: raw)
            return [
                .create(.users, id: id, raw: raw, context: ["role": .integer(UserRole.patient.rawValue)]),
                .addToList(PullStep(.assistantPatients, into: .users, paging: .complete).listKey, .users, id: id),
            ]
        case .joinProjectForPatient(let project, let patient, let slot, let diagnosis):
            var user: JSONValue = ["id": .integer(patient)]
            if let known = try transaction.raw(.users, id: patient) { user = known }
            let raw: JSONValue = [
                "id": .integer(diagnosis), "verify_status": .code(BookingStatus.booked), "status": .code(VisitStatus.waiting), "visit_time": .string(slot),
                "created_at": .string(now),
                "assistant_user_id": .integer(context.userID), "user_info": user,
            ]
            let list = PullStep(.assistantProjectPatients, path: ["id": String(project)], into: .diagnoses, paging: .complete).listKey
            return try Self.bookingEffects(transaction, project: project, diagnosis: diagnosis, raw: raw, joined: nil) + [
                .addToList(list, .diagnoses, id: diagnosis)
            ]
        case .cancelForPatient(let id):
            return [.patch(.diagnoses, id: id, ["verify_status": .code(BookingStatus.cancelled)])]
        case .sendChatMessage(let to, let content, let photos, let message):
            return try Self.messageEffects(transaction, to: to, content: content, photos: photos, message: message, context: context, now: now)
        }
    }

    /// The new project, upcoming and open, in the doctor's list.
    private static func publishEffects(_ project: NewProject) -> [RecordEffect] {
        let raw: JSONValue = [
            "id": .integer(project.projectID), "date": .string(project.date), "begin": .string(project.begin), "end": .string(project.end),
            "people_count": .integer(project.capacity), "join_people_count": 0, "addr": .string(project.address),
            "lng": .string(project.longitude), "lat": .string(project.latitude), "abstract": .string(project.description),
            "price": .integer(project.price), "status": .code(ProjectStatus.active), "progress_status": .code(ProgressStatus.open),
            "project_status": .code(ProjectPhase.upcoming),
            "service_target": .array(project.serviceTargets.map(JSONValue.string)),
        ]
        return [
            .create(.projects, id: project.projectID, raw: raw),
            .addToList(PullStep(.doctorProjects, into: .projects, paging: .single).listKey, .projects, id: project.projectID),
        ]
    }

    /// The pending membership, with what the mirror knows of the organisation.
    private static func membershipEffects(_ transaction: OutboxTransaction, organisation: Int, membership: Int, doctor: Int) throws -> [RecordEffect] {
        var raw: JSONValue = [
            "id": .integer(membership), "org_id": .integer(organisation), "doctor_id": .integer(doctor),
            "verify_status": .code(MembershipStatus.pending),
        ]
        if let info = try transaction.raw(.organisations, id: organisation) {
            raw = MergePatch.apply(["org": info], to: raw)
        }
        return [
            .create(.memberships, id: membership, raw: raw),
            .addToList(PullStep(.myOrganisations, into: .memberships, paging: .complete).listKey, .memberships, id: membership),
        ]
    }

    /// The message, in the dialog with `to` when the mirror has it.
    private static func messageEffects(
        _ transaction: OutboxTransaction, to: Int, content: String, photos: [PhotoReference], message: Int, context: MutationContext, now: String
    ) throws -> [RecordEffect] {
        let urls = photos.compactMap { if case .url(let url) = $0 { JSONValue.string(url) } else { nil } }
        let raw: JSONValue = [
            "id": .integer(message), "content": .string(content), "photo": .array(urls), "from_user_id": .integer(context.userID),
            "to_user_id": .integer(to), "is_read": 0, "created_at": .string(now),
        ]
        let dialogColumn = context.role == .patient ? "doctor_user_id" : "patient_user_id"
        let dialog = try transaction.ids(.chatDialogs, where: dialogColumn, is: .integer(to)).first
        return [.create(.chatMessages, id: message, raw: raw, context: ["dialog_id": dialog.map { .text(String($0)) } ?? .null])]
    }

    /// The list of followed doctors the role mirrors.
    public static func followList(_ role: UserRole) -> String {
        PullStep(role == .assistant ? .assistantFollows : .patientFollows, into: .users, paging: .complete).listKey
    }

    private static func bookingEffects(_ transaction: OutboxTransaction, project: Int, diagnosis: Int, raw: JSONValue, joined: Bool?) throws
        -> [RecordEffect]
    {
        [.create(.diagnoses, id: diagnosis, raw: raw, context: ["project_id": .integer(project)])]
            + (try projectCountEffect(transaction, project: project, change: 1, joined: joined))
    }

    /// The project's booking count moved by `change` (and `is_join` for the patient's own view).
    private static func projectCountEffect(_ transaction: OutboxTransaction, project: Int, change: Int, joined: Bool?) throws -> [RecordEffect] {
        guard let raw = try transaction.raw(.projects, id: project) else { return [] }
        var patch: [String: JSONValue] = [:]
        if case .integer(let count)? = raw["join_people_count"] { patch["join_people_count"] = .integer(max(0, count + change)) }
        if let joined { patch["is_join"] = joined ? 1 : 0 }
        return patch.isEmpty ? [] : [.patch(.projects, id: project, .object(patch))]
    }

    static func timestamp(_ date: Date) -> String {
        APIClock.timestamp(date)
    }
}
