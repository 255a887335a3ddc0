import Foundation
import GRDB
import VolunteerAPI

/// Turns database rows into the documented structures, for one caller at one moment.
///
/// Every count and score is computed from the rows it summarises (`join_people_count` from
/// active diagnoses, a doctor's `score` from patients' ratings...), so they are true by
/// construction; fields that depend on the caller (`is_join`, `op_cancel`,
/// `assistant_join_count`) are computed for `caller`.
struct Presenter {
    let db: Database
    let caller: Caller?
    let now: Date

    var today: String { APIClock.date(now) }
    var clockTime: String { APIClock.time(now) }

    // MARK: - Users

    func user(id: Int, token: String? = nil) throws -> UserProfile? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM user WHERE id = ?", arguments: [id]) else { return nil }
        return try user(row, token: token)
    }

    func user(_ row: Row, token: String? = nil) throws -> UserProfile {
        switch UserRole(rawValue: row["type"]) ?? .patient {
        case .patient: .patient(try patient(row, token: token))
        case .doctor: .doctor(try doctor(row, token: token))
        case .assistant: .assistant(try assistant(row, token: token))
        }
    }

    func patient(id: Int) throws -> Patient? {
        try Row.fetchOne(db, sql: "SELECT * FROM user WHERE id = ? AND type = \(UserRole.patient.rawValue)", arguments: [id]).map { try patient($0) }
    }

    func patient(_ row: Row, token: String? = nil) throws -> Patient {
        let id: Int = row["id"]
        let counts = try Row.fetchOne(
            db,
            sql: """
                SELECT COUNT(*) AS joined, COALESCE(SUM(status = \(VisitStatus.seen.rawValue)), 0) AS done,
                       AVG(NULLIF(patient_credit_score, 0)) AS credit, AVG(NULLIF(patient_punctuality_score, 0)) AS punctuality
                FROM diagnosis WHERE user_id = ? AND verify_status = \(BookingStatus.booked.rawValue)
                """, arguments: [id])
        let region = try self.region(row)
        return Patient(
            id: id, realName: row["real_name"], phone: row["phone"], avatars: row["avatars"], idCardNumber: row["idno"],
            sex: row["sex"], birthday: row["birthday"], age: Self.age(birthday: row["birthday"], today: today),
            email: row["email"], height: row["height"], weight: row["weight"],
            provinceID: row["province_id"], provinceName: region.province, cityID: row["city_id"], cityName: region.city,
            countyID: row["county_id"], countyName: region.county, address: row["addr"],
            maritalStatus: row["marital_status"], drinkStatus: row["drink_status"], smokingStatus: row["smoking_status"],
            creditScore: Self.score(counts?["credit"]), punctualityScore: Self.score(counts?["punctuality"]),
            verification: row["is_verify"], joinProjectCount: counts?["joined"] ?? 0, doneProjectCount: counts?["done"] ?? 0,
            token: token)
    }

    func doctor(id: Int) throws -> Doctor? {
        try Row.fetchOne(db, sql: "SELECT * FROM user WHERE id = ? AND type = \(UserRole.doctor.rawValue)", arguments: [id]).map { try doctor($0) }
    }

    func doctor(_ row: Row, token: String? = nil) throws -> Doctor {
        let id: Int = row["id"]
        let hospital = try String.fetchOne(db, sql: "SELECT name FROM hospital WHERE id = ?", arguments: [row["hospital_id"] as Int?])
        let held = try Row.fetchOne(
            db,
            sql: """
                SELECT COUNT(*) AS visits,
                       COALESCE(SUM((strftime('%s', "end") - strftime('%s', begin)) / 60), 0) AS minutes
                FROM project WHERE doctor_id = ? AND status = \(ProjectStatus.active.rawValue) AND (date < ? OR (date = ? AND "end" <= ?))
                """, arguments: [id, today, today, clockTime])
        let served = try Int.fetchOne(
            db, sql: "SELECT COUNT(DISTINCT user_id) FROM diagnosis WHERE doctor_user_id = ? AND status = \(VisitStatus.seen.rawValue)", arguments: [id])
        let score = try Double.fetchOne(
            db, sql: "SELECT AVG(NULLIF(doctor_score, 0)) FROM diagnosis WHERE doctor_user_id = ?", arguments: [id])
        let organisations = try Row.fetchAll(
            db,
            sql:
                "SELECT org.* FROM org JOIN org_member ON org_member.org_id = org.id WHERE org_member.doctor_id = ? AND org_member.verify_status = \(MembershipStatus.approved.rawValue) ORDER BY org.id",
            arguments: [id]
        ).map(organisation)
        return Doctor(
            id: id, realName: row["real_name"], phone: row["phone"], avatars: row["avatars"], idCardNumber: row["idno"],
            hospital: hospital, departments: row["departments"], jobPosition: row["job_position"], goodAt: row["good_at"],
            workPhotos: Self.list(row["work_photo"]), abstract: row["abstract"],
            visitsCount: held?["visits"] ?? 0, patientCount: served ?? 0, serviceMinutes: held?["minutes"] ?? 0,
            workTime: Self.week(row["work_time"]), verification: row["is_verify"], score: Self.score(score),
            token: token, organisations: organisations)
    }

    func assistant(_ row: Row, token: String? = nil) throws -> Assistant {
        let id: Int = row["id"]
        let helped = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM assistant_patient WHERE assistant_id = ?", arguments: [id])
        let region = try self.region(row)
        return Assistant(
            id: id, realName: row["real_name"], phone: row["phone"], avatars: row["avatars"], idCardNumber: row["idno"],
            email: row["email"], teamName: row["team_name"],
            provinceID: row["province_id"], provinceName: region.province, cityID: row["city_id"], cityName: region.city,
            countyID: row["county_id"], countyName: region.county, address: row["addr"],
            helpCount: helped ?? 0, verification: row["is_verify"], token: token)
    }

    /// Names of the province, city and county ids of a row.
    private func region(_ row: Row) throws -> (province: String?, city: String?, county: String?) {
        func name(_ id: Int?) throws -> String? {
            guard let id else { return nil }
            return try String.fetchOne(db, sql: "SELECT name FROM city WHERE id = ?", arguments: [id])
        }
        return (try name(row["province_id"]), try name(row["city_id"]), try name(row["county_id"]))
    }

    // MARK: - Projects

    func project(id: Int) throws -> Project? {
        try Row.fetchOne(db, sql: "SELECT * FROM project WHERE id = ?", arguments: [id]).map(project)
    }

    func project(_ row: Row) throws -> Project {
        let id: Int = row["id"]
        let state = ProjectState(row: row, now: now)
        let joined = try Row.fetchAll(
            db,
            sql:
                "SELECT user.* FROM diagnosis JOIN user ON user.id = diagnosis.user_id WHERE diagnosis.project_id = ? AND diagnosis.verify_status = \(BookingStatus.booked.rawValue) ORDER BY diagnosis.id",
            arguments: [id])
        let capacity: Int = row["people_count"]
        var joinedByCaller = false
        var cancellable = false
        var assistantJoins: Int?
        if let caller {
            switch caller.role {
            case .patient:
                let active =
                    try Int.fetchOne(
                        db, sql: "SELECT COUNT(*) FROM diagnosis WHERE project_id = ? AND user_id = ? AND verify_status = \(BookingStatus.booked.rawValue)",
                        arguments: [id, caller.userID]) ?? 0
                joinedByCaller = active > 0
                cancellable = active > 0 && state.isUpcoming
            case .doctor:
                cancellable = (row["doctor_id"] as Int) == caller.userID && state.isUpcoming
            case .assistant:
                assistantJoins = try Int.fetchOne(
                    db,
                    sql: "SELECT COUNT(*) FROM diagnosis WHERE project_id = ? AND assistant_user_id = ? AND verify_status = \(BookingStatus.booked.rawValue)",
                    arguments: [id, caller.userID])
            }
        }
        let progress = state.progress(booked: joined.count, capacity: capacity).rawValue
        return Project(
            id: id, date: row["date"], begin: row["begin"], end: row["end"], capacity: capacity, joinedCount: joined.count,
            address: row["addr"], longitude: DecimalText(row["lng"] as String), latitude: DecimalText(row["lat"] as String),
            abstract: row["abstract"], price: row["price"], status: row["status"], progressStatus: progress,
            serviceTargets: Self.list(row["service_target"]),
            hospital: try hospital(id: row["hospital_id"]), doctor: try doctor(id: row["doctor_id"]),
            joinedUsers: try joined.map { try patient($0).seenByOthers },
            projectStatus: state.phase.rawValue, canCancel: cancellable ? 1 : 0, isJoined: joinedByCaller ? 1 : 0, assistantJoinCount: assistantJoins,
            planTime: try planTime(projectID: id, capacities: row["slot_capacity"]))
    }

    /// Places left per slot: each slot's capacity less its active bookings.
    func planTime(projectID: Int, capacities: String?) throws -> PlanTime? {
        let slots = Self.slotCapacities(capacities)
        guard !slots.isEmpty else { return nil }
        let taken = try Row.fetchAll(
            db,
            sql: "SELECT plan_time, COUNT(*) AS n FROM diagnosis WHERE project_id = ? AND verify_status = \(BookingStatus.booked.rawValue) GROUP BY plan_time",
            arguments: [projectID]
        ).reduce(into: [String: Int]()) { $0[$1["plan_time"] ?? ""] = $1["n"] }
        return PlanTime(slots.map { PlanTime.Slot($0.key, remaining: max(0, $0.value - (taken[$0.key] ?? 0))) })
    }

    func specialProject(_ row: Row) throws -> SpecialProject {
        let id: Int = row["id"]
        let joined = try Row.fetchAll(
            db,
            sql: """
                SELECT DISTINCT user.* FROM special_project_item item
                JOIN diagnosis ON diagnosis.project_id = item.project_id AND diagnosis.verify_status = \(BookingStatus.booked.rawValue)
                JOIN user ON user.id = diagnosis.user_id WHERE item.special_project_id = ? ORDER BY user.id
                """, arguments: [id])
        let state = ProjectState(date: row["date"], begin: row["begin"], end: row["end"], cancelled: false, now: now)
        let capacity: Int = row["people_count"]
        return SpecialProject(
            id: id, date: row["date"], begin: row["begin"], end: row["end"], capacity: capacity, joinedCount: joined.count,
            address: row["addr"], longitude: DecimalText(row["lng"] as String), latitude: DecimalText(row["lat"] as String),
            abstract: row["abstract"], photo: row["photo"], price: row["price"], status: ProjectStatus.active.rawValue,
            // A special project of no stated size is never full.
            progressStatus: state.progress(booked: joined.count, capacity: capacity > 0 ? capacity : nil).rawValue,
            serviceTargets: Self.list(row["service_target"]), hospital: try hospital(id: row["hospital_id"]),
            organisation: try organisation(id: row["org_id"]), projectStatus: state.phase.rawValue,
            joinedUsers: try joined.map { try patient($0).seenByOthers })
    }

    // MARK: - Diagnoses

    func diagnosis(id: Int) throws -> Diagnosis? {
        try Row.fetchOne(db, sql: "SELECT * FROM diagnosis WHERE id = ?", arguments: [id]).map(diagnosis)
    }

    func diagnosis(_ row: Row) throws -> Diagnosis {
        Diagnosis(
            id: row["id"], assistantUserID: row["assistant_user_id"], verifyStatus: row["verify_status"],
            rejectMessage: row["reject_msg"], visitTime: row["visit_time"], result: row["diag_result"],
            resultPhotos: Self.list(row["diag_photo"]), status: row["status"],
            refundStatus: Booking.refundStatus(stored: row["refund_status"], refundTime: row["refund_time"], now: now),
            patientCreditScore: row["patient_credit_score"], patientPunctualityScore: row["patient_punctuality_score"],
            doctorCommentTime: row["doctor_comment_time"], doctorScore: row["doctor_score"], doctorComment: row["doctor_comment"],
            patientCommentTime: row["patient_comment_time"],
            patient: try patient(id: row["user_id"]), casebook: try casebook(id: row["casebook_id"]))
    }

    func diagnosisRecord(_ row: Row) throws -> DiagnosisRecord {
        func summary(_ id: Int) throws -> UserSummary? {
            try Row.fetchOne(db, sql: "SELECT id, real_name, avatars FROM user WHERE id = ?", arguments: [id]).map {
                UserSummary(id: $0["id"], realName: $0["real_name"], avatars: $0["avatars"])
            }
        }
        return DiagnosisRecord(
            id: row["id"], hospitalID: row["hospital_id"], assistantUserID: row["assistant_user_id"], userID: row["user_id"],
            doctorUserID: row["doctor_user_id"], projectID: row["project_id"], casebookID: row["casebook_id"],
            verifyStatus: row["verify_status"], rejectMessage: row["reject_msg"], visitTime: row["visit_time"],
            status: row["status"], amount: DecimalText(row["amount"] as String),
            refundStatus: Booking.refundStatus(stored: row["refund_status"], refundTime: row["refund_time"], now: now),
            refundTime: row["refund_time"], refundSerial: row["refund_sn"], confirmNoRefund: row["confirm_no_refund"],
            serial: row["sn"], result: row["diag_result"], resultPhotos: Self.list(row["diag_photo"]),
            patientCreditScore: row["patient_credit_score"], patientPunctualityScore: row["patient_punctuality_score"],
            patientCommentShow: row["patient_comment_show"], doctorCommentTime: row["doctor_comment_time"],
            doctorScore: row["doctor_score"], doctorComment: row["doctor_comment"], doctorCommentShow: row["doctor_comment_show"],
            patientCommentTime: row["patient_comment_time"], planTime: row["plan_time"],
            createdAt: row["created_at"], updatedAt: row["updated_at"],
            casebook: try casebook(id: row["casebook_id"]), doctor: try summary(row["doctor_user_id"]), user: try summary(row["user_id"]))
    }

    func casebook(id: Int?) throws -> Casebook? {
        guard let id else { return nil }
        return try Row.fetchOne(db, sql: "SELECT * FROM casebook WHERE id = ?", arguments: [id]).map(casebook)
    }

    func casebook(_ row: Row) -> Casebook {
        Casebook(
            id: row["id"], photos: Self.list(row["photo"]), content: row["content"], userID: row["user_id"],
            projectID: row["project_id"], createdAt: row["created_at"], updatedAt: row["updated_at"])
    }

    // MARK: - Reference data and content

    func hospital(id: Int?) throws -> Hospital? {
        guard let id else { return nil }
        return try Row.fetchOne(db, sql: "SELECT * FROM hospital WHERE id = ?", arguments: [id]).map(hospital)
    }

    func hospital(_ row: Row) throws -> Hospital {
        let region = try self.region(row)
        return Hospital(
            id: row["id"], name: row["name"], logo: row["logo"], banners: Self.list(row["banner"]), level: row["level"],
            tag: row["tag"], provinceID: row["province_id"], provinceName: region.province, cityID: row["city_id"],
            cityName: region.city, countyID: row["county_id"], countyName: region.county, address: row["addr"])
    }

    func organisation(id: Int?) throws -> Organisation? {
        guard let id else { return nil }
        return try Row.fetchOne(db, sql: "SELECT * FROM org WHERE id = ?", arguments: [id]).map(organisation)
    }

    func organisation(_ row: Row) -> Organisation {
        Organisation(id: row["id"], name: row["name"], logo: row["logo"], abstract: row["abstract"])
    }

    func membership(_ row: Row) throws -> OrgMembership {
        OrgMembership(
            id: row["id"], verifyStatus: row["verify_status"], organisationID: row["org_id"], doctorID: row["doctor_id"],
            organisation: try organisation(id: row["org_id"]))
    }

    func news(_ row: Row) -> News {
        News(id: row["id"], title: row["title"], photo: row["photo"], content: row["content"], publishTime: row["publish_time"])
    }

    func banner(_ row: Row) -> Banner {
        Banner(id: row["id"], title: row["title"], photo: row["photo"], jumpMode: row["jump_mode"], jumpID: row["jump_id"], href: row["href"])
    }

    func message(_ row: Row) -> SystemMessage {
        SystemMessage(
            id: row["id"], type: row["type"], title: row["title"], content: row["content"], publishTime: row["publish_time"],
            senderName: row["username"], senderAvatar: row["avatars"])
    }

    func city(_ row: Row) -> City {
        City(id: row["id"], parentID: row["parent_id"], name: row["name"], shortName: row["short_name"], pinyin: row["pinyin"], sort: row["sort"])
    }

    // MARK: - Chat

    func chatMessage(_ row: Row) throws -> ChatMessage {
        func summary(_ id: Int) throws -> UserSummary? {
            try Row.fetchOne(db, sql: "SELECT real_name, avatars FROM user WHERE id = ?", arguments: [id]).map {
                UserSummary(realName: $0["real_name"], avatars: $0["avatars"])
            }
        }
        return ChatMessage(
            id: row["id"], senderRole: row["type"], fromUserID: row["from_user_id"], toUserID: row["to_user_id"],
            content: row["content"], photos: Self.list(row["photo"]), isRead: row["is_read"],
            dialogID: String(row["dialog_id"] as Int),
            fromUser: try summary(row["from_user_id"]), toUser: try summary(row["to_user_id"]))
    }

    func chatDialog(_ row: Row) throws -> ChatDialog {
        let last = try (row["last_msg_id"] as Int?).flatMap {
            try Row.fetchOne(db, sql: "SELECT * FROM chat_message WHERE id = ?", arguments: [$0])
        }
        return ChatDialog(
            id: row["id"], patientUserID: row["patient_user_id"], doctorUserID: row["doctor_user_id"],
            lastMessageID: (row["last_msg_id"] as Int?).map(String.init), lastMessage: try last.map(chatMessage),
            patientUser: try patient(id: row["patient_user_id"])?.seenByOthers, doctorUser: try doctor(id: row["doctor_user_id"])?.seenByOthers)
    }

    // MARK: - Helpers

    /// A JSON array column as a list of strings.
    static func list(_ text: String?) -> [String] {
        guard let text, let data = text.data(using: .utf8), let list = try? JSONDecoder().decode([String].self, from: data) else { return [] }
        return list
    }

    /// A list of strings as a JSON array column.
    static func listColumn(_ list: [String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return (try? encoder.encode(list)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
    }

    static func week(_ text: String?) -> [WorkDay] {
        guard let text, let data = text.data(using: .utf8), let days = try? JSONDecoder().decode([WorkDay].self, from: data), days.count == 7 else {
            return []
        }
        return days
    }

    static func slotCapacities(_ text: String?) -> [String: Int] {
        guard let text, let data = text.data(using: .utf8), let slots = try? JSONDecoder().decode([String: Int].self, from: data) else { return [:] }
        return slots
    }

    /// A score with one decimal, or nil before anyone rated.
    static func score(_ value: Double?) -> DecimalText? {
        guard let value else { return nil }
        return DecimalText(String(format: "%.1f", value))
    }

    static func age(birthday: String?, today: String) -> Int? {
        guard let birthday, birthday.count >= 10, today.count >= 10, let born = Int(birthday.prefix(4)), let now = Int(today.prefix(4)) else {
            return nil
        }
        let hadBirthday = today.dropFirst(5).prefix(5) >= birthday.dropFirst(5).prefix(5)
        return now - born - (hadBirthday ? 0 : 1)
    }
}

// Lists that anyone may read (a project's `join_user`, a dialog's two users) show people
// without their phone, ID-card number or token: the document's examples carry them, but a
// medical service has no business showing them to other users.
extension Patient {
    var seenByOthers: Patient {
        var copy = self
        copy.phone = nil
        copy.idCardNumber = nil
        copy.token = nil
        return copy
    }
}

extension Doctor {
    var seenByOthers: Doctor {
        var copy = self
        copy.phone = nil
        copy.idCardNumber = nil
        copy.token = nil
        return copy
    }
}
