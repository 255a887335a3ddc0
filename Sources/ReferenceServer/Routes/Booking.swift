import Foundation
import GRDB
import VolunteerAPI

/// The rules of booking a patient into a project and of what follows, shared by the
/// patient's routes, the assistant's on-behalf routes and the doctor's routes. Each runs
/// inside the caller's write transaction, so a refused step changes nothing.
///
/// - Join: the project is active and upcoming, has a free place (and a free place in the chosen
///   `plan_time` slot when it has slots), the patient's profile is complete and the patient has
///   no active booking in it. A join creates the casebook and the diagnosis (verify_status 1,
///   status 1), with the deposit as `amount` and an order serial `sn`.
/// - Cancel (patient or assistant) and reject (doctor): an active booking of an upcoming project
///   becomes verify_status 3 or 2; a paid deposit starts its refund (refund_status 1).
/// - Done (doctor): an active, waiting booking of a project that has started becomes status 3;
///   a paid deposit is refunded as well (the deposit only guarantees attendance).
/// - A refund shows as complete (refund_status 3) a day after it started.
enum Booking {
    struct Request: Sendable {
        let projectID: Int
        let patientID: Int
        let assistantID: Int
        let slot: String?
        let content: String
        let photos: [String]
    }

    /// Books a patient; returns the new diagnosis id.
    static func join(_ db: Database, _ request: Request, now: Date) throws -> Int {
        guard let project = try Row.fetchOne(db, sql: "SELECT * FROM project WHERE id = ?", arguments: [request.projectID]) else {
            throw CallError.notFound("义诊")
        }
        let state = ProjectState(row: project, now: now)
        guard !state.cancelled else { throw CallError(.conflict, "义诊已取消") }
        guard state.isUpcoming else { throw CallError(.conflict, "义诊已开始或已结束，不能挂号") }
        guard
            let patient = try Row.fetchOne(
                db, sql: "SELECT real_name FROM user WHERE id = ? AND type = \(UserRole.patient.rawValue)", arguments: [request.patientID])
        else {
            throw CallError.notFound("患者")
        }
        guard (patient["real_name"] as String?) != nil else { throw CallError(.invalidParameter, "请先补全患者信息") }
        let active =
            try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM diagnosis WHERE project_id = ? AND user_id = ? AND verify_status = \(BookingStatus.booked.rawValue)",
                arguments: [request.projectID, request.patientID]) ?? 0
        guard active == 0 else { throw CallError(.conflict, "已挂号此义诊") }
        let taken =
            try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM diagnosis WHERE project_id = ? AND verify_status = \(BookingStatus.booked.rawValue)",
                arguments: [request.projectID]) ?? 0
        guard taken < (project["people_count"] as Int) else { throw CallError(.conflict, "义诊已约满") }

        let slots = Presenter.slotCapacities(project["slot_capacity"])
        var visitTime = "\(project["date"] as String) \(project["begin"] as String)"
        if !slots.isEmpty {
            guard let slot = request.slot else { throw CallError.missing("plan_time") }
            guard let capacity = slots[slot] else { throw CallError.invalid("plan_time", "没有这个时间段") }
            let inSlot =
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM diagnosis WHERE project_id = ? AND plan_time = ? AND verify_status = \(BookingStatus.booked.rawValue)",
                    arguments: [request.projectID, slot]) ?? 0
            guard inSlot < capacity else { throw CallError(.conflict, "该时间段已约满") }
            visitTime = "\(project["date"] as String) \(slot.prefix(8))"
        } else if let slot = request.slot {
            throw CallError.invalid("plan_time", "此义诊不分时间段: \(slot)")
        }

        let timestamp = APIClock.timestamp(now)
        try db.execute(
            sql: "INSERT INTO casebook (user_id, project_id, content, photo, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [request.patientID, request.projectID, request.content, Presenter.listColumn(request.photos), timestamp, timestamp])
        let casebookID = db.lastInsertedRowID
        let price: Int = project["price"]
        try db.execute(
            sql: """
                INSERT INTO diagnosis (project_id, user_id, doctor_user_id, hospital_id, assistant_user_id, casebook_id,
                    visit_time, amount, plan_time, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                request.projectID, request.patientID, project["doctor_id"] as Int, project["hospital_id"] as Int?, request.assistantID,
                casebookID, visitTime, String(format: "%.2f", Double(price)), request.slot, timestamp, timestamp,
            ])
        let id = Int(db.lastInsertedRowID)
        try db.execute(sql: "UPDATE diagnosis SET sn = ? WHERE id = ?", arguments: [serial(id, now: now), id])
        return id
    }

    /// Ends an active booking of an upcoming project: cancelled (3) by the patient or the
    /// assistant, rejected (2) by the doctor with a reason.
    static func end(_ db: Database, diagnosisID: Int, as ending: BookingStatus, reason: String? = nil, now: Date) throws {
        let (diagnosis, project) = try load(db, diagnosisID)
        guard BookingStatus(rawValue: diagnosis["verify_status"]) == .booked else { throw CallError(.conflict, "挂号已取消或已被拒绝") }
        guard VisitStatus(rawValue: diagnosis["status"]) == .waiting else { throw CallError(.conflict, "已就诊，不能取消") }
        guard ProjectState(row: project, now: now).isUpcoming else { throw CallError(.conflict, "义诊已开始或已结束") }
        try db.execute(
            sql: "UPDATE diagnosis SET verify_status = ?, reject_msg = ?, updated_at = ? WHERE id = ?",
            arguments: [ending.rawValue, reason ?? "", APIClock.timestamp(now), diagnosisID])
        try startRefund(db, diagnosis, now: now)
    }

    /// The reason a booking ends with when its doctor cancels the whole project.
    static let projectCancelledReason = "医生已取消义诊"

    /// Cancels a project: each active booking ends as cancelled (3) with the doctor's reason and
    /// its refund, while the project is still upcoming so the rules of ``end`` apply; then the
    /// project is marked cancelled (`status` 0). The caller has checked ownership and timing.
    static func cancelProject(_ db: Database, projectID: Int, now: Date) throws {
        let bookings = try Int.fetchAll(
            db, sql: "SELECT id FROM diagnosis WHERE project_id = ? AND verify_status = \(BookingStatus.booked.rawValue) ORDER BY id", arguments: [projectID])
        for booking in bookings {
            try end(db, diagnosisID: booking, as: .cancelled, reason: projectCancelledReason, now: now)
        }
        try db.execute(sql: "UPDATE project SET status = \(ProjectStatus.cancelled.rawValue) WHERE id = ?", arguments: [projectID])
    }

    /// Marks a booking seen once its project has started: a waiting one, or one marked a
    /// no-show after the project ended (the doctor records the visit late).
    static func markDone(_ db: Database, diagnosisID: Int, now: Date) throws {
        let (diagnosis, project) = try load(db, diagnosisID)
        guard BookingStatus(rawValue: diagnosis["verify_status"]) == .booked else { throw CallError(.conflict, "挂号已取消或已被拒绝") }
        guard VisitStatus(rawValue: diagnosis["status"]) != .seen else { throw CallError(.conflict, "已确认就诊") }
        let state = ProjectState(row: project, now: now)
        guard !state.cancelled else { throw CallError(.conflict, "义诊已取消") }
        guard !state.isUpcoming else { throw CallError(.conflict, "义诊尚未开始") }
        try db.execute(
            sql: "UPDATE diagnosis SET status = \(VisitStatus.seen.rawValue), updated_at = ? WHERE id = ?", arguments: [APIClock.timestamp(now), diagnosisID])
        try startRefund(db, diagnosis, now: now)
    }

    /// The diagnosis and its project; not found when either is missing.
    static func load(_ db: Database, _ diagnosisID: Int) throws -> (diagnosis: Row, project: Row) {
        guard let diagnosis = try Row.fetchOne(db, sql: "SELECT * FROM diagnosis WHERE id = ?", arguments: [diagnosisID]),
            let project = try Row.fetchOne(db, sql: "SELECT * FROM project WHERE id = ?", arguments: [diagnosis["project_id"] as Int])
        else { throw CallError.notFound("诊断") }
        return (diagnosis, project)
    }

    private static func startRefund(_ db: Database, _ diagnosis: Row, now: Date) throws {
        guard (Double(diagnosis["amount"] as String) ?? 0) > 0, (diagnosis["refund_status"] as Int?) == nil else { return }
        let id: Int = diagnosis["id"]
        try db.execute(
            sql: "UPDATE diagnosis SET refund_status = \(RefundStatus.requested.rawValue), refund_time = ?, refund_sn = ? WHERE id = ?",
            arguments: [APIClock.timestamp(now), "RF" + serial(id, now: now).dropFirst(2), id])
    }

    /// `VD20181221000123`: the order serial of a booking.
    static func serial(_ id: Int, now: Date) -> String {
        "VD" + APIClock.date(now).replacingOccurrences(of: "-", with: "") + String(format: "%06d", id % 1_000_000)
    }

    /// The refund status to show: a refund started more than a day ago is complete.
    static func refundStatus(stored: Int?, refundTime: String?, now: Date) -> Int? {
        guard stored == 1, let refundTime else { return stored }
        let dayAgo = APIClock.timestamp(now.addingTimeInterval(-24 * 3600))
        return refundTime <= dayAgo ? 3 : 1
    }
}
