import Foundation
import MirrorStore
import UpstreamClient
import VolunteerAPI

/// What a mutation's references resolve to just before sending.
enum MutationResolution: Sendable {
    /// Every id is a server id and every photo a URL: ready to send.
    case ready(Mutation)
    /// A record or photo it depends on was never created upstream (its entry was discarded or
    /// rejected, or its id could not be found): it cannot be sent.
    case impossible(String)
}

extension Mutation {
    /// Replaces temporary ids with server ids and pending uploads with their URLs.
    func resolved(realID: (Int) async throws -> Int?, uploadURL: (Int) async throws -> String?) async throws -> MutationResolution {
        func id(_ value: Int, _ what: String) async throws -> Int? {
            value > 0 ? value : try await realID(value)
        }
        var photos: [PhotoReference] = []
        for photo in self.photos {
            switch photo {
            case .url: photos.append(photo)
            case .upload(let entry):
                guard let url = try await uploadURL(entry) else { return .impossible("photo upload #\(entry) was not applied") }
                photos.append(.url(url))
            }
        }
        func missing(_ what: String, _ value: Int) -> MutationResolution {
            .impossible("the \(what) created offline (\(value)) does not exist upstream")
        }
        switch self {
        case .cancelProject(let project):
            guard let real = try await id(project, "project") else { return missing("project", project) }
            return .ready(.cancelProject(projectID: real))
        case .rejectDiagnosis(let diagnosis, let reason):
            guard let real = try await id(diagnosis, "booking") else { return missing("booking", diagnosis) }
            return .ready(.rejectDiagnosis(diagnosisID: real, reason: reason))
        case .markDiagnosisDone(let diagnosis):
            guard let real = try await id(diagnosis, "booking") else { return missing("booking", diagnosis) }
            return .ready(.markDiagnosisDone(diagnosisID: real))
        case .ratePatient(let diagnosis, let honesty, let punctuality):
            guard let real = try await id(diagnosis, "booking") else { return missing("booking", diagnosis) }
            return .ready(.ratePatient(diagnosisID: real, honesty: honesty, punctuality: punctuality))
        case .recordDiagnosisResult(let diagnosis, let result, _):
            guard let real = try await id(diagnosis, "booking") else { return missing("booking", diagnosis) }
            return .ready(.recordDiagnosisResult(diagnosisID: real, result: result, photos: photos))
        case .leaveOrganisation(let membership):
            guard let real = try await id(membership, "membership") else { return missing("membership", membership) }
            return .ready(.leaveOrganisation(membershipID: real))
        case .joinProject(let project, let description, _, let slot, let diagnosis):
            guard let real = try await id(project, "project") else { return missing("project", project) }
            return .ready(.joinProject(projectID: real, description: description, photos: photos, slot: slot, diagnosisID: diagnosis))
        case .cancelProjectJoin(let project):
            guard let real = try await id(project, "project") else { return missing("project", project) }
            return .ready(.cancelProjectJoin(projectID: real))
        case .rateDoctor(let diagnosis, let score, let comment):
            guard let real = try await id(diagnosis, "booking") else { return missing("booking", diagnosis) }
            return .ready(.rateDoctor(diagnosisID: real, score: score, comment: comment))
        case .joinProjectForPatient(let project, let patient, let slot, let diagnosis):
            guard let realProject = try await id(project, "project") else { return missing("project", project) }
            guard let realPatient = try await id(patient, "patient") else { return missing("patient", patient) }
            return .ready(.joinProjectForPatient(projectID: realProject, patientID: realPatient, slot: slot, diagnosisID: diagnosis))
        case .cancelForPatient(let diagnosis):
            guard let real = try await id(diagnosis, "booking") else { return missing("booking", diagnosis) }
            return .ready(.cancelForPatient(diagnosisID: real))
        case .sendChatMessage(let to, let content, _, let message):
            return .ready(.sendChatMessage(toUserID: to, content: content, photos: photos, messageID: message))
        case .uploadPhoto, .completeProfile, .follow, .unfollow, .publishProject, .joinOrganisation, .bindPatient, .createPatient:
            return .ready(self)
        }
    }

    /// The mutation without what must not outlive its sending (a new patient's password, an SMS
    /// code), or nil when it carries nothing of the kind.
    var withoutSecrets: Mutation? {
        switch self {
        case .createPatient(var patient, let id):
            patient.password = ""
            return .createPatient(patient, patientID: id)
        case .bindPatient(let phone, _):
            return .bindPatient(phone: phone, verifyCode: "")
        default:
            return nil
        }
    }

