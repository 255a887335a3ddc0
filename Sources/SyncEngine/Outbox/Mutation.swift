import VolunteerAPI

/// One write a front end asks for, in domain terms, for every documented write of the API.
/// It is what an outbox entry stores (Codable), and it knows, in its facets:
/// validation (`Mutation+Validation`), dependency chains and optimistic effect
/// (`Mutation+Effect`), the request (`Mutation+Request`) and the read-back check that tells
/// from the server's documented reads whether it took effect (`Mutation+ReadBack`).
///
/// Ids may be temporary (negative: a record created offline) and photos may be uploads still
/// pending; both are resolved just before sending.
public enum Mutation: Sendable, Hashable, Codable {
    /// `POST /imgupload`: a photo taken offline (its bytes are the entry's blob).
    case uploadPhoto(contentType: String, filename: String)
    /// `PUT /user`: profile fields by wire name, as the role's section of the document lists them.
    case completeProfile(fields: [String: JSONValue])
    /// `GET /follow/user/{id}`.
    case follow(doctorID: Int)
    /// `DELETE /follow/user/{id}`.
    case unfollow(doctorID: Int)
    /// `POST /project`.
    case publishProject(NewProject)
    /// `GET /project/{id}/cancel`.
    case cancelProject(projectID: Int)
    /// `POST /diagnoses/{id}/reject`.
    case rejectDiagnosis(diagnosisID: Int, reason: String)
    /// `GET /diagnoses/{id}/done`.
    case markDiagnosisDone(diagnosisID: Int)
    /// `POST /doctor/diagnoses/{id}/comment`.
    case ratePatient(diagnosisID: Int, honesty: Int, punctuality: Int)
    /// `PUT /diagnoses/{id}`.
    case recordDiagnosisResult(diagnosisID: Int, result: String, photos: [PhotoReference])
    /// `POST /org_add/{org_id}`; `membershipID` is the temporary id of the membership it creates.
    case joinOrganisation(organisationID: Int, membershipID: Int)
    /// `DELETE /org_remove/{id}`.
    case leaveOrganisation(membershipID: Int)
    /// `POST /project/{id}/join` (patient); `diagnosisID` is the temporary id of the booking.
    case joinProject(projectID: Int, description: String, photos: [PhotoReference], slot: String?, diagnosisID: Int)
    /// `GET /custom/project/{id}/cancel` (patient).
    case cancelProjectJoin(projectID: Int)
    /// `POST /custom/diagnoses/{id}/comment` (patient).
    case rateDoctor(diagnosisID: Int, score: Int, comment: String)
    /// `POST /assistant/bind/patient`.
    case bindPatient(phone: String, verifyCode: String)
    /// `POST /assistant/create/patient`; `patientID` is the temporary id of the new patient.
    case createPatient(NewPatient, patientID: Int)
    /// `POST /assistant/join/project/{id}`; `diagnosisID` is the temporary id of the booking.
    case joinProjectForPatient(projectID: Int, patientID: Int, slot: String, diagnosisID: Int)
    /// `GET /assistant/diagnoses/{id}/cancel`.
    case cancelForPatient(diagnosisID: Int)
    /// `POST /chat`; `messageID` is the temporary id of the message.
    case sendChatMessage(toUserID: Int, content: String, photos: [PhotoReference], messageID: Int)

    /// The kind of this mutation.
    public var kind: MutationKind {
        switch self {
        case .uploadPhoto: .uploadPhoto
        case .completeProfile: .completeProfile
        case .follow: .follow
        case .unfollow: .unfollow
        case .publishProject: .publishProject
        case .cancelProject: .cancelProject
        case .rejectDiagnosis: .rejectDiagnosis
        case .markDiagnosisDone: .markDiagnosisDone
        case .ratePatient: .ratePatient
        case .recordDiagnosisResult: .recordDiagnosisResult
        case .joinOrganisation: .joinOrganisation
        case .leaveOrganisation: .leaveOrganisation
        case .joinProject: .joinProject
        case .cancelProjectJoin: .cancelProjectJoin
        case .rateDoctor: .rateDoctor
        case .bindPatient: .bindPatient
        case .createPatient: .createPatient
        case .joinProjectForPatient: .joinProjectForPatient
        case .cancelForPatient: .cancelForPatient
        case .sendChatMessage: .sendChatMessage
        }
    }
}

