import Foundation
import GRDB
import VolunteerAPI

/// The assistant's (医助) routes (§3.4): followed doctors, taking on patients (binding an
/// existing account by SMS code, or creating one), booking and cancelling on their behalf,
/// the assistant's bookings, the personal centre and the home page.
enum AssistantRoutes {
    /// Every endpoint of the group and its handler.
    static let routes: [Endpoint: Handler] = [
        .assistantFollows: PersonalPages.followedDoctors,
        .bindPatient: bindPatient,
        .createPatient: createPatient,
        .assistantPatients: assistantPatients,
        .joinProjectOnBehalf: joinProjectOnBehalf,
        .assistantProjects: assistantProjects,
        .assistantProjectPatients: assistantProjectPatients,
        .cancelDiagnosisOnBehalf: cancelDiagnosisOnBehalf,
        .assistantCenter: PersonalPages.center,
        .assistantHomepage: assistantHomepage,
    ]

    static func bindPatient(_ call: Call) async throws -> any Encodable & Sendable {
        let caller = try call.requireCaller()
        let phone = try Accounts.phone(call.parameters, "phone")
        let code = try call.parameters.requiredString("verify_code", maxLength: 16)
        try await call.database.write { db in
            // The code first: whether a phone has an account is told only to whoever holds its code.
            try Accounts.consumeVerifyCode(db, phone: phone, code: code, now: call.now)
            guard
                let patientID = try Int.fetchOne(db, sql: "SELECT id FROM user WHERE phone = ? AND type = \(UserRole.patient.rawValue)", arguments: [phone])
            else {
                throw CallError.notFound("患者账号")
            }
            guard try !AssistantPatients.isBound(db, assistantID: caller.userID, patientID: patientID) else {
                throw CallError(.conflict, "已添加该病人")
            }
            try AssistantPatients.bind(db, assistantID: caller.userID, patientID: patientID, at: call.timestamp)
        }
        return EmptyPayload()
    }

    static func createPatient(_ call: Call) async throws -> any Encodable & Sendable {
        let caller = try call.requireCaller()
        let profile = try ProfileChanges(call.parameters, role: .patient)
        let idno = try ProfileChanges.idCardNumber(call.parameters)
        let hash = Accounts.hash(try Accounts.password(call.parameters), call)
        try await call.database.write { db in
            // The answer carries no id, so a retried create is recognised by the ID-card number.
            let duplicates =
                try Int.fetchOne(
                    db,
                    sql: """
                        SELECT COUNT(*) FROM assistant_patient JOIN user ON user.id = assistant_patient.patient_id
                        WHERE assistant_patient.assistant_id = ? AND user.idno = ?
                        """, arguments: [caller.userID, idno]) ?? 0
            guard duplicates == 0 else { throw CallError(.conflict, "已有身份证号相同的病人") }
            let names = ["type", "phone", "password_hash", "created_at"] + profile.columns.map(\.name)
            let placeholders = Array(repeating: "?", count: names.count).joined(separator: ", ")
            try db.execute(
                sql: "INSERT INTO user (\(names.joined(separator: ", "))) VALUES (\(placeholders))",
                arguments: [1, AssistantPatients.pendingPhone, hash, call.timestamp] + StatementArguments(profile.columns.map(\.value)))
            let patientID = Int(db.lastInsertedRowID)
            try db.execute(
                sql: "UPDATE user SET phone = ? WHERE id = ?", arguments: [AssistantPatients.placeholderPhone(patientID), patientID])
            try AssistantPatients.bind(db, assistantID: caller.userID, patientID: patientID, at: call.timestamp)
        }
        return EmptyPayload()
    }

    static func assistantPatients(_ call: Call) async throws -> any Encodable & Sendable {
        let caller = try call.requireCaller()
        let paging = try Paging(call.parameters)
        let keyword = try KeywordSearch(call.parameters)
        var select = """
            SELECT user.* FROM assistant_patient JOIN user ON user.id = assistant_patient.patient_id
            WHERE assistant_patient.assistant_id = ? AND user.type = \(UserRole.patient.rawValue)
            """
        var arguments: StatementArguments = [caller.userID]
        if let keyword {
            let pattern = keyword.likePattern
            select += #" AND (user.real_name LIKE ? ESCAPE '\' OR user.phone LIKE ? ESCAPE '\')"#
            arguments += [pattern, pattern]
        }
        return try await call.database.read { [select, arguments] db in
            let presenter = Presenter(db: db, caller: caller, now: call.now)
            return try paging.list(
                db, select: select, orderBy: "assistant_patient.created_at DESC, assistant_patient.rowid DESC",
                arguments: arguments, present: { try presenter.patient($0) })
        }
    }

