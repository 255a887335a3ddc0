import Foundation
import GRDB
import VolunteerAPI

/// The doctor's side of the API (§3.2): reading, rejecting, confirming, rating and recording
/// diagnoses, the doctor's patient and comment lists, the home page, a patient's history,
/// the doctor's assistants and organisation memberships; with them the public list of a
/// doctor's comments (§3.3.6) and the organisation list (§3.2.18b), which share their rules.
enum DoctorRoutes {
    /// Every endpoint of the group and its handler.
    static let routes: [Endpoint: Handler] = [
        // §3.2.9-3.2.13: read, reject, confirm, rate, record the result.
        .diagnosis: diagnosis,
        .rejectDiagnosis: rejectDiagnosis,
        .markDiagnosisDone: markDiagnosisDone,
        .ratePatient: ratePatient,
        .recordDiagnosisResult: recordDiagnosisResult,
        // §3.2.18, §3.3.6, §3.2.8, §3.2.16, §3.2.22, §3.2.1: comments, patients, home, history, assistants.
        .doctorComments: doctorComments,
        .doctorCommentsById: doctorCommentsById,
        .doctorProjectPatients: doctorProjectPatients,
        .doctorIndex: doctorIndex,
        .patientDiagnosisRecords: patientDiagnosisRecords,
        .doctorAssistants: doctorAssistants,
        // §3.2.18b-3.2.21: the organisation list, applying, leaving, the doctor's memberships.
        .organisations: organisations,
        .joinOrganisation: joinOrganisation,
        .leaveOrganisation: leaveOrganisation,
        .myOrganisations: myOrganisations,
    ]

    // MARK: - One diagnosis

    static func diagnosis(_ call: Call) async throws -> any Encodable & Sendable {
        let caller = try call.requireCaller()
        let id = try call.pathID()
        return try await call.database.read { db in
            let row = try DoctorDesk.diagnosis(db, id)
            guard try DoctorDesk.mayRead(db, row, caller) else { throw CallError(.forbidden, "无权查看此诊断") }
            return try Presenter(db: db, caller: caller, now: call.now).diagnosis(row)
        }
    }

    static func rejectDiagnosis(_ call: Call) async throws -> any Encodable & Sendable {
        let caller = try call.requireCaller()
        let id = try call.pathID()
        let reason = try call.parameters.requiredString("reject_msg", maxLength: DoctorDesk.maxRejectLength)
        try await call.database.write { db in
            _ = try DoctorDesk.ownDiagnosis(db, id, caller)
            try Booking.end(db, diagnosisID: id, as: .rejected, reason: reason, now: call.now)
        }
        return EmptyPayload()
    }

    static func markDiagnosisDone(_ call: Call) async throws -> any Encodable & Sendable {
        let caller = try call.requireCaller()
        let id = try call.pathID()
        try await call.database.write { db in
            _ = try DoctorDesk.ownDiagnosis(db, id, caller)
            try Booking.markDone(db, diagnosisID: id, now: call.now)
        }
        return EmptyPayload()
    }

    static func ratePatient(_ call: Call) async throws -> any Encodable & Sendable {
        let caller = try call.requireCaller()
        let id = try call.pathID()
        let credit = try call.parameters.requiredInt("patient_credit_score", in: DoctorDesk.scores)
        let punctuality = try call.parameters.requiredInt("patient_punctuality_score", in: DoctorDesk.scores)
        try await call.database.write { db in
            let row = try DoctorDesk.ownDiagnosis(db, id, caller)
            try DoctorDesk.requireSeen(row, "确认就诊后才能评价患者")
            // One rating per visit: the patient's averages must not be skewed by re-rating.
            guard (row["doctor_comment_time"] as String?) == nil, (row["patient_credit_score"] as Int) == 0 else {
                throw CallError(.conflict, "已评价过该患者")
            }
            try db.execute(
                sql: """
                    UPDATE diagnosis SET patient_credit_score = ?, patient_punctuality_score = ?, doctor_comment_time = ?, updated_at = ?
                    WHERE id = ?
                    """,
                arguments: [credit, punctuality, call.timestamp, call.timestamp, id])
        }
        return EmptyPayload()
    }

