import Foundation
import GRDB
import VolunteerAPI

/// Projects (义诊, §3.2.3-3.2.7, §3.3.2-3.3.5, §3.3.8, §3.3.11) and special projects (§3.5):
/// a doctor publishes, lists and cancels projects and sees who booked; anyone browses and
/// searches them; a patient joins, leaves and reads the casebook of a booking.
enum ProjectRoutes {
    /// Every endpoint of the group and its handler.
    static let routes: [Endpoint: Handler] = [
        .publishProject: publishProject,
        .doctorProjects: doctorProjects,
        .project: project,
        .cancelProject: cancelProject,
        .projectPatients: projectPatients,
        .projects: projects,
        .doctorProjectsForPatient: doctorProjectsForPatient,
        .projectCasebook: projectCasebook,
        .projectJoin: projectJoin,
        .cancelProjectJoin: cancelProjectJoin,
        .specialProjects: specialProjects,
        .specialProjectProjects: specialProjectProjects,
    ]

    static func publishProject(_ call: Call) async throws -> any Encodable & Sendable {
        let caller = try call.requireCaller()
        let draft = try ProjectDraft(call.parameters, now: call.now)
        return try await call.database.write { db in
            // A project belongs to the doctor's hospital, so a doctor without one cannot publish.
            let hospitalID = try Int.fetchOne(
                db, sql: "SELECT hospital_id FROM user WHERE id = ? AND type = \(UserRole.doctor.rawValue)", arguments: [caller.userID])
            guard let hospitalID else { throw CallError(.invalidParameter, "请先补全医生信息") }
            try db.execute(
                sql: """
                    INSERT INTO project (doctor_id, hospital_id, date, begin, "end", people_count, lng, lat, addr,
                        service_target, abstract, price, status, slot_capacity, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, \(ProjectStatus.active.rawValue), ?, ?)
                    """,
                arguments: [
                    caller.userID, hospitalID, draft.date, draft.begin, draft.end, draft.capacity, draft.longitude, draft.latitude,
                    draft.address, Presenter.listColumn(draft.serviceTargets), draft.abstract, draft.price, draft.slots.column,
                    call.timestamp,
                ])
            let id = Int(db.lastInsertedRowID)
            guard let project = try Presenter(db: db, caller: caller, now: call.now).project(id: id) else { throw CallError.notFound("义诊") }
            return project
        }
    }

    static func doctorProjects(_ call: Call) async throws -> any Encodable & Sendable {
        let caller = try call.requireCaller()
        return try await call.database.read { db in
            let presenter = Presenter(db: db, caller: caller, now: call.now)
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM project WHERE doctor_id = ? ORDER BY date DESC, begin DESC, id DESC", arguments: [caller.userID])
            return RecordList(try rows.map(presenter.project))
        }
    }

    static func project(_ call: Call) async throws -> any Encodable & Sendable {
        let id = try call.pathID()
        return try await call.database.read { db in
            guard let project = try Presenter(db: db, caller: call.caller, now: call.now).project(id: id) else { throw CallError.notFound("义诊") }
            return project
        }
    }

    static func cancelProject(_ call: Call) async throws -> any Encodable & Sendable {
        let caller = try call.requireCaller()
        let id = try call.pathID()
        try await call.database.write { db in
            let project = try ProjectAccess.owned(db, projectID: id, doctorID: caller.userID)
            let state = ProjectState(row: project, now: call.now)
            guard !state.cancelled else { throw CallError(.conflict, "义诊已取消") }
            guard state.isUpcoming else { throw CallError(.conflict, "义诊已开始或已结束，不能取消") }
            try Booking.cancelProject(db, projectID: id, now: call.now)
        }
        return EmptyPayload()
    }

    static func projectPatients(_ call: Call) async throws -> any Encodable & Sendable {
        let caller = try call.requireCaller()
        let id = try call.pathID()
        return try await call.database.read { db in
            _ = try ProjectAccess.owned(db, projectID: id, doctorID: caller.userID)
            let presenter = Presenter(db: db, caller: caller, now: call.now)
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM diagnosis WHERE project_id = ? ORDER BY id", arguments: [id])
            return RecordList(try rows.map(presenter.diagnosis))
        }
    }

    static func projects(_ call: Call) async throws -> any Encodable & Sendable {
        let search = try ProjectSearch(call.parameters, now: call.now, location: call.location)
        let paging = try Paging(call.parameters)
        return try await call.database.read { db in
            search.prepare(db)
            let presenter = Presenter(db: db, caller: call.caller, now: call.now)
            return try paging.list(db, select: search.select, orderBy: search.orderBy, arguments: search.arguments, present: presenter.project)
        }
    }

