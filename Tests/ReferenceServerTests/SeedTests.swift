import Foundation
import GRDB
import Testing
import VolunteerAPI

@testable import ReferenceServer

/// The seed worlds: the demo's accounts log in over HTTP and its projects read as the rules
/// say; both worlds keep every derived fact consistent with the booking rules; the scale world
/// has the size asked for and is the same for the same N and seed number.
@Suite("Seeds")
struct SeedTests {
    /// 2025-03-14 10:17 China time, a Friday morning.
    static let morning = Date(timeIntervalSince1970: 1_741_918_620)
    /// 00:10 and 23:50 of the same day: today's demo project must still be in progress.
    static let justAfterMidnight = Date(timeIntervalSince1970: 1_741_882_200)
    static let lateEvening = Date(timeIntervalSince1970: 1_741_967_400)

    static func configuration(at now: Date) -> ReferenceServerConfiguration {
        var configuration = ReferenceServerConfiguration()
        configuration.clock = { now }
        return configuration
    }

    /// A running server whose clock stands at `now`, seeded with the demo world.
    private func withDemoServer(at now: Date = morning, _ body: (TestServer, String) async throws -> Void) async throws {
        try await TestServer.withRunning(configure: { $0.clock = { now } }) { server in
            let summary = try await Seed.demo(into: server.database, configuration: server.server.state.configuration)
            try await body(server, summary)
        }
    }

    private func logIn(_ server: TestServer, _ phone: String, _ password: String, _ role: UserRole) async throws -> UserProfile {
        try await server.call(.login, [:], ["phono": .string(phone), "pwd": .string(password), "type": .integer(role.rawValue)])
            .payload(UserProfile.self, role: role)
    }

    // MARK: - Demo

    @Test("every demo account in the summary logs in over HTTP with the printed password")
    func demoAccountsLogIn() async throws {
        try await withDemoServer { server, summary in
            #expect(summary.contains("password \(DemoSeed.password)"))
            #expect(summary.contains("curl -s -X POST") && summary.contains("/doctor/project") && summary.contains("X-auth-token"))
            #expect(DemoSeed.accounts.filter { $0.role == .doctor }.count == 3)
            #expect(DemoSeed.accounts.filter { $0.role == .assistant }.count == 2)
            #expect(DemoSeed.accounts.filter { $0.role == .patient }.count == 8)
            for account in DemoSeed.accounts {
                #expect(summary.contains(account.phone) && summary.contains(account.name), "summary lists \(account.role) \(account.name)")
                let user = try await logIn(server, account.phone, DemoSeed.password, account.role)
                #expect(user.role == account.role && user.realName == account.name)
                switch user {
                case .doctor(let doctor):
                    #expect(doctor.token != nil && doctor.hospital != nil && doctor.workTime.count == 7 && !doctor.workPhotos.isEmpty)
                    #expect(!doctor.organisations.isEmpty, "every demo doctor belongs to an organisation")
                case .patient(let patient):
                    #expect(patient.token != nil && patient.idCardNumber?.count == 18 && patient.age != nil && patient.height != nil)
                    #expect(patient.provinceName != nil && patient.countyName != nil)
                case .assistant(let assistant):
                    #expect(assistant.token != nil && assistant.teamName != nil && (assistant.helpCount ?? 0) > 0)
                }
            }
            // The password is the demo's, not any password.
            try await server.call(.login, [:], ["phono": "13800000001", "pwd": "demo1234", "type": 2]).expectFailure(.wrongCredentials)
        }
    }

    @Test("the demo doctor's /doctor/project lists past, today's and upcoming projects")
    func demoDoctorProjects() async throws {
        try await withDemoServer { server, _ in
            let doctor = try #require(DemoSeed.accounts.first { $0.role == .doctor })
            let token = try #require(try await logIn(server, doctor.phone, DemoSeed.password, .doctor).token)
            let listed = try await server.call(.doctorProjects, token: token).payload(RecordList<Project>.self).records
            let stored = try await server.database.count(
                "project", where: "doctor_id = (SELECT id FROM user WHERE phone = ? AND type = 2)", [doctor.phone])
            #expect(listed.count == stored && stored >= 4)
            #expect(Set(listed.compactMap(\.projectStatus)) == [1, 2, 3], "over, in progress and upcoming")
            let upcoming = listed.filter { $0.projectStatus == 1 }
            #expect(upcoming.contains { ($0.joinedCount ?? 0) == ($0.capacity ?? 0) - 1 }, "one nearly full")
            for project in listed {
                #expect((project.joinedCount ?? 0) <= (project.capacity ?? 0))
                #expect(project.joinedUsers.count == project.joinedCount)
                let slots = try #require(project.planTime, "every project has slots, as POST /project makes them")
                #expect(slots.slots.map(\.remaining).reduce(0, +) == (project.capacity ?? 0) - (project.joinedCount ?? 0))
            }
        }
    }

