import Foundation
import LocalRPC
import MirrorStore
import SyncEngine
import VolunteerAPI

extension LocalAPI {
    /// A photo: a URL the server has, or bytes taken offline (uploaded first).
    static let photoSchema = RPCSchema.oneOf([
        RPCSchema.string(description: "an http(s) URL"),
        RPCSchema.object(
            [
                "data": RPCSchema.string(description: "base64"), "content_type": RPCSchema.enumeration(ImageType.contentTypes),
                "filename": RPCSchema.string(),
            ],
            required: ["data", "content_type"]),
    ])

    static let mutationResultSchema = RPCSchema.object(
        [
            "mutation_id": RPCSchema.integer(description: "the local id of the mutation"),
            "state": RPCSchema.enumeration(OutboxState.allCases.map(\.rawValue)),
            "created_id": RPCSchema.integer(description: "the temporary (negative) id of a record it creates, if any"),
            "uploads": RPCSchema.array(of: RPCSchema.integer(), description: "local ids of the photo uploads enqueued before it"),
        ], required: ["mutation_id", "state"])

    func mutationMethods() -> [RPCMethod] {
        MutationKind.allCases.map { kind in
            RPCMethod(
                kind.rawValue, summary: Self.summary(kind),
                description: "Answers as soon as the mutation is durable; the outbox applies it upstream exactly once (docs/outbox.md).",
                access: .write, params: Self.params(kind), result: .init("mutation", Self.mutationResultSchema)
            ) { params, request in
                guard let context = await agent.mutationContext else { throw RPCError.notLoggedIn() }
                let entries: [OutboxEntry]
                do {
                    entries = try await agent.outbox.submit(kind, parameters: params.values, context: context)
                } catch let error as MutationError {
                    switch error {
                    case .invalidParameter(let field, let reason): throw RPCError.invalidParams(field: field, problem: reason)
                    case .notAllowed: throw RPCError.roleNotAllowed(error.description)
                    case .notLoggedIn: throw RPCError.notLoggedIn()
                    }
                } catch let failure as StorageError {
                    // The operator must hear of a full or failing disk; the client gets -32030/-32031.
                    request.logger.error(
                        "mutation not saved: the disk refused it",
                        metadata: ["cause": "\(failure.cause.rawValue)", "may_reappear": "\(failure.mayReappear)", "detail": "\(failure.detail)"])
                    throw RPCError.storage(failure)
                }
                guard let entry = entries.last else { throw RPCError.internalError() }
                var result: [String: JSONValue] = [
                    "mutation_id": .integer(entry.id), "state": .string(entry.state.rawValue),
                    "uploads": .array(entries.dropLast().map { .integer($0.id) }),
                ]
                if let mutation = try? JSONValueDecoder().decode(Mutation.self, from: entry.arguments),
                    let created = mutation.createdRecord
                {
                    result["created_id"] = .integer(created.id)
                }
                return .object(result)
            }
        }
    }

    static func summary(_ kind: MutationKind) -> String {
        switch kind {
        case .uploadPhoto: "Uploads a photo taken offline (POST /imgupload); its URL is the mutation's result."
        case .completeProfile: "Completes the user's profile (PUT /user); fields by their documented names for the role."
        case .follow: "Follows a doctor (patient, assistant)."
        case .unfollow: "Stops following a doctor (patient, assistant)."
        case .publishProject: "Publishes a clinic project (doctor)."
        case .cancelProject: "Cancels a project (doctor)."
        case .rejectDiagnosis: "Rejects a booking, with a reason (doctor)."
        case .markDiagnosisDone: "Marks a booking seen (doctor)."
        case .ratePatient: "Rates the patient of a seen booking (doctor)."
        case .recordDiagnosisResult: "Records the diagnosis result and photos (doctor)."
        case .joinOrganisation: "Applies to an organisation (doctor)."
        case .leaveOrganisation: "Leaves an organisation, by membership id (doctor)."
        case .joinProject: "Books the patient into a project, with a case description (patient)."
        case .cancelProjectJoin: "Cancels the patient's booking of a project (patient)."
        case .rateDoctor: "Rates the doctor of a seen booking (patient)."
        case .bindPatient: "Binds an existing patient by phone and SMS code (assistant)."
        case .createPatient: "Creates a patient account (assistant); it gets a temporary id at once."
        case .joinProjectForPatient: "Books one of the assistant's patients into a project (assistant)."
        case .cancelForPatient: "Cancels a booking the assistant made (assistant)."
        case .sendChatMessage: "Sends a chat message (patient, doctor)."
        }
    }