    static func doctorProjectsForPatient(_ call: Call) async throws -> any Encodable & Sendable {
        let doctorID = try call.pathID()
        let paging = try Paging(call.parameters)
        return try await call.database.read { db in
            guard try Int.fetchOne(db, sql: "SELECT id FROM user WHERE id = ? AND type = \(UserRole.doctor.rawValue)", arguments: [doctorID]) != nil else {
                throw CallError.notFound("医生")
            }
            let presenter = Presenter(db: db, caller: call.caller, now: call.now)
            return try paging.list(
                db, select: "SELECT * FROM project WHERE doctor_id = ? AND status = \(ProjectStatus.active.rawValue)",
                orderBy: "date DESC, begin DESC, id DESC",
                arguments: [doctorID], present: presenter.project)
        }
    }

    static func projectCasebook(_ call: Call) async throws -> any Encodable & Sendable {
        let caller = try call.requireCaller()
        let id = try call.pathID()
        return try await call.database.read { db in
            guard try Int.fetchOne(db, sql: "SELECT id FROM project WHERE id = ?", arguments: [id]) != nil else { throw CallError.notFound("义诊") }
            // Leaving and joining again writes a new casebook: the latest is the current one.
            let row = try Row.fetchOne(
                db, sql: "SELECT * FROM casebook WHERE project_id = ? AND user_id = ? ORDER BY id DESC LIMIT 1", arguments: [id, caller.userID])
            guard let row else { throw CallError.notFound("病例") }
            return Presenter(db: db, caller: caller, now: call.now).casebook(row)
        }
    }

    static func projectJoin(_ call: Call) async throws -> any Encodable & Sendable {
        let caller = try call.requireCaller()
        let id = try call.pathID()
        let content = try call.parameters.requiredString("content", maxLength: 2000)
        let photos = try call.parameters.strings("photo", maxCount: 3, maxLength: 500)
        guard photos.allSatisfy(ProjectDraft.isWebURL) else { throw CallError.invalid("photo", "应为图片 URL") }
        let slot = try call.parameters.string("plan_time", maxLength: 32)
        let request = Booking.Request(projectID: id, patientID: caller.userID, assistantID: 0, slot: slot, content: content, photos: photos)
        try await call.database.write { db in
            _ = try Booking.join(db, request, now: call.now)
        }
        return EmptyPayload()
    }

    static func cancelProjectJoin(_ call: Call) async throws -> any Encodable & Sendable {
        let caller = try call.requireCaller()
        let id = try call.pathID()
        try await call.database.write { db in
            guard try Int.fetchOne(db, sql: "SELECT id FROM project WHERE id = ?", arguments: [id]) != nil else { throw CallError.notFound("义诊") }
            let booking = try Int.fetchOne(
                db,
                sql:
                    "SELECT id FROM diagnosis WHERE project_id = ? AND user_id = ? AND verify_status = \(BookingStatus.booked.rawValue) ORDER BY id DESC LIMIT 1",
                arguments: [id, caller.userID])
            guard let booking else { throw CallError.notFound("挂号") }
            try Booking.end(db, diagnosisID: booking, as: .cancelled, now: call.now)
        }
        return EmptyPayload()
    }

    static func specialProjects(_ call: Call) async throws -> any Encodable & Sendable {
        let paging = try Paging(call.parameters)
        return try await call.database.read { db in
            let presenter = Presenter(db: db, caller: call.caller, now: call.now)
            return try paging.list(
                db, select: "SELECT * FROM special_project", orderBy: "date DESC, begin DESC, id DESC", present: presenter.specialProject)
        }
    }

    static func specialProjectProjects(_ call: Call) async throws -> any Encodable & Sendable {
        let id = try call.pathID()
        let paging = try Paging(call.parameters)
        return try await call.database.read { db in
            guard try Int.fetchOne(db, sql: "SELECT id FROM special_project WHERE id = ?", arguments: [id]) != nil else {
                throw CallError.notFound("专题活动")
            }
            let presenter = Presenter(db: db, caller: call.caller, now: call.now)
            return try paging.list(
                db,
                select: """
                    SELECT project.* FROM project JOIN special_project_item item ON item.project_id = project.id
                    WHERE item.special_project_id = ? AND project.status = \(ProjectStatus.active.rawValue)
                    """,
                orderBy: "project.date, project.begin, project.id", arguments: [id], present: presenter.project)
        }
    }
}

