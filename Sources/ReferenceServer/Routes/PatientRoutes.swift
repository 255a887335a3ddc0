import Foundation
import GRDB
import VolunteerAPI

/// The patient's own pages (§3.3.12-3.3.20): followed doctors, registrations by state, the
/// diagnoses awaiting a rating and their rating, refunds, assistants, the personal centre,
/// the home page and the order query.
enum PatientRoutes {
    /// Every endpoint of the group and its handler.
    static let routes: [Endpoint: Handler] = [
        .patientFollows: PersonalPages.followedDoctors,
        .patientDiagnoses: patientDiagnoses,
        .diagnosesAwaitingComment: diagnosesAwaitingComment,
        .refundDiagnoses: refundDiagnoses,
        .patientAssistants: patientAssistants,
        .rateDoctor: rateDoctor,
        .patientCenter: PersonalPages.center,
        .patientHomepage: patientHomepage,
        .orderQuery: orderQuery,
    ]

    static func patientDiagnoses(_ call: Call) async throws -> any Encodable & Sendable {
        let caller = try call.requireCaller()
        let paging = try Paging(call.parameters)
        let state: String
        let codes = PatientDiagnosisFilter.allCases.map(\.rawValue)
        switch try call.parameters.int("type", in: codes.min()!...codes.max()!).flatMap(PatientDiagnosisFilter.init(rawValue:)) {
        case nil: state = ""
        case .booked?: state = " AND verify_status = \(BookingStatus.booked.rawValue) AND status = \(VisitStatus.waiting.rawValue)"
        case .failed?: state = " AND verify_status IN (\(BookingStatus.rejected.rawValue), \(BookingStatus.cancelled.rawValue))"
        case .missed?: state = " AND status = \(VisitStatus.missed.rawValue)"
        case .done?: state = " AND status = \(VisitStatus.seen.rawValue)"
        }
        return try await call.database.read { db in
            let presenter = Presenter(db: db, caller: caller, now: call.now)
            return try paging.list(
                db, select: "SELECT * FROM diagnosis WHERE user_id = ?\(state)", orderBy: "created_at DESC, id DESC",
                arguments: [caller.userID], present: presenter.diagnosis)
        }
    }

    static func diagnosesAwaitingComment(_ call: Call) async throws -> any Encodable & Sendable {
        let caller = try call.requireCaller()
        let paging = try Paging(call.parameters)
        return try await call.database.read { db in
            let presenter = Presenter(db: db, caller: caller, now: call.now)
            return try paging.list(
                db,
                select:
                    "SELECT * FROM diagnosis WHERE user_id = ? AND verify_status = \(BookingStatus.booked.rawValue) AND status = \(VisitStatus.seen.rawValue) AND doctor_score = 0",
                orderBy: "updated_at DESC, id DESC", arguments: [caller.userID], present: presenter.diagnosis)
        }
    }

    static func refundDiagnoses(_ call: Call) async throws -> any Encodable & Sendable {
        let caller = try call.requireCaller()
        let paging = try Paging(call.parameters)
        return try await call.database.read { db in
            let presenter = Presenter(db: db, caller: caller, now: call.now)
            return try paging.list(
                db, select: "SELECT * FROM diagnosis WHERE user_id = ? AND refund_status IS NOT NULL",
                orderBy: "refund_time DESC, id DESC", arguments: [caller.userID], present: presenter.diagnosis)
        }
    }