    static func params(_ kind: MutationKind) -> [RPCMethod.Param] {
        let id = { (name: String, summary: String) in RPCMethod.Param.required(name, RPCSchema.integer(), summary: summary) }
        let photos = { (maximum: Int) in RPCMethod.Param.optional("photos", RPCSchema.array(of: photoSchema, description: "at most \(maximum)")) }
        switch kind {
        case .uploadPhoto:
            return [
                .required(
                    "photo",
                    RPCSchema.array(
                        of: RPCSchema.object(
                            [
                                "data": RPCSchema.string(description: "base64"), "content_type": RPCSchema.enumeration(ImageType.contentTypes),
                                "filename": RPCSchema.string(),
                            ],
                            required: ["data", "content_type"]), description: "exactly one photo given as bytes"))
            ]
        case .completeProfile, .createPatient:
            let endpoint: Endpoint = kind == .createPatient ? .createPatient : .completeProfile
            var params: [RPCMethod.Param] = endpoint.parameters.filter { $0.location == .body && $0.name != "pwd" }.map { parameter in
                let schema: JSONValue =
                    switch parameter.type {
                    case .integer: RPCSchema.integer(description: parameter.summary)
                    case .array: RPCSchema.array(of: RPCSchema.string(), description: parameter.summary)
                    default: RPCSchema.string(description: parameter.summary)
                    }
                let roles = parameter.roles.count == UserRole.allCases.count ? "" : " (\(parameter.roles.map(roleName).sorted().joined(separator: ", ")))"
                return RPCMethod.Param(parameter.name, required: false, schema: schema, summary: (parameter.isRequired ? "required" : "optional") + roles)
            }
            if kind == .createPatient { params.append(.required("password", RPCSchema.string(description: "6-64 characters"))) }
            return params
        case .follow, .unfollow: return [id("doctor_id", "the doctor's user id")]
        case .publishProject:
            return [
                .required("date", RPCSchema.string(description: "yyyy-MM-dd")), .required("begin", RPCSchema.string(description: "HH:mm:ss")),
                .required("end", RPCSchema.string(description: "HH:mm:ss")), .required("capacity", RPCSchema.integer(description: "patients")),
                .required("longitude", RPCSchema.string()), .required("latitude", RPCSchema.string()), .required("address", RPCSchema.string()),
                .required("service_targets", RPCSchema.array(of: RPCSchema.string())), .required("description", RPCSchema.string()),
                .required("price", RPCSchema.integer(description: "registration deposit")),
            ]
        case .cancelProject, .cancelProjectJoin: return [id("project_id", "the project")]
        case .rejectDiagnosis: return [id("diagnosis_id", "the booking"), .required("reason", RPCSchema.string())]
        case .markDiagnosisDone, .cancelForPatient: return [id("diagnosis_id", "the booking")]
        case .ratePatient:
            return [
                id("diagnosis_id", "the booking"), .required("honesty", RPCSchema.integer(description: "1-5")),
                .required("punctuality", RPCSchema.integer(description: "1-5")),
            ]
        case .recordDiagnosisResult:
            return [id("diagnosis_id", "the booking"), .required("result", RPCSchema.string()), photos(9)]
        case .joinOrganisation: return [id("organisation_id", "the organisation")]
        case .leaveOrganisation: return [id("membership_id", "the membership, as memberships.list shows it")]
        case .joinProject:
            return [
                id("project_id", "the project"), .required("description", RPCSchema.string(description: "the case")), photos(3),
                .optional("slot", RPCSchema.string(description: "e.g. 09:00:00 - 09:30:00")),
            ]
        case .rateDoctor:
            return [id("diagnosis_id", "the booking"), .required("score", RPCSchema.integer(description: "1-5")), .required("comment", RPCSchema.string())]
        case .bindPatient:
            return [.required("phone", RPCSchema.string()), .required("verify_code", RPCSchema.string(description: "the SMS code the patient received"))]
        case .joinProjectForPatient:
            return [
                id("project_id", "the project"), id("patient_id", "the patient (a temporary id waits for its creation)"),
                .required("slot", RPCSchema.string(description: "e.g. 09:00:00 - 09:30:00")),
            ]
        case .sendChatMessage:
            return [id("to_user_id", "the other person"), .required("content", RPCSchema.string(description: "at most 256 characters")), photos(3)]
        }
    }
}