    @Test("the demo's full and cancelled projects read as the rules say")
    func demoProjectStates() async throws {
        try await withDemoServer { server, _ in
            let ids = try await server.database.read { db in
                let full = try Int.fetchOne(
                    db,
                    sql: """
                        SELECT id FROM project WHERE status = 1 AND date > ? AND people_count =
                            (SELECT COUNT(*) FROM diagnosis WHERE project_id = project.id AND verify_status = 1)
                        """, arguments: [APIClock.date(Self.morning)])
                let cancelled = try Int.fetchOne(db, sql: "SELECT id FROM project WHERE status = 0")
                return (full, cancelled)
            }
            let fullID = try #require(ids.0, "one upcoming project is full")
            let full = try await server.call(.project, ["id": String(fullID)]).payload(Project.self)
            #expect(full.progressStatus == 2 && full.projectStatus == 1 && full.joinedCount == full.capacity)
            #expect(full.planTime?.slots.allSatisfy { $0.remaining == 0 } == true)

            let cancelledID = try #require(ids.1, "one project was cancelled by its doctor")
            let cancelled = try await server.call(.project, ["id": String(cancelledID)]).payload(Project.self)
            #expect(cancelled.status == 0 && cancelled.projectStatus == 3 && cancelled.joinedCount == 0)
            let ended = try await server.database.count("diagnosis", where: "project_id = ? AND verify_status = 3 AND reject_msg = '医生已取消义诊'", [cancelledID])
            let booked = try await server.database.count("diagnosis", where: "project_id = ?", [cancelledID])
            #expect(ended == booked && ended > 0, "its bookings ended as the cancel route ends them")
        }
    }

    @Test("the demo patient's registrations, refunds and dialogs come back through the patient's routes")
    func demoPatientPages() async throws {
        try await withDemoServer { server, _ in
            let patient = try #require(DemoSeed.accounts.first { $0.role == .patient })
            let token = try #require(try await logIn(server, patient.phone, DemoSeed.password, .patient).token)
            let userID = "(SELECT id FROM user WHERE phone = '\(patient.phone)' AND type = 1)"
            for (type, condition) in [(1, "verify_status = 1 AND status = 1"), (2, "verify_status IN (2, 3)"), (3, "status = 2"), (4, "status = 3")] {
                let listed = try await server.call(.patientDiagnoses, [:], ["type": .integer(type), "page_size": 50], token: token)
                    .payload(RecordList<Diagnosis>.self)
                let stored = try await server.database.count("diagnosis", where: "user_id = \(userID) AND \(condition)")
                #expect(listed.page?.totalCount == stored && stored > 0, "type \(type)")
            }
            let refunds = try await server.call(.refundDiagnoses, [:], ["page_size": 50], token: token).payload(RecordList<Diagnosis>.self)
            #expect(!refunds.records.isEmpty && refunds.records.allSatisfy { $0.refundStatus == 1 || $0.refundStatus == 3 })
            #expect(refunds.records.contains { $0.refundStatus == 3 }, "a refund started days ago shows complete")
            let dialogs = try await server.call(.chatDialogs, token: token).payload(RecordList<ChatDialog>.self).records
            #expect(!dialogs.isEmpty && dialogs.allSatisfy { $0.lastMessage != nil })
        }
    }

