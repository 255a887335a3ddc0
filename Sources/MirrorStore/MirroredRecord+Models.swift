import VolunteerAPI

/// How each documented structure becomes a mirrored record. Context the record itself lacks
/// (a diagnosis of §2.2.9 carries no project id) is given by the list it was fetched from.
extension MirroredRecord {
    public static func project(_ project: Project, raw: JSONValue) -> MirroredRecord {
        MirroredRecord(
            .projects, id: project.id,
            columns: [
                "date": .init(project.date), "begin": .init(project.begin), "end": .init(project.end),
                "doctor_id": .init(project.doctor?.id), "hospital_id": .init(project.hospital?.id),
                "status": .init(project.status), "progress_status": .init(project.progressStatus),
                "project_status": .init(project.projectStatus), "is_join": .init(project.isJoined),
            ], raw: raw)
    }

    public static func diagnosis(_ diagnosis: Diagnosis, raw: JSONValue, projectID: Int? = nil, doctorID: Int? = nil) -> MirroredRecord {
        MirroredRecord(
            .diagnoses, id: diagnosis.id,
            columns: [
                "project_id": .init(projectID), "patient_id": .init(diagnosis.patient?.id), "doctor_id": .init(doctorID),
                "assistant_id": .init(diagnosis.assistantUserID), "verify_status": .init(diagnosis.verifyStatus),
                "status": .init(diagnosis.status), "visit_time": .init(diagnosis.visitTime), "refund_status": .init(diagnosis.refundStatus),
            ], raw: raw)
    }

    public static func systemMessage(_ message: SystemMessage, raw: JSONValue) -> MirroredRecord {
        MirroredRecord(.systemMessages, id: message.id, columns: ["type": .init(message.type), "publish_time": .init(message.publishTime)], raw: raw)
    }

    public static func chatDialog(_ dialog: ChatDialog, raw: JSONValue) -> MirroredRecord {
        MirroredRecord(
            .chatDialogs, id: dialog.id,
            columns: [
                "patient_user_id": .init(dialog.patientUserID), "doctor_user_id": .init(dialog.doctorUserID),
                "last_msg_id": .init(dialog.lastMessageID.flatMap { Int($0) }),
            ], raw: raw)
    }

    public static func chatMessage(_ message: ChatMessage, raw: JSONValue, dialogID: String? = nil) -> MirroredRecord {
        MirroredRecord(
            .chatMessages, id: message.id,
            columns: [
                "dialog_id": .init(message.dialogID ?? dialogID), "from_user_id": .init(message.fromUserID),
                "to_user_id": .init(message.toUserID), "is_read": .init(message.isRead),
            ], raw: raw)
    }

    public static func user(_ user: UserProfile, raw: JSONValue) -> MirroredRecord {
        var columns: [String: MirrorValue] = ["role": .integer(user.role.rawValue), "real_name": .init(user.realName)]
        if case .doctor(let doctor) = user {
            columns["hospital"] = .init(doctor.hospital)
            columns["departments"] = .init(doctor.departments)
            columns["job_position"] = .init(doctor.jobPosition)
            columns["score"] = .init(doctor.score?.text)
        }
        return MirroredRecord(.users, id: user.id, columns: columns, raw: raw)
    }

    public static func hospital(_ hospital: Hospital, raw: JSONValue) -> MirroredRecord {
        MirroredRecord(.hospitals, id: hospital.id, columns: ["name": .init(hospital.name)], raw: raw)
    }

    public static func organisation(_ organisation: Organisation, raw: JSONValue) -> MirroredRecord {
        MirroredRecord(.organisations, id: organisation.id, columns: ["name": .init(organisation.name)], raw: raw)
    }

    public static func membership(_ membership: OrgMembership, raw: JSONValue) -> MirroredRecord {
        MirroredRecord(
            .memberships, id: membership.id,
            columns: ["org_id": .init(membership.organisationID), "verify_status": .init(membership.verifyStatus)], raw: raw)
    }

    public static func news(_ news: News, raw: JSONValue) -> MirroredRecord {
        MirroredRecord(.news, id: news.id, columns: ["publish_time": .init(news.publishTime)], raw: raw)
    }

    public static func banner(_ banner: Banner, raw: JSONValue) -> MirroredRecord {
        MirroredRecord(.banners, id: banner.id, columns: [:], raw: raw)
    }

    public static func specialProject(_ project: SpecialProject, raw: JSONValue) -> MirroredRecord {
        MirroredRecord(.specialProjects, id: project.id, columns: ["date": .init(project.date)], raw: raw)
    }

    /// A region; one that does not name its parent takes the region it was listed under.
    public static func city(_ city: City, raw: JSONValue, parentID: Int? = nil) -> MirroredRecord {
        MirroredRecord(
            .cities, id: city.id, columns: ["parent_id": .init(city.parentID ?? parentID), "name": .init(city.name), "sort": .init(city.sort)],
            raw: raw)
    }

    /// One of a patient's visits, as `/all_diagnoses/{id}` lists them (§3.2.22).
    public static func visit(_ visit: DiagnosisRecord, raw: JSONValue) -> MirroredRecord {
        MirroredRecord(
            .visits, id: visit.id,
            columns: [
                "patient_id": .init(visit.userID), "doctor_id": .init(visit.doctorUserID), "project_id": .init(visit.projectID),
                "status": .init(visit.status), "visit_time": .init(visit.visitTime),
            ], raw: raw)
    }

    /// A diagnosis seen as a review of its doctor; the doctor comes from the list it was read from.
    public static func review(_ diagnosis: Diagnosis, raw: JSONValue, doctorID: Int?) -> MirroredRecord {
        MirroredRecord(
            .reviews, id: diagnosis.id,
            columns: [
                "doctor_id": .init(doctorID), "doctor_score": .init(diagnosis.doctorScore),
                "patient_comment_time": .init(diagnosis.patientCommentTime),
            ], raw: raw)
    }

    /// A case record; a casebook that does not name its project takes the one it was read for.
    public static func casebook(_ casebook: Casebook, raw: JSONValue, projectID: Int? = nil) -> MirroredRecord {
        MirroredRecord(
            .casebooks, id: casebook.id, columns: ["project_id": .init(casebook.projectID ?? projectID), "user_id": .init(casebook.userID)],
            raw: raw)
    }

    /// A composite answer kept whole.
    public static func page(_ page: MirrorPage, raw: JSONValue) -> MirroredRecord {
        MirroredRecord(.pages, id: page.rawValue, columns: [:], raw: raw)
    }
}