    static func recordDiagnosisResult(_ call: Call) async throws -> any Encodable & Sendable {
        let caller = try call.requireCaller()
        let id = try call.pathID()
        let result = try call.parameters.requiredString("diag_result", maxLength: DoctorDesk.maxResultLength)
        let photos = try call.parameters.strings("diag_photo", maxCount: DoctorDesk.maxResultPhotos, maxLength: DoctorDesk.maxURLLength)
        // Without diag_photo the photos stay as they are, so correcting the text keeps them;
        // an explicit empty list clears them.
        let replacesPhotos = call.parameters["diag_photo"] != nil
        try await call.database.write { db in
            let row = try DoctorDesk.ownDiagnosis(db, id, caller)
            try DoctorDesk.requireSeen(row, "确认就诊后才能填写诊断结果")
            if replacesPhotos {
                try db.execute(
                    sql: "UPDATE diagnosis SET diag_result = ?, diag_photo = ?, updated_at = ? WHERE id = ?",
                    arguments: [result, Presenter.listColumn(photos), call.timestamp, id])
            } else {
                try db.execute(
                    sql: "UPDATE diagnosis SET diag_result = ?, updated_at = ? WHERE id = ?",
                    arguments: [result, call.timestamp, id])
            }
        }
        return EmptyPayload()
    }

    // MARK: - The doctor's lists

    static func doctorComments(_ call: Call) async throws -> any Encodable & Sendable {
        let caller = try call.requireCaller()
        let paging = try Paging(call.parameters)
        return try await call.database.read { db in
            let presenter = Presenter(db: db, caller: caller, now: call.now)
            return try paging.list(
                db, select: "SELECT * FROM diagnosis WHERE doctor_user_id = ? AND doctor_score > 0",
                orderBy: "patient_comment_time DESC, id DESC", arguments: [caller.userID]
            ) { try presenter.diagnosis($0) }
        }
    }

    static func doctorCommentsById(_ call: Call) async throws -> any Encodable & Sendable {
        let doctorID = try call.pathID()
        let paging = try Paging(call.parameters)
        return try await call.database.read { db in
            guard try Int.fetchOne(db, sql: "SELECT id FROM user WHERE id = ? AND type = \(UserRole.doctor.rawValue)", arguments: [doctorID]) != nil else {
                throw CallError.notFound("医生")
            }
            let presenter = Presenter(db: db, caller: call.caller, now: call.now)
            return try paging.list(
                db,
                select: "SELECT * FROM diagnosis WHERE doctor_user_id = ? AND doctor_score > 0 AND doctor_comment_show = 1",
                orderBy: "patient_comment_time DESC, id DESC", arguments: [doctorID]
            ) { DoctorDesk.publicComment(try presenter.diagnosis($0)) }
        }
    }

    static func doctorProjectPatients(_ call: Call) async throws -> any Encodable & Sendable {
        let caller = try call.requireCaller()
        let status = try call.parameters.int("status", in: 1...3)
        let paging = try Paging(call.parameters)
        return try await call.database.read { db in
            let presenter = Presenter(db: db, caller: caller, now: call.now)
            var select = "SELECT * FROM diagnosis WHERE doctor_user_id = ? AND verify_status = \(BookingStatus.booked.rawValue)"
            var arguments: StatementArguments = [caller.userID]
            if let status {
                select += " AND status = ?"
                arguments += [status]
            }
            return try paging.list(db, select: select, orderBy: "visit_time, id", arguments: arguments) { try presenter.diagnosis($0) }
        }
    }