/// Who may see or change one project.
private enum ProjectAccess {
    /// The project row when `doctorID` published it: not found when missing, forbidden when
    /// another doctor's.
    static func owned(_ db: Database, projectID: Int, doctorID: Int) throws -> Row {
        guard let project = try Row.fetchOne(db, sql: "SELECT * FROM project WHERE id = ?", arguments: [projectID]) else {
            throw CallError.notFound("义诊")
        }
        guard (project["doctor_id"] as Int) == doctorID else { throw CallError(.forbidden, "不是您发布的义诊") }
        return project
    }
}

/// The validated parameters of `POST /project`, with the time slots derived from them
/// (``SlotPlan``).
private struct ProjectDraft {
    let date: String
    let begin: String
    let end: String
    let capacity: Int
    let longitude: String
    let latitude: String
    let address: String
    let serviceTargets: [String]
    let abstract: String
    let price: Int
    let slots: SlotPlan

    init(_ parameters: Parameters, now: Date) throws(CallError) {
        date = try parameters.requiredString("date", maxLength: 10)
        guard Self.isCalendarDate(date) else { throw .invalid("date", "应为 yyyy-MM-dd 格式的日期") }
        let today = APIClock.date(now)
        guard date >= today else { throw .invalid("date", "不能早于今天") }
        begin = try parameters.requiredString("begin", maxLength: 8)
        guard let beginSeconds = Self.seconds(begin) else { throw .invalid("begin", "应为 HH:mm:ss 格式的时间") }
        end = try parameters.requiredString("end", maxLength: 8)
        guard let endSeconds = Self.seconds(end) else { throw .invalid("end", "应为 HH:mm:ss 格式的时间") }
        guard beginSeconds < endSeconds else { throw .invalid("end", "应晚于开始时间") }
        // A project published for today must still be ahead, or nobody could ever join it.
        guard date > today || begin > APIClock.time(now) else { throw .invalid("begin", "开始时间已过") }
        capacity = try parameters.requiredInt("people_count", in: 1...500)
        longitude = try Self.coordinate(parameters, "lng", limit: 180)
        latitude = try Self.coordinate(parameters, "lat", limit: 90)
        address = try parameters.requiredString("addr", maxLength: 200)
        serviceTargets = try parameters.strings("service_target", maxCount: 20, maxLength: 32)
        guard !serviceTargets.isEmpty else { throw .missing("service_target") }
        abstract = try parameters.requiredString("abstract", maxLength: 2000)
        price = try parameters.requiredInt("price", in: 0...100_000)
        slots = SlotPlan(begin: beginSeconds, end: endSeconds, places: capacity)
    }

    /// Seconds since midnight of a strict `HH:mm:ss`.
    static func seconds(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let hours = Int(parts[0]), let minutes = Int(parts[1]), let seconds = Int(parts[2]),
            hours < 24, minutes < 60, seconds < 60
        else { return nil }
        return hours * 3600 + minutes * 60 + seconds
    }

    /// A strict `yyyy-MM-dd` that names a real day.
    static func isCalendarDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return false }
        let calendar = Calendar(identifier: .gregorian)
        return DateComponents(calendar: calendar, year: year, month: month, day: day).isValidDate
    }

    /// A decimal coordinate within ±`limit`, kept as the text the client sent (the API writes
    /// coordinates as text).
    static func coordinate(_ parameters: Parameters, _ name: String, limit: Double) throws(CallError) -> String {
        let text = try parameters.requiredString(name, maxLength: 20)
        let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        let isDecimal =
            !digits.isEmpty && digits.filter { $0 == "." }.count <= 1 && digits.first != "." && digits.last != "."
            && digits.allSatisfy { ($0.isASCII && $0.isNumber) || $0 == "." }
        guard isDecimal, let value = Double(text), abs(value) <= limit else {
            throw .invalid(name, "应为 -\(Int(limit)) 到 \(Int(limit)) 之间的小数")
        }
        return text
    }

    static func isWebURL(_ text: String) -> Bool {
        let lower = text.lowercased()
        return (lower.hasPrefix("http://") || lower.hasPrefix("https://")) && text.count > 8 && !text.contains(where: \.isWhitespace)
    }
}