    static func patientAssistants(_ call: Call) async throws -> any Encodable & Sendable {
        let caller = try call.requireCaller()
        return try await call.database.read { db in
            let presenter = Presenter(db: db, caller: caller, now: call.now)
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT user.* FROM assistant_patient JOIN user ON user.id = assistant_patient.assistant_id
                    WHERE assistant_patient.patient_id = ? AND user.type = \(UserRole.assistant.rawValue)
                    ORDER BY assistant_patient.created_at, assistant_patient.rowid
                    """, arguments: [caller.userID])
            return RecordList(try rows.map { try presenter.assistant($0) })
        }
    }

    static func rateDoctor(_ call: Call) async throws -> any Encodable & Sendable {
        let caller = try call.requireCaller()
        let id = try call.pathID()
        let score = try call.parameters.requiredInt("doctor_score", in: 1...5)
        let comment = try call.parameters.requiredString("doctor_comment", maxLength: 500)
        try await call.database.write { db in
            guard let diagnosis = try Row.fetchOne(db, sql: "SELECT * FROM diagnosis WHERE id = ?", arguments: [id]) else {
                throw CallError.notFound("诊断")
            }
            guard (diagnosis["user_id"] as Int) == caller.userID else { throw CallError.forbidden }
            guard BookingStatus(rawValue: diagnosis["verify_status"]) == .booked, VisitStatus(rawValue: diagnosis["status"]) == .seen else {
                throw CallError(.conflict, "诊疗完成后才能评价")
            }
            guard (diagnosis["doctor_score"] as Int) == 0 else { throw CallError(.conflict, "已评价过") }
            try db.execute(
                sql: "UPDATE diagnosis SET doctor_score = ?, doctor_comment = ?, patient_comment_time = ?, updated_at = ? WHERE id = ?",
                arguments: [score, comment, call.timestamp, call.timestamp, id])
        }
        return EmptyPayload()
    }

    static func patientHomepage(_ call: Call) async throws -> any Encodable & Sendable {
        let caller = try call.requireCaller()
        let hospitalID = try call.parameters.int("hospital_id", in: 1...Int.max)
        let orgID = try call.parameters.int("org_id", in: 1...Int.max)
        return try await call.database.read { db in
            if let hospitalID, try Int.fetchOne(db, sql: "SELECT id FROM hospital WHERE id = ?", arguments: [hospitalID]) == nil {
                throw CallError.notFound("医院")
            }
            if let orgID, try Int.fetchOne(db, sql: "SELECT id FROM org WHERE id = ?", arguments: [orgID]) == nil {
                throw CallError.notFound("组织")
            }
            let presenter = Presenter(db: db, caller: caller, now: call.now)
            var scope = ""
            var scopeArguments: StatementArguments = []
            if let hospitalID {
                scope += " AND hospital_id = ?"
                scopeArguments += [hospitalID]
            }
            if let orgID {
                scope += " AND org_id = ?"
                scopeArguments += [orgID]
            }
            let special = try Row.fetchAll(
                db, sql: "SELECT * FROM special_project WHERE 1\(scope) ORDER BY date, begin, id", arguments: scopeArguments
            ).filter { !ProjectState(date: $0["date"], begin: $0["begin"], end: $0["end"], cancelled: false, now: call.now).isOver }
            return PatientHomepage(
                banners: try PersonalPages.banners(db, audience: 1, hospitalID: hospitalID, orgID: orgID, presenter: presenter),
                news: try PersonalPages.latestNews(db, type: 1, presenter: presenter),
                projects: try PersonalPages.upcomingDiagnoses(db, where: "diagnosis.user_id = ?", caller.userID, presenter: presenter),
                specialProjects: try special.map(presenter.specialProject))
        }
    }

    static func orderQuery(_ call: Call) async throws -> any Encodable & Sendable {
        let caller = try call.requireCaller()
        let serial = try call.parameters.requiredString("sn", maxLength: 64)
        let found = try await call.database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM diagnosis WHERE sn = ? AND user_id = ?", arguments: [serial, caller.userID])
                .map(Presenter(db: db, caller: caller, now: call.now).diagnosis)
        }
        // §3.3.20: "失败返回空" — an unknown serial, or another patient's, is an empty `data`.
        if let found { return found }
        return EmptyPayload()
    }
}

/// What the patient's and the assistant's personal pages share (§3.3.12/§3.4.2 follows,
/// §3.3.18/§3.4.11 centres, §3.3.19/§3.4.12 home pages), so both roles see the same rules.
enum PersonalPages {
    /// The doctors the caller follows, latest follow first, paged.
    static func followedDoctors(_ call: Call) async throws -> RecordList<Doctor> {
        let caller = try call.requireCaller()
        let paging = try Paging(call.parameters)
        return try await call.database.read { db in
            let presenter = Presenter(db: db, caller: caller, now: call.now)
            return try paging.list(
                db,
                select:
                    "SELECT user.* FROM follow JOIN user ON user.id = follow.doctor_id WHERE follow.user_id = ? AND user.type = \(UserRole.doctor.rawValue)",
                orderBy: "follow.created_at DESC, follow.rowid DESC", arguments: [caller.userID], present: { try presenter.doctor($0) })
        }
    }

    /// The caller and the number of system messages addressed to them or to everyone. There is
    /// no read tracking in the document, so `msg_count` counts them all.
    static func center(_ call: Call) async throws -> UserCenter {
        let caller = try call.requireCaller()
        return try await call.database.read { db in
            guard let user = try Presenter(db: db, caller: caller, now: call.now).user(id: caller.userID) else {
                throw CallError.notFound("用户")
            }
            let messages = try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM message WHERE to_user_id = ? OR to_user_id IS NULL", arguments: [caller.userID])
            return UserCenter(user: user, messageCount: messages ?? 0)
        }
    }

    /// The banners of `audience` (1 patients, 2 doctors, 3 assistants). With a hospital or an
    /// organisation, that one's banners; when it has none, and without either, the general
    /// banners (no hospital, no organisation).
    static func banners(_ db: Database, audience: Int, hospitalID: Int? = nil, orgID: Int? = nil, presenter: Presenter) throws -> [Banner] {
        if hospitalID != nil || orgID != nil {
            var scope = ""
            var arguments: StatementArguments = [audience]
            if let hospitalID {
                scope += " AND hospital_id = ?"
                arguments += [hospitalID]
            }
            if let orgID {
                scope += " AND org_id = ?"
                arguments += [orgID]
            }
            let own = try Row.fetchAll(db, sql: "SELECT * FROM banner WHERE audience = ?\(scope) ORDER BY id", arguments: arguments)
            if !own.isEmpty { return own.map(presenter.banner) }
        }
        return try Row.fetchAll(
            db, sql: "SELECT * FROM banner WHERE audience = ? AND hospital_id IS NULL AND org_id IS NULL ORDER BY id", arguments: [audience]
        ).map(presenter.banner)
    }

    /// The five latest news of `type` (1 patients, 2 doctors, 3 assistants).
    static func latestNews(_ db: Database, type: Int, presenter: Presenter) throws -> [News] {
        try Row.fetchAll(db, sql: "SELECT * FROM news WHERE type = ? ORDER BY publish_time DESC, id DESC LIMIT 5", arguments: [type])
            .map(presenter.news)
    }

    /// Active bookings (`verify_status` 1, waiting) of projects that have not started, soonest
    /// first; `condition` picks whose (the patient's own, or those the assistant made).
    static func upcomingDiagnoses(_ db: Database, where condition: String, _ userID: Int, presenter: Presenter) throws -> [Diagnosis] {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT diagnosis.*, project.date AS project_date, project.begin AS project_begin, project."end" AS project_end,
                       project.status AS project_status
                FROM diagnosis JOIN project ON project.id = diagnosis.project_id
                WHERE \(condition) AND diagnosis.verify_status = \(BookingStatus.booked.rawValue) AND diagnosis.status = \(VisitStatus.waiting.rawValue) AND project.date >= ?
                ORDER BY diagnosis.visit_time, diagnosis.id
                """, arguments: [userID, presenter.today])
        return try rows.filter { row in
            ProjectState(
                date: row["project_date"], begin: row["project_begin"], end: row["project_end"],
                cancelled: (row["project_status"] as Int) == ProjectStatus.cancelled.rawValue, now: presenter.now
            ).isUpcoming
        }.map(presenter.diagnosis)
    }
}