/// The kinds of mutation, named as the local interface's methods name them.
public enum MutationKind: String, Sendable, Hashable, CaseIterable, Codable {
    case uploadPhoto = "photo.upload"
    case completeProfile = "profile.complete"
    case follow = "doctor.follow"
    case unfollow = "doctor.unfollow"
    case publishProject = "project.publish"
    case cancelProject = "project.cancel"
    case rejectDiagnosis = "diagnosis.reject"
    case markDiagnosisDone = "diagnosis.markDone"
    case ratePatient = "diagnosis.ratePatient"
    case recordDiagnosisResult = "diagnosis.recordResult"
    case joinOrganisation = "organisation.join"
    case leaveOrganisation = "organisation.leave"
    case joinProject = "booking.join"
    case cancelProjectJoin = "booking.cancel"
    case rateDoctor = "diagnosis.rateDoctor"
    case bindPatient = "patient.bind"
    case createPatient = "patient.create"
    case joinProjectForPatient = "booking.joinForPatient"
    case cancelForPatient = "booking.cancelForPatient"
    case sendChatMessage = "chat.send"

    /// The documented endpoint the kind sends.
    public var endpoint: Endpoint {
        switch self {
        case .uploadPhoto: .imageUpload
        case .completeProfile: .completeProfile
        case .follow: .follow
        case .unfollow: .unfollow
        case .publishProject: .publishProject
        case .cancelProject: .cancelProject
        case .rejectDiagnosis: .rejectDiagnosis
        case .markDiagnosisDone: .markDiagnosisDone
        case .ratePatient: .ratePatient
        case .recordDiagnosisResult: .recordDiagnosisResult
        case .joinOrganisation: .joinOrganisation
        case .leaveOrganisation: .leaveOrganisation
        case .joinProject: .projectJoin
        case .cancelProjectJoin: .cancelProjectJoin
        case .rateDoctor: .rateDoctor
        case .bindPatient: .bindPatient
        case .createPatient: .createPatient
        case .joinProjectForPatient: .joinProjectOnBehalf
        case .cancelForPatient: .cancelDiagnosisOnBehalf
        case .sendChatMessage: .sendChatMessage
        }
    }

    /// The roles that may make it (the endpoint's).
    public var roles: Set<UserRole> { endpoint.roles }
}

/// A photo a mutation carries: a URL the server already has, or an upload entry of the outbox
/// whose answered URL replaces it before the mutation is sent.
public enum PhotoReference: Sendable, Hashable, Codable {
    case url(String)
    case upload(entryID: Int)
}

/// The fields of a project to publish (`POST /project`), in domain terms.
public struct NewProject: Sendable, Hashable, Codable {
    public var date: String
    public var begin: String
    public var end: String
    public var capacity: Int
    public var longitude: String
    public var latitude: String
    public var address: String
    public var serviceTargets: [String]
    public var description: String
    public var price: Int
    /// The temporary id of the project until the server answers its own.
    public var projectID: Int
}

/// A patient created by an assistant (`POST /assistant/create/patient`): the profile by wire
/// name (without the password) and the new account's password.
public struct NewPatient: Sendable, Hashable, Codable {
    public var fields: [String: JSONValue]
    public var password: String

    /// The ID-card number: how the new patient is found again (the API answers no id).
    public var idCardNumber: String {
        if case .string(let number)? = fields["idno"] { return number }
        return ""
    }
}