    static func doctorIndex(_ call: Call) async throws -> any Encodable & Sendable {
        let caller = try call.requireCaller()
        return try await call.database.read { db in
            let presenter = Presenter(db: db, caller: caller, now: call.now)
            guard let doctor = try presenter.doctor(id: caller.userID) else { throw CallError.notFound("医生") }
            let news = try Row.fetchAll(
                db, sql: "SELECT * FROM news WHERE type = \(UserRole.doctor.rawValue) ORDER BY publish_time DESC, id DESC LIMIT ?",
                arguments: [DoctorDesk.indexNewsCount]
            ).map(presenter.news)
            // Upcoming and in-progress projects: the ones not over by ProjectState's rule.
            let projects = try Row.fetchAll(
                db, sql: "SELECT * FROM project WHERE doctor_id = ? AND status = \(ProjectStatus.active.rawValue) AND date >= ? ORDER BY date, begin, id",
                arguments: [caller.userID, presenter.today]
            )
            .filter { !ProjectState(row: $0, now: call.now).isOver }
            .map { try presenter.project($0) }
            let diagnoses = try Row.fetchAll(
                db,
                sql: """
                    SELECT diagnosis.* FROM diagnosis JOIN project ON project.id = diagnosis.project_id
                    WHERE diagnosis.doctor_user_id = ? AND diagnosis.verify_status = \(BookingStatus.booked.rawValue) AND diagnosis.status = \(VisitStatus.waiting.rawValue)
                      AND project.status = \(ProjectStatus.active.rawValue) AND project.date = ?
                    ORDER BY diagnosis.visit_time, diagnosis.id
                    """,
                arguments: [caller.userID, presenter.today]
            ).map { try presenter.diagnosis($0) }
            return DoctorIndex(news: news, doctor: doctor, projects: projects, diagnoses: diagnoses)
        }
    }