/// `GET /project` as SQL: the projects a patient can still join, searched, filtered and sorted.
///
/// Only active (not cancelled) projects that are not over are listed. `keyword` matches the
/// abstract, the address, the doctor's name or the hospital's name; `service_target` one of the
/// project's targets; `departments` the doctor's department; `org_id` a project of that
/// organisation or of a doctor who is an approved member of it. Sorts: 1 nearest to the
/// caller's `X-location` (soonest first when the caller sends none), 2 newest published,
/// 3 most active bookings; by default the soonest first.
private struct ProjectSearch {
    /// The SQL function that measures from the caller, registered per query by `prepare`.
    static let distanceFunction = "vdapi_distance_from_caller"

    let location: Location?
    private(set) var select = ""
    private(set) var orderBy = ""
    private(set) var arguments = StatementArguments()

    init(_ parameters: Parameters, now: Date, location: Location?) throws(CallError) {
        let keyword = try KeywordSearch(parameters)?.text
        let sort = try parameters.int("sort", in: 1...3)
        self.location = sort == 1 ? location : nil
        let target = try parameters.string("service_target", maxLength: 32)
        let department = try parameters.string("departments", maxLength: 32)
        // 0 is what clients send for "any"; it filters nothing.
        let hospitalID = try parameters.int("hospital_id", in: 0...Int.max).flatMap { $0 == 0 ? nil : $0 }
        let orgID = try parameters.int("org_id", in: 0...Int.max).flatMap { $0 == 0 ? nil : $0 }

        var columns = [
            "project.*",
            "(SELECT COUNT(*) FROM diagnosis WHERE diagnosis.project_id = project.id AND diagnosis.verify_status = \(BookingStatus.booked.rawValue)) AS active_bookings",
        ]
        if self.location != nil {
            columns.append("\(Self.distanceFunction)(CAST(project.lng AS REAL), CAST(project.lat AS REAL)) AS distance")
        }

        let today = APIClock.date(now)
        var conditions = ["project.status = \(ProjectStatus.active.rawValue)", #"(project.date > ? OR (project.date = ? AND project."end" > ?))"#]
        var conditionArguments: StatementArguments = [today, today, APIClock.time(now)]
        if let keyword {
            conditions.append(
                """
                (instr(lower(project.abstract), lower(?)) > 0 OR instr(lower(project.addr), lower(?)) > 0
                 OR instr(lower(COALESCE(doctor.real_name, '')), lower(?)) > 0 OR instr(lower(COALESCE(hospital.name, '')), lower(?)) > 0)
                """)
            conditionArguments += [keyword, keyword, keyword, keyword]
        }
        if let target {
            conditions.append("EXISTS (SELECT 1 FROM json_each(project.service_target) WHERE json_each.value = ?)")
            conditionArguments += [target]
        }
        if let department {
            conditions.append("doctor.departments = ?")
            conditionArguments += [department]
        }
        if let hospitalID {
            conditions.append("project.hospital_id = ?")
            conditionArguments += [hospitalID]
        }
        if let orgID {
            conditions.append(
                """
                (project.org_id = ? OR EXISTS (SELECT 1 FROM org_member WHERE org_member.org_id = ?
                    AND org_member.doctor_id = project.doctor_id AND org_member.verify_status = \(MembershipStatus.approved.rawValue)))
                """)
            conditionArguments += [orgID, orgID]
        }

        select = """
            SELECT \(columns.joined(separator: ", ")) FROM project
            JOIN user AS doctor ON doctor.id = project.doctor_id
            LEFT JOIN hospital ON hospital.id = project.hospital_id
            WHERE \(conditions.joined(separator: " AND "))
            """
        arguments = conditionArguments
        let soonest = "project.date, project.begin, project.id"
        switch sort {
        case 1 where self.location != nil: orderBy = "distance, \(soonest)"
        case 2: orderBy = "project.created_at DESC, project.id DESC"
        case 3: orderBy = "active_bookings DESC, \(soonest)"
        default: orderBy = soonest
        }
    }

    /// Makes `distanceFunction` measure from this caller on `db` when sorting by distance, with the same great-circle
    /// distance as everywhere else (`Location.distance(to:)`); a project whose coordinates
    /// cannot be read sorts last.
    func prepare(_ db: Database) {
        guard let location else { return }
        let function = DatabaseFunction(Self.distanceFunction, argumentCount: 2, pure: true) { values in
            guard let longitude = Double.fromDatabaseValue(values[0]), let latitude = Double.fromDatabaseValue(values[1]) else {
                return Double.greatestFiniteMagnitude
            }
            return location.distance(to: Location(longitude: longitude, latitude: latitude))
        }
        db.add(function: function)
    }
}