    @Test("the demo's tables hold a small world with every kind of row")
    func demoCounts() async throws {
        let database = try ReferenceDatabase(.memory)
        _ = try await Seed.demo(into: database, configuration: Self.configuration(at: Self.morning))
        #expect(try await database.count("user", where: "type = 2") == 3)
        #expect(try await database.count("user", where: "type = 3") == 2)
        #expect(try await database.count("user", where: "type = 1") == 8)
        #expect((3...4).contains(try await database.count("hospital")))
        #expect((2...3).contains(try await database.count("org")))
        #expect(try await database.count("city", where: "parent_id = 0") >= 3)
        #expect(try await database.count("project", where: "status = 0") == 1)
        for table in SeedSupport.tables {
            #expect(try await database.count(table) > 0, "\(table) is seeded")
        }
        // Every state a booking can reach: waiting, no-show, seen, rejected, cancelled.
        for (verify, status) in [(1, 1), (1, 2), (1, 3), (2, 1), (3, 1)] {
            #expect(try await database.count("diagnosis", where: "verify_status = ? AND status = ?", [verify, status]) > 0, "(\(verify), \(status))")
        }
        #expect(try await database.count("diagnosis", where: "assistant_user_id > 0") > 0)
        #expect(try await database.count("diagnosis", where: "doctor_score > 0") > 0)
        #expect(try await database.count("diagnosis", where: "patient_credit_score > 0") > 0)
        #expect(try await database.count("chat_message", where: "is_read = 0") > 0)
        #expect(try await database.count("chat_message", where: "type = 1") > 0)
        #expect(try await database.count("chat_message", where: "type = 2") > 0)
        for type in 1...3 {
            #expect(try await database.count("news", where: "type = ?", [type]) > 0)
        }
        #expect(try await database.count("banner", where: "audience = 1") > 0)
        #expect(try await database.count("banner", where: "audience = 3") > 0)
        #expect(try await database.count("message", where: "type = 0") > 0)
        #expect(try await database.count("message", where: "type = 1") > 0)
    }