    /// The mutation as a discarded entry keeps it, or nil when it carries nothing to remove. A
    /// discarded entry is final, never sent or retried again, so it keeps neither its secrets
    /// nor the personal data only it held: a patient never created loses the password and the
    /// whole profile (name, ID-card number), a bind never made its phone and SMS code. A rejected
    /// or parked entry keeps them until then: a retry sends the stored arguments again.
    var discardedForm: Mutation? {
        switch self {
        case .createPatient(_, let id):
            return .createPatient(NewPatient(fields: [:], password: ""), patientID: id)
        case .bindPatient:
            return .bindPatient(phone: "", verifyCode: "")
        default:
            return nil
        }
    }

    /// The documented request: path values and parameters by wire name. Call it on a resolved
    /// mutation (server ids, photo URLs).
    func request(context: MutationContext) -> (path: [String: String], parameters: [String: JSONValue]) {
        func urls(_ photos: [PhotoReference]) -> JSONValue {
            .array(photos.compactMap { if case .url(let url) = $0 { .string(url) } else { nil } })
        }
        switch self {
        case .uploadPhoto: return ([:], [:])
        case .completeProfile(let fields): return ([:], fields)
        case .follow(let doctor), .unfollow(let doctor): return (["id": String(doctor)], [:])
        case .publishProject(let project):
            return (
                [:],
                [
                    "date": .string(project.date), "begin": .string(project.begin), "end": .string(project.end),
                    "people_count": .integer(project.capacity), "lng": .string(project.longitude), "lat": .string(project.latitude),
                    "addr": .string(project.address), "service_target": .array(project.serviceTargets.map(JSONValue.string)),
                    "abstract": .string(project.description), "price": .integer(project.price),
                ]
            )
        case .cancelProject(let project): return (["id": String(project)], [:])
        case .rejectDiagnosis(let id, let reason): return (["id": String(id)], ["reject_msg": .string(reason)])
        case .markDiagnosisDone(let id): return (["id": String(id)], [:])
        case .ratePatient(let id, let honesty, let punctuality):
            return (["id": String(id)], ["patient_credit_score": .integer(honesty), "patient_punctuality_score": .integer(punctuality)])
        case .recordDiagnosisResult(let id, let result, let photos):
            return (["id": String(id)], ["diag_result": .string(result), "diag_photo": urls(photos)])
        case .joinOrganisation(let organisation, _): return (["org_id": String(organisation)], [:])
        case .leaveOrganisation(let membership): return (["id": String(membership)], [:])
        case .joinProject(let project, let description, let photos, let slot, _):
            var parameters: [String: JSONValue] = ["content": .string(description), "photo": urls(photos)]
            if let slot { parameters["plan_time"] = .string(slot) }
            return (["id": String(project)], parameters)
        case .cancelProjectJoin(let project): return (["id": String(project)], [:])
        case .rateDoctor(let id, let score, let comment):
            return (["id": String(id)], ["doctor_score": .integer(score), "doctor_comment": .string(comment)])
        case .bindPatient(let phone, let code): return ([:], ["phone": .string(phone), "verify_code": .string(code)])
        case .createPatient(let patient, _):
            return ([:], patient.fields.merging(["pwd": .string(patient.password)]) { _, password in password })
        case .joinProjectForPatient(let project, let patient, let slot, _):
            return (["id": String(project)], ["user_id": .integer(patient), "plan_time": .string(slot)])
        case .cancelForPatient(let id): return (["id": String(id)], [:])
        case .sendChatMessage(let to, let content, let photos, _):
            return (
                [:],
                ["content": .string(content), "photo": urls(photos), "type": .integer(context.role.rawValue), "to_user_id": .integer(to)]
            )
        }
    }
}

extension Mutation {
    /// Whether sending needs the entry's stored bytes: a photo taken offline.
    var sendsStoredBytes: Bool {
        if case .uploadPhoto = self { true } else { false }
    }

    /// Sends this resolved mutation once: its documented request, or for a photo a multipart
    /// upload of `storedBytes`. The answer as JSON: the payload; `null` where the endpoint
    /// answers `data: null`; `{url}` for an upload.
    func send(via client: UpstreamClient, context: MutationContext, storedBytes: OutboxBlob?) async -> UpstreamOutcome<JSONValue> {
        if case .uploadPhoto = self {
            guard let blob = storedBytes else { return .rejected(UpstreamRejection(message: "the photo's bytes are gone")) }
            return await client.upload(UpstreamFile(data: blob.data, filename: blob.filename, contentType: blob.contentType))
                .map { ["url": .string($0.url)] }
        }
        let request = request(context: context)
        let endpoint = kind.endpoint
        if endpoint.response == .null {
            // `/org_add` and `/org_remove` answer `data: null`, as documented. Decoded as JSON, a
            // success would be "applied, but undecodable", an unknown outcome: then only a
            // read-back could confirm it, and one that missed the record would resend a write the
            // server had applied (and refuses the second time).
            return await client.call(endpoint, path: request.path, parameters: request.parameters, as: EmptyPayload.self).map { _ in .null }
        }
        return await client.call(endpoint, path: request.path, parameters: request.parameters, as: JSONValue.self)
    }
}