    static func joinProjectOnBehalf(_ call: Call) async throws -> any Encodable & Sendable {
        let caller = try call.requireCaller()
        let projectID = try call.pathID()
        let patientID = try call.parameters.requiredInt("user_id", in: 1...Int.max)
        let slot = try call.parameters.requiredString("plan_time", maxLength: 32)
        try await call.database.write { db in
            guard try AssistantPatients.isBound(db, assistantID: caller.userID, patientID: patientID) else {
                throw CallError(.forbidden, "只能为自己的病人挂号")
            }
            // §3.4.7 takes no condition description: the casebook starts empty.
            _ = try Booking.join(
                db,
                Booking.Request(projectID: projectID, patientID: patientID, assistantID: caller.userID, slot: slot, content: "", photos: []),
                now: call.now)
        }
        return EmptyPayload()
    }

    static func assistantProjects(_ call: Call) async throws -> any Encodable & Sendable {
        let caller = try call.requireCaller()
        let paging = try Paging(call.parameters)
        return try await call.database.read { db in
            let presenter = Presenter(db: db, caller: caller, now: call.now)
            return try paging.list(
                db,
                select: """
                    SELECT * FROM project
                    WHERE id IN (SELECT project_id FROM diagnosis WHERE assistant_user_id = ? AND verify_status = \(BookingStatus.booked.rawValue))
                    """,
                orderBy: "date DESC, begin DESC, id DESC", arguments: [caller.userID], present: { try presenter.project($0) })
        }
    }

    static func assistantProjectPatients(_ call: Call) async throws -> any Encodable & Sendable {
        let caller = try call.requireCaller()
        let projectID = try call.pathID()
        let paging = try Paging(call.parameters)
        return try await call.database.read { db in
            guard try Int.fetchOne(db, sql: "SELECT id FROM project WHERE id = ?", arguments: [projectID]) != nil else {
                throw CallError.notFound("义诊")
            }
            let presenter = Presenter(db: db, caller: caller, now: call.now)
            return try paging.list(
                db, select: "SELECT * FROM diagnosis WHERE project_id = ? AND assistant_user_id = ?", orderBy: "id",
                arguments: [projectID, caller.userID], present: { try presenter.diagnosis($0) })
        }
    }

    static func cancelDiagnosisOnBehalf(_ call: Call) async throws -> any Encodable & Sendable {
        let caller = try call.requireCaller()
        let diagnosisID = try call.pathID()
        try await call.database.write { db in
            let (diagnosis, _) = try Booking.load(db, diagnosisID)
            let bookedByCaller = (diagnosis["assistant_user_id"] as Int) == caller.userID
            guard try bookedByCaller || AssistantPatients.isBound(db, assistantID: caller.userID, patientID: diagnosis["user_id"]) else {
                throw CallError.forbidden
            }
            try Booking.end(db, diagnosisID: diagnosisID, as: .cancelled, now: call.now)
        }
        return EmptyPayload()
    }

    static func assistantHomepage(_ call: Call) async throws -> any Encodable & Sendable {
        let caller = try call.requireCaller()
        return try await call.database.read { db in
            let presenter = Presenter(db: db, caller: caller, now: call.now)
            return AssistantHomepage(
                banners: try PersonalPages.banners(db, audience: 3, presenter: presenter),
                news: try PersonalPages.latestNews(db, type: 3, presenter: presenter),
                projects: try PersonalPages.upcomingDiagnoses(db, where: "diagnosis.assistant_user_id = ?", caller.userID, presenter: presenter))
        }
    }
}

/// The assistant's patients: the `assistant_patient` binding and the accounts an assistant
/// creates.
private enum AssistantPatients {
    static func isBound(_ db: Database, assistantID: Int, patientID: Int) throws -> Bool {
        try Int.fetchOne(
            db, sql: "SELECT 1 FROM assistant_patient WHERE assistant_id = ? AND patient_id = ?", arguments: [assistantID, patientID]) != nil
    }

    static func bind(_ db: Database, assistantID: Int, patientID: Int, at timestamp: String) throws {
        try db.execute(
            sql: "INSERT INTO assistant_patient (assistant_id, patient_id, created_at) VALUES (?, ?, ?)",
            arguments: [assistantID, patientID, timestamp])
    }

    /// §3.4.4 takes no phone, but every account needs one: a created patient gets `A` and its
    /// id in ten digits, which no mobile number (11 digits from 1) can be and no other account has.
    static func placeholderPhone(_ id: Int) -> String {
        let digits = String(id)
        return "A" + String(repeating: "0", count: max(0, 10 - digits.count)) + digits
    }

    /// Held only inside the creating transaction, until the id is known.
    static let pendingPhone = "A-pending"
}