    @Test(
        "the demo world is consistent with the booking rules at any time of day",
        arguments: [SeedTests.morning, SeedTests.justAfterMidnight, SeedTests.lateEvening])
    func demoIsConsistent(now: Date) async throws {
        let database = try ReferenceDatabase(.memory)
        _ = try await Seed.demo(into: database, configuration: Self.configuration(at: now))
        let problems = try await database.read { db in try SeedChecks.problems(db, now: now) }
        #expect(problems.isEmpty, "\(problems)")
        // Over, in progress, upcoming: today's project is running whenever the world is seeded.
        let states = try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM project WHERE status = 1").map { ProjectState(row: $0, now: now).phase.rawValue }
        }
        #expect(Set(states) == [1, 2, 3] && states.filter { $0 == 2 }.count == 1)
    }

    /// One fact broken by hand, and the rule of `SeedChecks` that must name it.
    struct Breakage: Sendable, CustomTestStringConvertible {
        let sql: String
        let rule: String
        var testDescription: String { rule }
    }

    @Test(
        "the consistency checks name a world that breaks a rule",
        arguments: [
            Breakage(sql: "UPDATE diagnosis SET sn = 'VD20000101000001' WHERE id = 1", rule: "an sn that is not Booking.serial"),
            Breakage(sql: "UPDATE diagnosis SET amount = '1.00' WHERE id = 1", rule: "amount, doctor or hospital unlike the project's"),
            Breakage(
                sql:
                    "UPDATE project SET people_count = 1 WHERE id = (SELECT project_id FROM diagnosis WHERE verify_status = 1 GROUP BY project_id HAVING COUNT(*) > 1 LIMIT 1)",
                rule: "active bookings exceed people_count"),
            Breakage(
                sql: "UPDATE diagnosis SET refund_status = NULL WHERE id = (SELECT MIN(id) FROM diagnosis WHERE refund_status IS NOT NULL)",
                rule: "a refund that Booking would not have started"),
            Breakage(
                sql: "UPDATE diagnosis SET status = 2 WHERE id = (SELECT MAX(id) FROM diagnosis WHERE verify_status = 1 AND status = 1)",
                rule: "a no-show of a project not over"),
            Breakage(
                sql: "UPDATE diagnosis SET plan_time = '07:00:00 - 07:30:00' WHERE id = (SELECT MAX(id) FROM diagnosis WHERE verify_status = 1)",
                rule: "a booking outside its slots"),
            Breakage(sql: "UPDATE chat_dialog SET last_msg_id = NULL WHERE id = 1", rule: "a dialog whose last_msg_id is not its last message"),
            Breakage(sql: "UPDATE user SET sex = 3 - sex WHERE id = 1", rule: "sex or birthday unlike the ID card"),
            Breakage(
                sql: "UPDATE diagnosis SET doctor_score = 5 WHERE id = (SELECT MIN(id) FROM diagnosis WHERE verify_status <> 1)",
                rule: "ratings or results of a visit that did not take place"),
        ])
    func checksNameBrokenRules(breakage: Breakage) async throws {
        let database = try ReferenceDatabase(.memory)
        _ = try await Seed.demo(into: database, configuration: Self.configuration(at: Self.morning))
        try await database.write { db in
            try db.execute(sql: breakage.sql)
            #expect(db.changesCount == 1, "the breakage changed one row")
        }
        let problems = try await database.read { db in try SeedChecks.problems(db, now: Self.morning) }
        #expect(problems.contains { $0.contains(breakage.rule) }, "\(problems)")
    }

    @Test("a seed refuses a database that already holds data and changes nothing")
    func seedsRefuseNonEmptyDatabase() async throws {
        let database = try ReferenceDatabase(.memory)
        let configuration = Self.configuration(at: Self.morning)
        _ = try await Seed.demo(into: database, configuration: configuration)
        let before = try await database.read { db in try SeedSupport.counts(db) }
        await #expect(throws: SeedSupport.Failure.self) { try await Seed.demo(into: database, configuration: configuration) }
        await #expect(throws: SeedSupport.Failure.self) { try await Seed.scale(projects: 5, seed: 1, into: database, configuration: configuration) }
        #expect(try await database.read { db in try SeedSupport.counts(db) } == before)

        let empty = try ReferenceDatabase(.memory)
        await #expect(throws: SeedSupport.Failure.self) { try await Seed.scale(projects: 0, seed: 1, into: empty, configuration: configuration) }
        await #expect(throws: SeedSupport.Failure.self) {
            try await Seed.scale(projects: ScaleSeed.maximumProjects + 1, seed: 1, into: empty, configuration: configuration)
        }
        #expect(try await empty.count("city") == 0)
    }

    // MARK: - Scale

    @Test("scale:N has N projects, the documented proportions, and consistent rows")
    func scaleShapeAndConsistency() async throws {
        let database = try ReferenceDatabase(.memory)
        let summary = try await Seed.scale(projects: 300, seed: 7, into: database, configuration: Self.configuration(at: Self.morning))
        #expect(try await database.count("project") == 300)
        #expect(try await database.count("user", where: "type = 2") == 60)
        #expect(try await database.count("user", where: "type = 1") == 900)
        let diagnoses = try await database.count("diagnosis")
        #expect((2_400...3_600).contains(diagnoses), "about ten per project: \(diagnoses)")
        #expect(try await database.count("casebook") == diagnoses)
        let dialogs = try await database.count("chat_dialog")
        #expect((300...450).contains(dialogs), "about one per two patients: \(dialogs)")
        let messages = try await database.count("chat_message")
        #expect(messages >= dialogs * 6 && messages <= dialogs * 14)
        #expect(try await database.count("message", where: "to_user_id IN (SELECT id FROM user WHERE type = 1)") == 1_800)
        let days = try await database.read { db in
            try String.fetchAll(db, sql: "SELECT MIN(date) FROM project UNION ALL SELECT MAX(date) FROM project")
        }
        #expect(days.count == 2)
        #expect(days.first.map { $0 >= APIClock.date(Self.morning.addingTimeInterval(-60 * 86_400)) } == true)
        #expect(days.last.map { $0 <= APIClock.date(Self.morning.addingTimeInterval(30 * 86_400)) } == true)
        for account in [ScaleSeed.phone(.doctor, 0), ScaleSeed.phone(.assistant, 0), ScaleSeed.phone(.patient, 0), ScaleSeed.password] {
            #expect(summary.contains(account))
        }
        #expect(summary.contains("project 300") && summary.contains("diagnosis \(diagnoses)"))

        let problems = try await database.read { db in try SeedChecks.problems(db, now: Self.morning) }
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test("a scale world is consistent at any time of day", arguments: [SeedTests.justAfterMidnight, SeedTests.lateEvening])
    func scaleIsConsistentAnyTime(now: Date) async throws {
        let database = try ReferenceDatabase(.memory)
        _ = try await Seed.scale(projects: 150, seed: 3, into: database, configuration: Self.configuration(at: now))
        let problems = try await database.read { db in try SeedChecks.problems(db, now: now) }
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test("the same N and seed number build the same rows; another seed number builds others")
    func scaleIsDeterministic() async throws {
        let configuration = Self.configuration(at: Self.morning)
        var digests: [UInt64] = []
        for seed: UInt64 in [42, 42, 43] {
            let database = try ReferenceDatabase(.memory)
            _ = try await Seed.scale(projects: 120, seed: seed, into: database, configuration: configuration)
            #expect(try await database.count("project") == 120)
            digests.append(try await database.read { db in try SeedChecks.digest(db) })
        }
        #expect(digests[0] == digests[1])
        #expect(digests[0] != digests[2])
    }

    @Test("scale accounts log in over HTTP and the doctor's projects are listed")
    func scaleAccountsLogIn() async throws {
        try await TestServer.withRunning(configure: { $0.clock = { Self.morning } }) { server in
            _ = try await Seed.scale(projects: 40, seed: 1, into: server.database, configuration: server.server.state.configuration)
            for role in UserRole.allCases {
                let user = try await logIn(server, ScaleSeed.phone(role, 0), ScaleSeed.password, role)
                #expect(user.role == role && user.realName != nil)
            }
            let token = try #require(try await logIn(server, ScaleSeed.phone(.doctor, 0), ScaleSeed.password, .doctor).token)
            let listed = try await server.call(.doctorProjects, token: token).payload(RecordList<Project>.self).records
            let stored = try await server.database.count("project", where: "doctor_id = 1")
            #expect(listed.count == stored)
            #expect(listed.allSatisfy { ($0.joinedCount ?? 0) <= ($0.capacity ?? 0) })
        }
    }
}

/// The facts a seeded world must keep, written independently of the seeds: each query counts
/// the rows that break one rule of `Booking`, the routes or the document.
private enum SeedChecks {
    static func problems(_ db: Database, now: Date) throws -> [String] {
        let stamp = APIClock.timestamp(now)
        let today = APIClock.date(now)
        let clock = APIClock.time(now)
        let over = #"(p.date < :today OR (p.date = :today AND p."end" <= :clock))"#
        let started = "(p.date < :today OR (p.date = :today AND p.begin <= :clock))"
        let arguments: StatementArguments = ["now": stamp, "today": today, "clock": clock]
        let rules: [(String, String)] = [
            (
                "active bookings exceed people_count",
                """
                SELECT COUNT(*) FROM project p
                WHERE (SELECT COUNT(*) FROM diagnosis d WHERE d.project_id = p.id AND d.verify_status = 1) > p.people_count
                """
            ),
            (
                "a diagnosis without its own casebook",
                """
                SELECT COUNT(*) FROM diagnosis d LEFT JOIN casebook c ON c.id = d.casebook_id
                WHERE c.id IS NULL OR c.user_id <> d.user_id OR c.project_id <> d.project_id
                """
            ),
            (
                "an sn that is not Booking.serial of the booking day",
                """
                SELECT COUNT(*) FROM diagnosis
                WHERE sn IS NULL OR sn <> 'VD' || replace(substr(created_at, 1, 10), '-', '') || printf('%06d', id % 1000000)
                """
            ),
            (
                "amount, doctor or hospital unlike the project's",
                """
                SELECT COUNT(*) FROM diagnosis d JOIN project p ON p.id = d.project_id
                WHERE d.amount <> printf('%.2f', p.price) OR d.doctor_user_id <> p.doctor_id OR d.hospital_id IS NOT p.hospital_id
                """
            ),
            (
                "a project's hospital is not its doctor's",
                """
                SELECT COUNT(*) FROM project p JOIN user u ON u.id = p.doctor_id WHERE u.type <> 2 OR p.hospital_id IS NOT u.hospital_id
                """
            ),
            (
                "a refund that Booking would not have started",
                """
                SELECT COUNT(*) FROM diagnosis
                WHERE (refund_status IS NOT NULL) <> (CAST(amount AS REAL) > 0 AND (verify_status IN (2, 3) OR status = 3))
                   OR (refund_status IS NOT NULL AND (refund_status <> 1 OR refund_time IS NULL OR refund_time < created_at
                       OR refund_sn IS NOT 'RF' || replace(substr(refund_time, 1, 10), '-', '') || printf('%06d', id % 1000000)))
                """
            ),
            (
                "an ended booking that was not waiting, or ended after its project started",
                """
                SELECT COUNT(*) FROM diagnosis d JOIN project p ON p.id = d.project_id
                WHERE d.verify_status IN (2, 3) AND (d.status <> 1 OR d.updated_at >= p.date || ' ' || p.begin
                    OR (d.verify_status = 2 AND d.reject_msg = '') OR (d.verify_status = 3 AND d.reject_msg NOT IN ('', '医生已取消义诊')))
                """
            ),
            (
                "a booking made once its project had started",
                """
                SELECT COUNT(*) FROM diagnosis d JOIN project p ON p.id = d.project_id
                WHERE d.created_at >= p.date || ' ' || p.begin OR d.created_at < p.created_at
                """
            ),
            ("seen before the project started", "SELECT COUNT(*) FROM diagnosis d JOIN project p ON p.id = d.project_id WHERE d.status = 3 AND NOT \(started)"),
            ("a no-show of a project not over", "SELECT COUNT(*) FROM diagnosis d JOIN project p ON p.id = d.project_id WHERE d.status = 2 AND NOT \(over)"),
            // Nothing on the server marks a no-show, so a project that ended earlier today may
            // still hold waiting bookings; the seeds settle those of earlier days.
            (
                "a booking still waiting in a project of an earlier day",
                """
                SELECT COUNT(*) FROM diagnosis d JOIN project p ON p.id = d.project_id
                WHERE d.verify_status = 1 AND d.status = 1 AND p.status = 1 AND p.date < :today
                """
            ),
            (
                "an active booking in a cancelled project",
                """
                SELECT COUNT(*) FROM diagnosis d JOIN project p ON p.id = d.project_id WHERE p.status = 0 AND d.verify_status = 1
                """
            ),
            (
                "ratings or results of a visit that did not take place",
                """
                SELECT COUNT(*) FROM diagnosis
                WHERE (patient_credit_score > 0 OR doctor_score > 0 OR diag_result IS NOT NULL) AND NOT (verify_status = 1 AND status = 3)
                   OR (doctor_comment_time IS NULL) <> (patient_credit_score = 0)
                   OR (patient_comment_time IS NULL) <> (doctor_score = 0)
                   OR (doctor_comment IS NULL) <> (doctor_score = 0)
                   OR patient_credit_score NOT BETWEEN 0 AND 5 OR doctor_score NOT BETWEEN 0 AND 5
                """
            ),
            (
                "confirm_no_refund off a no-show with a deposit",
                """
                SELECT COUNT(*) FROM diagnosis WHERE confirm_no_refund <> (status = 2 AND CAST(amount AS REAL) > 0)
                """
            ),
            (
                "an assistant booking for a patient the assistant does not look after",
                """
                SELECT COUNT(*) FROM diagnosis d WHERE d.assistant_user_id > 0 AND NOT EXISTS (
                    SELECT 1 FROM assistant_patient ap JOIN user a ON a.id = ap.assistant_id
                    WHERE ap.assistant_id = d.assistant_user_id AND ap.patient_id = d.user_id AND a.type = 3)
                """
            ),
            (
                "a booking's patient is not a patient",
                "SELECT COUNT(*) FROM diagnosis d JOIN user u ON u.id = d.user_id WHERE u.type <> 1 OR u.real_name IS NULL"
            ),
            (
                "a timestamp after now",
                """
                SELECT (SELECT COUNT(*) FROM diagnosis WHERE created_at > :now OR updated_at > :now OR refund_time > :now
                            OR doctor_comment_time > :now OR patient_comment_time > :now OR updated_at < created_at)
                     + (SELECT COUNT(*) FROM casebook WHERE created_at > :now)
                     + (SELECT COUNT(*) FROM project WHERE created_at > :now)
                     + (SELECT COUNT(*) FROM user WHERE created_at > :now)
                     + (SELECT COUNT(*) FROM chat_message WHERE created_at > :now)
                     + (SELECT COUNT(*) FROM message WHERE publish_time > :now)
                     + (SELECT COUNT(*) FROM news WHERE publish_time > :now)
                     + (SELECT COUNT(*) FROM follow WHERE created_at > :now)
                """
            ),
            (
                "a dialog whose last_msg_id is not its last message",
                """
                SELECT COUNT(*) FROM chat_dialog c WHERE c.last_msg_id IS NOT (SELECT MAX(id) FROM chat_message m WHERE m.dialog_id = c.id)
                """
            ),
            (
                "a chat message outside its dialog's pair, or typed unlike its sender",
                """
                SELECT COUNT(*) FROM chat_message m JOIN chat_dialog c ON c.id = m.dialog_id
                WHERE NOT ((m.type = 1 AND m.from_user_id = c.patient_user_id AND m.to_user_id = c.doctor_user_id)
                        OR (m.type = 2 AND m.from_user_id = c.doctor_user_id AND m.to_user_id = c.patient_user_id))
                """
            ),
            (
                "chat message ids that do not grow with time",
                """
                SELECT COUNT(*) FROM (SELECT created_at, LAG(created_at) OVER (ORDER BY id) AS previous FROM chat_message) WHERE previous > created_at
                """
            ),
            (
                "an unread message its reader has answered since",
                """
                SELECT COUNT(*) FROM chat_message a WHERE a.is_read = 0 AND EXISTS (
                    SELECT 1 FROM chat_message b WHERE b.dialog_id = a.dialog_id AND b.id > a.id AND b.from_user_id = a.to_user_id)
                """
            ),
            ("a system message typed unlike its recipient", "SELECT COUNT(*) FROM message WHERE (type = 0) <> (to_user_id IS NULL) OR type NOT IN (0, 1)"),
            (
                "news or banners for an unknown audience",
                "SELECT (SELECT COUNT(*) FROM news WHERE type NOT IN (1, 2, 3)) + (SELECT COUNT(*) FROM banner WHERE audience NOT IN (1, 3))"
            ),
            (
                "a follow of someone who is not a doctor",
                """
                SELECT COUNT(*) FROM follow f JOIN user u ON u.id = f.user_id JOIN user d ON d.id = f.doctor_id WHERE u.type = 2 OR d.type <> 2
                """
            ),
            ("an organisation membership not approved", "SELECT COUNT(*) FROM org_member WHERE verify_status <> 1"),
            (
                "a special project unlike its projects",
                """
                SELECT COUNT(*) FROM special_project s
                WHERE NOT EXISTS (SELECT 1 FROM special_project_item i WHERE i.special_project_id = s.id)
                   OR EXISTS (SELECT 1 FROM special_project_item i JOIN project p ON p.id = i.project_id WHERE i.special_project_id = s.id AND p.date <> s.date)
                   OR s.people_count <> (SELECT SUM(p.people_count) FROM special_project_item i JOIN project p ON p.id = i.project_id WHERE i.special_project_id = s.id)
                """
            ),
            (
                "an incomplete profile",
                """
                SELECT COUNT(*) FROM user WHERE password_hash = '' OR real_name IS NULL OR idno IS NULL OR province_id IS NULL
                   OR (type = 1 AND (height IS NULL OR weight IS NULL OR marital_status IS NULL OR drink_status IS NULL OR smoking_status IS NULL))
                   OR (type = 2 AND (hospital_id IS NULL OR departments IS NULL OR job_position IS NULL OR good_at IS NULL OR work_photo = '[]'))
                   OR (type = 3 AND team_name IS NULL)
                """
            ),
            (
                "a region id that is not a seeded district of its city and province",
                """
                SELECT (SELECT COUNT(*) FROM user u WHERE NOT EXISTS (
                            SELECT 1 FROM city c JOIN city t ON t.id = c.parent_id
                            WHERE c.id = u.county_id AND t.id = u.city_id AND t.parent_id = u.province_id))
                     + (SELECT COUNT(*) FROM hospital h WHERE NOT EXISTS (
                            SELECT 1 FROM city c JOIN city t ON t.id = c.parent_id
                            WHERE c.id = h.county_id AND t.id = h.city_id AND t.parent_id = h.province_id))
                """
            ),
        ]
        var problems: [String] = []
        for (rule, sql) in rules {
            let broken = try Int.fetchOne(db, sql: sql, arguments: arguments) ?? 0
            if broken > 0 { problems.append("\(rule): \(broken)") }
        }
        problems += try slotProblems(db)
        problems += try peopleProblems(db)
        return problems
    }

    /// Slots as `POST /project` cuts them, every active booking in a slot with room, and the
    /// visit time at its slot's start.
    private static func slotProblems(_ db: Database) throws -> [String] {
        var problems: [String] = []
        for project in try Row.fetchAll(db, sql: #"SELECT id, date, begin, "end", people_count, slot_capacity FROM project"#) {
            let id: Int = project["id"]
            let capacities = (try? JSONDecoder().decode([String: Int].self, from: Data((project["slot_capacity"] as String).utf8))) ?? [:]
            if capacities.values.reduce(0, +) != project["people_count"] as Int || capacities.values.contains(where: { $0 <= 0 }) {
                problems.append("project \(id): slot places do not add up to people_count")
            }
            let begin: String = project["begin"]
            let end: String = project["end"]
            if let first = capacities.keys.min(), !first.hasPrefix(begin) || capacities.keys.contains(where: { $0.suffix(8) > end }) {
                problems.append("project \(id): slots outside its hours")
            }
            let bookings = try Row.fetchAll(db, sql: "SELECT plan_time, visit_time, verify_status FROM diagnosis WHERE project_id = ?", arguments: [id])
            var taken: [String: Int] = [:]
            for booking in bookings {
                guard let slot = booking["plan_time"] as String?, capacities[slot] != nil else {
                    problems.append("project \(id): a booking outside its slots")
                    continue
                }
                if (booking["visit_time"] as String) != "\(project["date"] as String) \(slot.prefix(8))" {
                    problems.append("project \(id): visit_time is not the slot's start")
                }
                if (booking["verify_status"] as Int) == 1 { taken[slot, default: 0] += 1 }
            }
            if taken.contains(where: { $0.value > capacities[$0.key] ?? 0 }) { problems.append("project \(id): a slot over its places") }
        }
        return problems
    }

    /// ID-card numbers with a correct check character, and sex and birthday as `PUT /user`
    /// derives them; a doctor's week of seven days.
    private static func peopleProblems(_ db: Database) throws -> [String] {
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        var problems: [String] = []
        for user in try Row.fetchAll(db, sql: "SELECT id, type, idno, sex, birthday, work_time FROM user") {
            let id: Int = user["id"]
            let idno = Array((user["idno"] as String?) ?? "")
            guard idno.count == 18 else {
                problems.append("user \(id): ID-card number is not 18 characters")
                continue
            }
            let sum = zip(idno.prefix(17), weights).reduce(0) { $0 + ($1.0.wholeNumberValue ?? 99) * $1.1 }
            if idno[17] != Array("10X98765432")[sum % 11] { problems.append("user \(id): wrong ID-card check character") }
            let birthday = "\(String(idno[6..<10]))-\(String(idno[10..<12]))-\(String(idno[12..<14]))"
            let sex = (idno[16].wholeNumberValue ?? 0) % 2 == 1 ? 1 : 2
            if (user["birthday"] as String?) != birthday || (user["sex"] as Int?) != sex { problems.append("user \(id): sex or birthday unlike the ID card") }
            if (user["type"] as Int) == 2 {
                let week = (user["work_time"] as String?).flatMap { try? JSONDecoder().decode([WorkDay].self, from: Data($0.utf8)) }
                if week?.count != 7 { problems.append("user \(id): work_time is not seven days") }
            }
        }
        return problems
    }

    /// FNV-1a over every seeded row, without password hashes (bcrypt salts each one).
    static func digest(_ db: Database) throws -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for table in SeedSupport.tables {
            let rows = try Row.fetchCursor(db, sql: "SELECT * FROM \(table.quotedDatabaseIdentifier) ORDER BY rowid")
            while let row = try rows.next() {
                for (column, value) in row where column != "password_hash" {
                    for byte in "\(table).\(column)=\(value);".utf8 {
                        hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3
                    }
                }
            }
        }
        return hash
    }
}