    static func patientDiagnosisRecords(_ call: Call) async throws -> any Encodable & Sendable {
        let caller = try call.requireCaller()
        let patientID = try call.pathID()
        return try await call.database.read { db in
            guard try Int.fetchOne(db, sql: "SELECT id FROM user WHERE id = ? AND type = \(UserRole.patient.rawValue)", arguments: [patientID]) != nil
            else {
                throw CallError.notFound("患者")
            }
            // A doctor sees a patient's history only once the patient has come to them.
            let shared =
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM diagnosis WHERE user_id = ? AND doctor_user_id = ?",
                    arguments: [patientID, caller.userID]) ?? 0
            guard shared > 0 else { throw CallError(.forbidden, "该患者未在您的义诊挂号，无权查看病例") }
            let presenter = Presenter(db: db, caller: caller, now: call.now)
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM diagnosis WHERE user_id = ? ORDER BY created_at DESC, id DESC", arguments: [patientID])
            return RecordArray(try rows.map { try presenter.diagnosisRecord($0) })
        }
    }

    static func doctorAssistants(_ call: Call) async throws -> any Encodable & Sendable {
        let caller = try call.requireCaller()
        return try await call.database.read { db in
            let presenter = Presenter(db: db, caller: caller, now: call.now)
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM user WHERE type = \(UserRole.assistant.rawValue) AND id IN (
                        SELECT assistant_user_id FROM diagnosis WHERE doctor_user_id = ? AND assistant_user_id > 0)
                    ORDER BY id
                    """,
                arguments: [caller.userID])
            return RecordList(try rows.map { try presenter.assistant($0) })
        }
    }

    // MARK: - Organisations

    static func organisations(_ call: Call) async throws -> any Encodable & Sendable {
        let keyword = try KeywordSearch(call.parameters)
        let paging = try Paging(call.parameters)
        return try await call.database.read { db in
            let presenter = Presenter(db: db, caller: call.caller, now: call.now)
            var select = "SELECT * FROM org"
            var arguments: StatementArguments = []
            if let keyword {
                select += #" WHERE name LIKE ? ESCAPE '\'"#
                arguments += [keyword.likePattern]
            }
            return try paging.list(db, select: select, orderBy: "id", arguments: arguments) { presenter.organisation($0) }
        }
    }

    static func joinOrganisation(_ call: Call) async throws -> any Encodable & Sendable {
        let caller = try call.requireCaller()
        let orgID = try call.pathID("org_id")
        try await call.database.write { db in
            guard try Int.fetchOne(db, sql: "SELECT id FROM org WHERE id = ?", arguments: [orgID]) != nil else {
                throw CallError.notFound("组织")
            }
            let existing =
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM org_member WHERE org_id = ? AND doctor_id = ?", arguments: [orgID, caller.userID]) ?? 0
            guard existing == 0 else { throw CallError(.conflict, "已申请加入该组织") }
            // The document has no review step: vdapi approves an application on receipt.
            try db.execute(
                sql: "INSERT INTO org_member (org_id, doctor_id, verify_status, created_at) VALUES (?, ?, ?, ?)",
                arguments: [orgID, caller.userID, MembershipStatus.approved.rawValue, call.timestamp])
        }
        return EmptyPayload()
    }

    static func leaveOrganisation(_ call: Call) async throws -> any Encodable & Sendable {
        let caller = try call.requireCaller()
        let id = try call.pathID()
        try await call.database.write { db in
            guard let owner = try Int.fetchOne(db, sql: "SELECT doctor_id FROM org_member WHERE id = ?", arguments: [id]) else {
                throw CallError.notFound("组织申请")
            }
            guard owner == caller.userID else { throw CallError(.forbidden, "只能退出自己加入的组织") }
            try db.execute(sql: "DELETE FROM org_member WHERE id = ?", arguments: [id])
        }
        return EmptyPayload()
    }

    static func myOrganisations(_ call: Call) async throws -> any Encodable & Sendable {
        let caller = try call.requireCaller()
        let paging = try Paging(call.parameters)
        return try await call.database.read { db in
            let presenter = Presenter(db: db, caller: caller, now: call.now)
            return try paging.list(
                db, select: "SELECT * FROM org_member WHERE doctor_id = ?", orderBy: "id", arguments: [caller.userID]
            ) { try presenter.membership($0) }
        }
    }
}

/// The rules the doctor's routes share: who may see or change a diagnosis, the limits of
/// what a doctor writes, and what the public sees of a comment.
private enum DoctorDesk {
    static let maxRejectLength = 200
    static let maxResultLength = 2_000
    static let maxResultPhotos = 9
    static let maxURLLength = 1_000
    static let indexNewsCount = 5
    static let scores = 1...5

    static func diagnosis(_ db: Database, _ id: Int) throws -> Row {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM diagnosis WHERE id = ?", arguments: [id]) else {
            throw CallError.notFound("诊断")
        }
        return row
    }

    /// The diagnosis, when `caller` is its doctor; otherwise refused before anything changes.
    static func ownDiagnosis(_ db: Database, _ id: Int, _ caller: Caller) throws -> Row {
        let row = try diagnosis(db, id)
        guard (row["doctor_user_id"] as Int) == caller.userID else { throw CallError(.forbidden, "不是您的义诊的诊断") }
        return row
    }

    /// Its doctor, its patient, and the assistants bound to its patient may read a diagnosis.
    static func mayRead(_ db: Database, _ row: Row, _ caller: Caller) throws -> Bool {
        let patientID: Int = row["user_id"]
        switch caller.role {
        case .doctor: return (row["doctor_user_id"] as Int) == caller.userID
        case .patient: return patientID == caller.userID
        case .assistant:
            return try Int.fetchOne(
                db, sql: "SELECT 1 FROM assistant_patient WHERE assistant_id = ? AND patient_id = ?",
                arguments: [caller.userID, patientID]) != nil
        }
    }

    /// Ratings and results belong to a visit that took place.
    static func requireSeen(_ row: Row, _ message: String) throws {
        guard BookingStatus(rawValue: row["verify_status"]) == .booked, VisitStatus(rawValue: row["status"]) == .seen else {
            throw CallError(.conflict, message)
        }
    }

    /// A comment as anyone may see it on a doctor's page: the rating and the words, with the
    /// patient shown as §3.2.22 shows a user (id, name, avatar) and without the medical record.
    static func publicComment(_ diagnosis: Diagnosis) -> Diagnosis {
        var shown = diagnosis
        shown.casebook = nil
        shown.result = nil
        shown.resultPhotos = []
        shown.patient = diagnosis.patient.map { Patient(id: $0.id, realName: $0.realName, avatars: $0.avatars) }
        return shown
    }
}
