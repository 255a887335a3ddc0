import AsyncHTTPClient
import Foundation
import GRDB
import Testing
import VolunteerAPI

@testable import ReferenceServer

/// Projects over real HTTP: publishing with derived time slots, details per caller, joining and
/// leaving by slot, the doctor's cancellation and its refunds, the public search with its
/// filters, sorts and paging, and special projects.
@Suite("Projects")
struct ProjectTests {
    /// 2030-03-01 08:00:00 in China: the server's fixed now, so dates in tests are stable.
    static let start = Date(timeIntervalSince1970: 1_898_553_600)
    static let tomorrow = "2030-03-02"

    static func running(_ body: (TestServer) async throws -> Void) async throws {
        try await TestServer.withRunning(configure: { $0.clock = { ProjectTests.start } }, body)
    }

    /// The parameters of a valid `POST /project` for tomorrow morning, with `changes` applied.
    static func draft(_ changes: [String: JSONValue] = [:]) -> [String: JSONValue] {
        let base: [String: JSONValue] = [
            "date": .string(tomorrow), "begin": "09:00:00", "end": "11:00:00", "people_count": 10, "lng": "116.400000",
            "lat": "39.900000", "addr": "朝阳社区卫生站", "service_target": .array(["老年人"]), "abstract": "社区义诊", "price": 0,
        ]
        return base.merging(changes) { $1 }
    }

    static func publish(_ server: TestServer, _ doctor: TestServer.Account, _ changes: [String: JSONValue] = [:]) async throws -> Project {
        try await server.call(.publishProject, [:], draft(changes), token: doctor.token).payload(Project.self)
    }

    static func detail(_ server: TestServer, _ id: Int, token: String? = nil) async throws -> Project {
        try await server.call(.project, ["id": String(id)], token: token).payload(Project.self)
    }

    static func join(_ server: TestServer, _ patient: TestServer.Account, _ id: Int, slot: String?, content: String = "头痛三天") async throws -> APIAnswer {
        var parameters: [String: JSONValue] = ["content": .string(content)]
        if let slot { parameters["plan_time"] = .string(slot) }
        return try await server.call(.projectJoin, ["id": String(id)], parameters, token: patient.token)
    }

    static func list(_ server: TestServer, _ parameters: [String: JSONValue] = [:], token: String? = nil) async throws -> RecordList<Project> {
        try await server.call(.projects, [:], parameters, token: token).payload(RecordList<Project>.self)
    }

    static func slots(_ project: Project) -> [String] { project.planTime?.slots.map { "\($0.label)=\($0.remaining)" } ?? [] }

    // MARK: - Publishing

    @Test("publishing: the doctor's hospital, the documented fields, and half-hour slots spread as §2.2.8 shows")
    func publish() async throws {
        try await Self.running { server in
            let hospital = try await server.insertHospital(name: "协和医院")
            let doctor = try await server.account(.doctor, phone: "13700000001", name: "王医生", hospitalID: hospital)

            // The document's own example: 15:23 to 20:53 for 74 places is 7 × 8 then 6 × 3.
            let example = try await Self.publish(
                server, doctor, ["begin": "15:23:00", "end": "20:53:00", "people_count": 74, "price": 50, "service_target": .array(["老年人", "儿童"])])
            #expect(example.hospital?.id == hospital && example.hospital?.name == "协和医院")
            #expect(example.doctor?.id == doctor.id && example.doctor?.realName == "王医生")
            #expect(example.date == Self.tomorrow && example.begin == "15:23:00" && example.end == "20:53:00")
            #expect(example.capacity == 74 && example.joinedCount == 0 && example.price == 50 && example.status == 1)
            #expect(example.progressStatus == 1 && example.projectStatus == 1 && example.canCancel == 1 && example.isJoined == 0)
            #expect(example.serviceTargets == ["老年人", "儿童"] && example.longitude?.text == "116.400000" && example.latitude?.text == "39.900000")
            let plan = try #require(example.planTime)
            #expect(plan.slots.count == 11 && plan.slots.map(\.remaining) == [7, 7, 7, 7, 7, 7, 7, 7, 6, 6, 6])
            #expect(plan.slots.first?.label == "15:23:00 - 15:53:00" && plan.slots.last?.label == "20:23:00 - 20:53:00")
            #expect(try await server.database.count("project", where: "id = ? AND hospital_id = ? AND doctor_id = ?", [example.id, hospital, doctor.id]) == 1)

            // The last slot ends with the project; places never exceed what was offered.
            let uneven = try await Self.publish(server, doctor, ["begin": "09:00:00", "end": "10:10:00", "people_count": 5])
            #expect(Self.slots(uneven) == ["09:00:00 - 09:30:00=2", "09:30:00 - 10:00:00=2", "10:00:00 - 10:10:00=1"])
            // Fewer places than slots: slots without a place are not offered.
            let few = try await Self.publish(server, doctor, ["people_count": 2])
            #expect(Self.slots(few) == ["09:00:00 - 09:30:00=1", "09:30:00 - 10:00:00=1"])

            // A form-encoded body with `service_target[]` is read the same way.
            let form = try await server.call(.publishProject, [:], Self.draft(["service_target": .array(["孕妇", "儿童"])]), token: doctor.token, encoding: .form)
                .payload(Project.self)
            #expect(form.serviceTargets == ["孕妇", "儿童"] && form.capacity == 10)
            // Today is fine while the project is still ahead.
            let today = try await Self.publish(server, doctor, ["date": "2030-03-01", "begin": "08:30:00", "end": "09:00:00"])
            #expect(today.projectStatus == 1)
        }
    }

    @Test("publishing refuses bad input naming the field, other roles, and a doctor without a hospital; nothing is written")
    func publishRefusals() async throws {
        try await Self.running { server in
            let doctor = try await server.account(.doctor, phone: "13700000001")
            let bad: [(String, [String: JSONValue])] = [
                ("date", ["date": "2030/03/02"]), ("date", ["date": "2030-02-30"]), ("date", ["date": "2030-02-28"]),
                ("date", ["date": .null]), ("begin", ["date": "2030-03-01", "begin": "07:30:00", "end": "09:00:00"]),
                ("begin", ["begin": "9:00"]), ("begin", ["begin": "24:00:00"]), ("end", ["end": "11:60:00"]),
                ("end", ["begin": "11:00:00", "end": "11:00:00"]), ("end", ["begin": "11:00:00", "end": "10:00:00"]),
                ("people_count", ["people_count": 0]), ("people_count", ["people_count": 501]), ("people_count", ["people_count": "many"]),
                ("lng", ["lng": "abc"]), ("lng", ["lng": "180.5"]), ("lng", ["lng": "1e2"]), ("lat", ["lat": "-90.1"]), ("lat", ["lat": "39..9"]),
                ("addr", ["addr": .null]), ("addr", ["addr": .string(String(repeating: "路", count: 201))]),
                ("service_target", ["service_target": .array([])]), ("service_target", ["service_target": .null]),
                ("abstract", ["abstract": .null]), ("abstract", ["abstract": .string(String(repeating: "好", count: 2001))]),
                ("price", ["price": -1]), ("price", ["price": "1.5"]),
            ]
            for (field, changes) in bad {
                let answer = try await server.call(.publishProject, [:], Self.draft(changes), token: doctor.token)
                try answer.expectFailure(.invalidParameter)
                let message = try answer.errorMessage
                #expect(message.contains(field), "\(changes) should name \(field): \(message)")
            }
            #expect(try await server.database.count("project") == 0)

            let patient = try await server.account(.patient, phone: "13900000001")
            let assistant = try await server.account(.assistant, phone: "13600000001")
            try await server.call(.publishProject, [:], Self.draft(), token: patient.token).expectFailure(.forbidden)
            try await server.call(.publishProject, [:], Self.draft(), token: assistant.token).expectFailure(.forbidden)
            try await server.call(.publishProject, [:], Self.draft()).expectFailure(.notLoggedIn)
            // A doctor who never completed the profile has no hospital to publish under.
            let newcomer = try await server.register(.doctor, phone: "13700000002")
            try await server.call(.publishProject, [:], Self.draft(), token: newcomer.token).expectFailure(.invalidParameter)
            #expect(try await server.database.count("project") == 0)
        }
    }

    // MARK: - Details per caller

    @Test("details: is_join, op_cancel and assistant_join_count are the caller's; anyone may read")
    func detailsPerCaller() async throws {
        try await Self.running { server in
            let owner = try await server.account(.doctor, phone: "13700000001")
            let colleague = try await server.account(.doctor, phone: "13700000002")
            let joined = try await server.account(.patient, phone: "13900000001")
            let bystander = try await server.account(.patient, phone: "13900000002")
            let helped = try await server.account(.patient, phone: "13900000003")
            let assistant = try await server.account(.assistant, phone: "13600000001")
            let project = try await Self.publish(server, owner, ["people_count": 4])
            let slot = "09:00:00 - 09:30:00"
            _ = try await Self.join(server, joined, project.id, slot: slot).payload(EmptyPayload.self)
            // The assistant's booking goes through the shared booking rules, as its own route does.
            let now = Self.start
            try await server.database.write { db in
                _ = try Booking.join(
                    db,
                    Booking.Request(
                        projectID: project.id, patientID: helped.id, assistantID: assistant.id, slot: "09:30:00 - 10:00:00", content: "代挂号", photos: []),
                    now: now)
            }

            let asJoined = try await Self.detail(server, project.id, token: joined.token)
            #expect(asJoined.isJoined == 1 && asJoined.canCancel == 1 && asJoined.assistantJoinCount == nil)
            #expect(asJoined.joinedCount == 2 && Set(asJoined.joinedUsers.map(\.id)) == [joined.id, helped.id])
            let asBystander = try await Self.detail(server, project.id, token: bystander.token)
            #expect(asBystander.isJoined == 0 && asBystander.canCancel == 0)
            let asOwner = try await Self.detail(server, project.id, token: owner.token)
            #expect(asOwner.canCancel == 1 && asOwner.isJoined == 0)
            #expect(try await Self.detail(server, project.id, token: colleague.token).canCancel == 0)
            let asAssistant = try await Self.detail(server, project.id, token: assistant.token)
            #expect(asAssistant.assistantJoinCount == 1 && asAssistant.canCancel == 0)
            let anonymous = try await Self.detail(server, project.id)
            #expect(anonymous.isJoined == 0 && anonymous.canCancel == 0 && anonymous.joinedCount == 2)
            #expect(Self.slots(anonymous) == ["09:00:00 - 09:30:00=0", "09:30:00 - 10:00:00=0", "10:00:00 - 10:30:00=1", "10:30:00 - 11:00:00=1"])

            // Once it has started nobody may cancel or leave; it is in progress.
            server.server.advanceClock(by: 25 * 3600 + 5 * 60)
            let started = try await Self.detail(server, project.id, token: joined.token)
            #expect(started.projectStatus == 2 && started.isJoined == 1 && started.canCancel == 0)
            #expect(try await Self.detail(server, project.id, token: owner.token).canCancel == 0)
            server.server.advanceClock(by: 3 * 3600)
            let over = try await Self.detail(server, project.id)
            #expect(over.projectStatus == 3 && over.progressStatus == 3)

            try await server.call(.project, ["id": "999"]).expectFailure(.notFound)
            try await server.call(.project, ["id": "abc"]).expectFailure(.notFound)
        }
    }

    // MARK: - Joining and leaving

    @Test("joining by slot: places left go down on join and up on leave; full slots and full projects refuse")
    func slotsAndCapacity() async throws {
        try await Self.running { server in
            let doctor = try await server.account(.doctor, phone: "13700000001")
            let patients = try await (1...4).asyncMap { try await server.account(.patient, phone: "1390000000\($0)") }
            let project = try await Self.publish(server, doctor, ["begin": "09:00:00", "end": "10:30:00", "people_count": 3])
            let (first, second, third) = ("09:00:00 - 09:30:00", "09:30:00 - 10:00:00", "10:00:00 - 10:30:00")
            #expect(Self.slots(project) == ["\(first)=1", "\(second)=1", "\(third)=1"])

            _ = try await Self.join(server, patients[0], project.id, slot: first).payload(EmptyPayload.self)
            var seen = try await Self.detail(server, project.id)
            #expect(Self.slots(seen) == ["\(first)=0", "\(second)=1", "\(third)=1"] && seen.joinedCount == 1 && seen.progressStatus == 1)
            let visit = try await server.database.read { db in
                try String.fetchOne(db, sql: "SELECT visit_time FROM diagnosis WHERE user_id = ?", arguments: [patients[0].id])
            }
            #expect(visit == "\(Self.tomorrow) 09:00:00")

            try await Self.join(server, patients[1], project.id, slot: first).expectFailure(.conflict)
            try await Self.join(server, patients[1], project.id, slot: nil).expectFailure(.invalidParameter)
            try await Self.join(server, patients[1], project.id, slot: "08:00:00 - 08:30:00").expectFailure(.invalidParameter)
            // A second booking of the same patient is refused whatever the slot.
            try await Self.join(server, patients[0], project.id, slot: second).expectFailure(.conflict)
            #expect(try await server.database.count("diagnosis") == 1)
            #expect(try await server.database.count("casebook") == 1)

            _ = try await Self.join(server, patients[1], project.id, slot: second).payload(EmptyPayload.self)
            _ = try await Self.join(server, patients[2], project.id, slot: third).payload(EmptyPayload.self)
            seen = try await Self.detail(server, project.id)
            #expect(seen.progressStatus == 2 && seen.joinedCount == 3 && seen.planTime?.slots.allSatisfy { $0.remaining == 0 } == true)
            try await Self.join(server, patients[3], project.id, slot: third).expectFailure(.conflict)
            #expect(try await server.database.count("diagnosis") == 3)

            // Leaving frees the place and the slot.
            _ = try await server.call(.cancelProjectJoin, ["id": String(project.id)], token: patients[0].token).payload(EmptyPayload.self)
            seen = try await Self.detail(server, project.id, token: patients[0].token)
            #expect(Self.slots(seen) == ["\(first)=1", "\(second)=0", "\(third)=0"] && seen.progressStatus == 1 && seen.isJoined == 0)
            #expect(try await server.database.count("diagnosis", where: "user_id = ? AND verify_status = 3", [patients[0].id]) == 1)
            // Leaving twice finds no booking; the freed place can be taken again.
            try await server.call(.cancelProjectJoin, ["id": String(project.id)], token: patients[0].token).expectFailure(.notFound)
            _ = try await Self.join(server, patients[3], project.id, slot: first).payload(EmptyPayload.self)
            #expect(try await Self.detail(server, project.id).progressStatus == 2)
        }
    }

    @Test("joining refuses bad input, wrong roles, cancelled and started projects; nothing is written")
    func joinRefusals() async throws {
        try await Self.running { server in
            let doctor = try await server.account(.doctor, phone: "13700000001")
            let patient = try await server.account(.patient, phone: "13900000001")
            let project = try await Self.publish(server, doctor)
            let path = ["id": String(project.id)]
            let slot: JSONValue = "09:00:00 - 09:30:00"
            let photo: JSONValue = "http://img.example/case.jpg"
            let bad: [(String, [String: JSONValue])] = [
                ("content", ["plan_time": slot]),
                ("content", ["plan_time": slot, "content": .string(String(repeating: "痛", count: 2001))]),
                ("photo", ["plan_time": slot, "content": "头痛", "photo": .array([photo, photo, photo, photo])]),
                ("photo", ["plan_time": slot, "content": "头痛", "photo": .array(["not a url"])]),
                ("photo", ["plan_time": slot, "content": "头痛", "photo": .array([.string("http://img.example/" + String(repeating: "a", count: 490))])]),
                ("plan_time", ["plan_time": .string(String(repeating: "9", count: 40)), "content": "头痛"]),
            ]
            for (field, parameters) in bad {
                let answer = try await server.call(.projectJoin, path, parameters, token: patient.token)
                try answer.expectFailure(.invalidParameter)
                let message = try answer.errorMessage
                #expect(message.contains(field), "\(parameters.keys.sorted()) should name \(field): \(message)")
            }
            try await Self.join(server, patient, 999, slot: "09:00:00 - 09:30:00").expectFailure(.notFound)
            try await server.call(.projectJoin, path, ["content": "头痛", "plan_time": slot], token: doctor.token).expectFailure(.forbidden)
            try await server.call(.projectJoin, path, ["content": "头痛", "plan_time": slot]).expectFailure(.notLoggedIn)
            // A patient must have completed the profile before booking.
            let newcomer = try await server.register(.patient, phone: "13900000002")
            try await Self.join(server, newcomer, project.id, slot: "09:00:00 - 09:30:00").expectFailure(.invalidParameter)
            #expect(try await server.database.count("diagnosis") == 0)
            #expect(try await server.database.count("casebook") == 0)

            // Up to three photos, kept with the casebook.
            _ = try await server.call(.projectJoin, path, ["content": "头痛", "plan_time": slot, "photo": .array([photo, photo, photo])], token: patient.token)
                .payload(EmptyPayload.self)
            let casebook = try await server.call(.projectCasebook, path, token: patient.token).payload(Casebook.self)
            #expect(casebook.photos.count == 3 && casebook.content == "头痛")

            let cancelled = try await Self.publish(server, doctor)
            _ = try await server.call(.cancelProject, ["id": String(cancelled.id)], token: doctor.token).payload(EmptyPayload.self)
            try await Self.join(server, patient, cancelled.id, slot: "09:00:00 - 09:30:00").expectFailure(.conflict)

            let other = try await server.account(.patient, phone: "13900000003")
            server.server.advanceClock(by: 25 * 3600 + 60)
            try await Self.join(server, other, project.id, slot: "10:30:00 - 11:00:00").expectFailure(.conflict)
            // Once it has started a booking can no longer be withdrawn either.
            try await server.call(.cancelProjectJoin, path, token: patient.token).expectFailure(.conflict)
            #expect(try await server.database.count("diagnosis", where: "verify_status = 1") == 1)
            server.server.advanceClock(by: 3 * 3600)
            try await Self.join(server, other, project.id, slot: "10:30:00 - 11:00:00").expectFailure(.conflict)
            #expect(try await server.database.count("diagnosis") == 1)
        }
    }

    @Test("leaving a paid project starts the refund; leaving is the patient's own and a doctor cannot")
    func leaving() async throws {
        try await Self.running { server in
            let doctor = try await server.account(.doctor, phone: "13700000001")
            let patient = try await server.account(.patient, phone: "13900000001")
            let other = try await server.account(.patient, phone: "13900000002")
            let paid = try await Self.publish(server, doctor, ["price": 30])
            let path = ["id": String(paid.id)]
            _ = try await Self.join(server, patient, paid.id, slot: "09:00:00 - 09:30:00").payload(EmptyPayload.self)
            #expect(try await server.database.count("diagnosis", where: "amount = '30.00'") == 1)

            try await server.call(.cancelProjectJoin, path, token: other.token).expectFailure(.notFound)
            try await server.call(.cancelProjectJoin, path, token: doctor.token).expectFailure(.forbidden)
            try await server.call(.cancelProjectJoin, ["id": "999"], token: patient.token).expectFailure(.notFound)
            #expect(try await server.database.count("diagnosis", where: "verify_status = 1 AND refund_status IS NULL") == 1)

            _ = try await server.call(.cancelProjectJoin, path, token: patient.token).payload(EmptyPayload.self)
            #expect(try await server.database.count("diagnosis", where: "verify_status = 3 AND refund_status = 1 AND refund_sn LIKE 'RF%'") == 1)
        }
    }

    @Test("the casebook of a booking: the caller's own, the latest after joining again")
    func casebook() async throws {
        try await Self.running { server in
            let doctor = try await server.account(.doctor, phone: "13700000001")
            let patient = try await server.account(.patient, phone: "13900000001")
            let other = try await server.account(.patient, phone: "13900000002")
            let project = try await Self.publish(server, doctor)
            let path = ["id": String(project.id)]
            try await server.call(.projectCasebook, path, token: patient.token).expectFailure(.notFound)

            _ = try await Self.join(server, patient, project.id, slot: "09:00:00 - 09:30:00", content: "咳嗽").payload(EmptyPayload.self)
            var casebook = try await server.call(.projectCasebook, path, token: patient.token).payload(Casebook.self)
            #expect(casebook.content == "咳嗽")
            _ = try await server.call(.cancelProjectJoin, path, token: patient.token).payload(EmptyPayload.self)
            _ = try await Self.join(server, patient, project.id, slot: "09:30:00 - 10:00:00", content: "咳嗽加重").payload(EmptyPayload.self)
            casebook = try await server.call(.projectCasebook, path, token: patient.token).payload(Casebook.self)
            #expect(casebook.content == "咳嗽加重")

            try await server.call(.projectCasebook, path, token: other.token).expectFailure(.notFound)
            try await server.call(.projectCasebook, ["id": "999"], token: patient.token).expectFailure(.notFound)
            try await server.call(.projectCasebook, path, token: doctor.token).expectFailure(.forbidden)
        }
    }

    // MARK: - The doctor's side

    @Test("cancelling: the owner only, upcoming only; every active booking ends and paid ones start their refund")
    func cancelProject() async throws {
        try await Self.running { server in
            let owner = try await server.account(.doctor, phone: "13700000001")
            let colleague = try await server.account(.doctor, phone: "13700000002")
            let patients = try await (1...3).asyncMap { try await server.account(.patient, phone: "1390000000\($0)") }
            let paid = try await Self.publish(server, owner, ["price": 20])
            let free = try await Self.publish(server, owner)
            for (index, patient) in patients.enumerated() {
                let slot = ["09:00:00 - 09:30:00", "09:30:00 - 10:00:00", "10:00:00 - 10:30:00"][index]
                _ = try await Self.join(server, patient, paid.id, slot: slot).payload(EmptyPayload.self)
            }
            _ = try await Self.join(server, patients[0], free.id, slot: "09:00:00 - 09:30:00").payload(EmptyPayload.self)
            // One patient left before: that booking keeps its own history.
            _ = try await server.call(.cancelProjectJoin, ["id": String(paid.id)], token: patients[2].token).payload(EmptyPayload.self)
            let leftAt = try await server.database.read { db in
                try String.fetchOne(db, sql: "SELECT refund_time FROM diagnosis WHERE user_id = ? AND project_id = ?", arguments: [patients[2].id, paid.id])
            }
            server.server.advanceClock(by: 60)

            let path = ["id": String(paid.id)]
            try await server.call(.cancelProject, path, token: colleague.token).expectFailure(.forbidden)
            try await server.call(.cancelProject, path, token: patients[0].token).expectFailure(.forbidden)
            try await server.call(.cancelProject, path).expectFailure(.notLoggedIn)
            try await server.call(.cancelProject, ["id": "999"], token: owner.token).expectFailure(.notFound)
            #expect(try await server.database.count("project", where: "status = 1") == 2)
            #expect(try await server.database.count("diagnosis", where: "project_id = ? AND verify_status = 1", [paid.id]) == 2)

            _ = try await server.call(.cancelProject, path, token: owner.token).payload(EmptyPayload.self)
            #expect(try await server.database.count("project", where: "id = ? AND status = 0", [paid.id]) == 1)
            #expect(try await server.database.count("diagnosis", where: "project_id = ? AND verify_status = 1", [paid.id]) == 0)
            #expect(
                try await server.database.count(
                    "diagnosis", where: "project_id = ? AND verify_status = 3 AND refund_status = 1 AND user_id IN (?, ?)",
                    [paid.id, patients[0].id, patients[1].id]) == 2)
            #expect(try await server.database.count("diagnosis", where: "user_id = ? AND refund_time = ?", [patients[2].id, leftAt ?? ""]) == 1)
            // The other project and its booking are untouched.
            #expect(try await server.database.count("diagnosis", where: "project_id = ? AND verify_status = 1", [free.id]) == 1)

            let seen = try await Self.detail(server, paid.id, token: owner.token)
            #expect(seen.status == 0 && seen.projectStatus == 3 && seen.progressStatus == 3 && seen.canCancel == 0 && seen.joinedCount == 0)
            let asPatient = try await Self.detail(server, paid.id, token: patients[0].token)
            #expect(asPatient.isJoined == 0 && asPatient.canCancel == 0)
            try await server.call(.cancelProject, path, token: owner.token).expectFailure(.conflict)

            // A free project has nothing to refund; a started one cannot be cancelled.
            server.server.advanceClock(by: 25 * 3600)
            try await server.call(.cancelProject, ["id": String(free.id)], token: owner.token).expectFailure(.conflict)
            #expect(try await server.database.count("project", where: "id = ? AND status = 1", [free.id]) == 1)
            let freeAgain = try await Self.publish(server, owner, ["date": "2030-03-05"])
            _ = try await Self.join(server, patients[1], freeAgain.id, slot: "09:00:00 - 09:30:00").payload(EmptyPayload.self)
            _ = try await server.call(.cancelProject, ["id": String(freeAgain.id)], token: owner.token).payload(EmptyPayload.self)
            #expect(try await server.database.count("diagnosis", where: "project_id = ? AND verify_status = 3 AND refund_status IS NULL", [freeAgain.id]) == 1)
        }
    }

    @Test("a project's patients: every diagnosis by id, unpaged, for the owning doctor only")
    func projectPatients() async throws {
        try await Self.running { server in
            let owner = try await server.account(.doctor, phone: "13700000001")
            let colleague = try await server.account(.doctor, phone: "13700000002")
            let first = try await server.account(.patient, phone: "13900000001")
            let second = try await server.account(.patient, phone: "13900000002")
            let project = try await Self.publish(server, owner)
            let path = ["id": String(project.id)]
            _ = try await Self.join(server, first, project.id, slot: "09:00:00 - 09:30:00", content: "发烧").payload(EmptyPayload.self)
            _ = try await Self.join(server, second, project.id, slot: "09:00:00 - 09:30:00").payload(EmptyPayload.self)
            _ = try await server.call(.cancelProjectJoin, path, token: first.token).payload(EmptyPayload.self)
            _ = try await Self.join(server, first, project.id, slot: "09:30:00 - 10:00:00").payload(EmptyPayload.self)

            let answer = try await server.call(.projectPatients, path, token: owner.token)
            let list = try answer.payload(RecordList<Diagnosis>.self)
            #expect(list.records.map { $0.patient?.id } == [first.id, second.id, first.id])
            #expect(list.records.map(\.verifyStatus) == [3, 1, 1] && list.records.first?.casebook?.content == "发烧")
            #expect(list.records.map(\.id) == list.records.map(\.id).sorted())
            #expect(try answer.json["data"]?["page"] == nil)

            try await server.call(.projectPatients, path, token: colleague.token).expectFailure(.forbidden)
            try await server.call(.projectPatients, path, token: first.token).expectFailure(.forbidden)
            try await server.call(.projectPatients, ["id": "999"], token: owner.token).expectFailure(.notFound)
        }
    }

    @Test("the doctor's projects: own only, all of them, latest date first, unpaged")
    func doctorProjects() async throws {
        try await Self.running { server in
            let doctor = try await server.account(.doctor, phone: "13700000001")
            let colleague = try await server.account(.doctor, phone: "13700000002")
            let later = try await Self.publish(server, doctor, ["date": "2030-03-10"])
            let sooner = try await Self.publish(server, doctor, ["date": "2030-03-03"])
            let afternoon = try await Self.publish(server, doctor, ["date": "2030-03-03", "begin": "14:00:00", "end": "16:00:00"])
            let cancelled = try await Self.publish(server, doctor, ["date": "2030-03-20"])
            _ = try await server.call(.cancelProject, ["id": String(cancelled.id)], token: doctor.token).payload(EmptyPayload.self)
            _ = try await Self.publish(server, colleague)
            for index in 0..<12 { _ = try await Self.publish(server, colleague, ["date": .string("2030-04-\(String(format: "%02d", index + 1))")]) }

            let answer = try await server.call(.doctorProjects, token: doctor.token)
            let list = try answer.payload(RecordList<Project>.self)
            #expect(list.records.map(\.id) == [cancelled.id, later.id, afternoon.id, sooner.id])
            #expect(try answer.json["data"]?["page"] == nil && list.records.first?.status == 0)
            // Unpaged: all thirteen of the colleague's come at once.
            #expect(try await server.call(.doctorProjects, token: colleague.token).payload(RecordList<Project>.self).records.count == 13)

            let patient = try await server.account(.patient, phone: "13900000001")
            try await server.call(.doctorProjects, token: patient.token).expectFailure(.forbidden)
        }
    }

    // MARK: - Browsing

    @Test("a doctor's projects as a patient sees them: newest first, paged, without cancelled ones")
    func doctorProjectsForPatient() async throws {
        try await Self.running { server in
            let doctor = try await server.account(.doctor, phone: "13700000001")
            let colleague = try await server.account(.doctor, phone: "13700000002")
            let patient = try await server.account(.patient, phone: "13900000001")
            var ids: [Int] = []
            for day in 2...6 { ids.append(try await Self.publish(server, doctor, ["date": .string("2030-03-0\(day)")]).id) }
            _ = try await server.call(.cancelProject, ["id": String(ids[4])], token: doctor.token).payload(EmptyPayload.self)
            _ = try await Self.publish(server, colleague)
            let path = ["id": String(doctor.id)]

            let first = try await server.call(.doctorProjectsForPatient, path, ["page_size": 3], token: patient.token).payload(RecordList<Project>.self)
            #expect(first.records.map(\.id) == [ids[3], ids[2], ids[1]])
            #expect(first.page == Page(current: 1, totalPages: 2, totalCount: 4, size: 3))
            let second = try await server.call(.doctorProjectsForPatient, path, ["page_size": 3, "current_page": 2], token: patient.token)
                .payload(RecordList<Project>.self)
            #expect(second.records.map(\.id) == [ids[0]])
            // A finished project is still the doctor's history.
            server.server.advanceClock(by: 2 * 24 * 3600)
            #expect(try await server.call(.doctorProjectsForPatient, path, token: patient.token).payload(RecordList<Project>.self).page?.totalCount == 4)

            try await server.call(.doctorProjectsForPatient, ["id": String(patient.id)], token: patient.token).expectFailure(.notFound)
            try await server.call(.doctorProjectsForPatient, ["id": "999"], token: patient.token).expectFailure(.notFound)
            try await server.call(.doctorProjectsForPatient, path, token: doctor.token).expectFailure(.forbidden)
            try await server.call(.doctorProjectsForPatient, path, ["page_size": 101], token: patient.token).expectFailure(.invalidParameter)
        }
    }

    @Test("the public list: only joinable projects, soonest first, paged with true totals")
    func listing() async throws {
        try await Self.running { server in
            let doctor = try await server.account(.doctor, phone: "13700000001")
            let patient = try await server.account(.patient, phone: "13900000001")
            let assistant = try await server.account(.assistant, phone: "13600000001")
            var ids: [Int] = []
            for day in [5, 3, 4, 2, 6] { ids.append(try await Self.publish(server, doctor, ["date": .string("2030-03-0\(day)")]).id) }
            let cancelled = try await Self.publish(server, doctor, ["date": "2030-03-02"])
            _ = try await server.call(.cancelProject, ["id": String(cancelled.id)], token: doctor.token).payload(EmptyPayload.self)
            // Today's project at 08:30 is listed until it ends at 09:00.
            let today = try await Self.publish(server, doctor, ["date": "2030-03-01", "begin": "08:30:00", "end": "09:00:00"])

            let all = try await Self.list(server)
            #expect(all.records.map(\.id) == [today.id, ids[3], ids[1], ids[2], ids[0], ids[4]])
            #expect(all.page == Page(current: 1, totalPages: 1, totalCount: 6, size: 10))
            let page = try await Self.list(server, ["page_size": 4, "current_page": 2], token: patient.token)
            #expect(page.records.map(\.id) == [ids[0], ids[4]] && page.page == Page(current: 2, totalPages: 2, totalCount: 6, size: 4))
            let past = try await Self.list(server, ["page_size": 4, "current_page": 5], token: assistant.token)
            #expect(past.records.isEmpty && past.page?.totalCount == 6)

            server.server.advanceClock(by: 3600)
            #expect(try await Self.list(server).records.map(\.id) == [ids[3], ids[1], ids[2], ids[0], ids[4]])
            // A project in progress stays listed (as in progress) until it is over.
            server.server.advanceClock(by: 24 * 3600)
            let running = try await Self.list(server)
            #expect(running.records.map(\.id) == [ids[3], ids[1], ids[2], ids[0], ids[4]] && running.records.first?.projectStatus == 2)
            server.server.advanceClock(by: 2 * 3600)
            #expect(try await Self.list(server).records.map(\.id) == [ids[1], ids[2], ids[0], ids[4]])

            try await server.call(.projects, token: doctor.token).expectFailure(.forbidden)
            for bad: [String: JSONValue] in [["sort": 4], ["sort": "near"], ["page_size": 0], ["current_page": 0], ["hospital_id": "x"]] {
                try await server.call(.projects, [:], bad).expectFailure(.invalidParameter)
            }
        }
    }

    @Test("the public list: keyword, service target, department, hospital and organisation filters")
    func listingFilters() async throws {
        try await Self.running { server in
            let north = try await server.insertHospital(name: "北京协和医院")
            let south = try await server.insertHospital(name: "广州南方医院")
            let wang = try await server.account(.doctor, phone: "13700000001", name: "王仁心", hospitalID: north)
            let li = try await server.account(.doctor, phone: "13700000002", name: "李妙手", hospitalID: south)
            // Li works in paediatrics.
            _ = try await server.call(
                .completeProfile, [:],
                [
                    "real_name": "李妙手", "idno": "110101199003071234", "hospital_id": .integer(south), "departments": "儿科",
                    "job_position": "主治医师", "good_at": "小儿发热", "work_photo": .array(["http://img.example/li.jpg"]),
                ], token: li.token
            ).payload(UserProfile.self, role: .doctor)
            let elderly = try await Self.publish(server, wang, ["abstract": "高血压筛查", "addr": "朝阳公园", "service_target": .array(["老年人"])])
            let children = try await Self.publish(server, li, ["abstract": "儿童体检", "addr": "天河社区", "service_target": .array(["儿童", "孕妇"])])
            let mixed = try await Self.publish(server, wang, ["abstract": "Diabetes Day", "addr": "海淀", "service_target": .array(["老年人", "儿童"])])
            let org = try await server.database.write { db in
                try db.execute(sql: "INSERT INTO org (name) VALUES ('红十字会')")
                let org = Int(db.lastInsertedRowID)
                try db.execute(sql: "INSERT INTO org (name) VALUES ('义工联')")
                let pending = Int(db.lastInsertedRowID)
                try db.execute(
                    sql:
                        "INSERT INTO org_member (org_id, doctor_id, verify_status, created_at) VALUES (?, ?, 1, '2030-01-01 00:00:00'), (?, ?, 0, '2030-01-01 00:00:00')",
                    arguments: [org, li.id, pending, wang.id])
                return [org, pending]
            }

            func ids(_ parameters: [String: JSONValue]) async throws -> [Int] {
                try await Self.list(server, parameters).records.map(\.id)
            }
            #expect(try await ids(["keyword": "筛查"]) == [elderly.id])
            #expect(try await ids(["keyword": "天河"]) == [children.id])
            #expect(try await ids(["keyword": "妙手"]) == [children.id])
            #expect(try await ids(["keyword": "协和"]) == [elderly.id, mixed.id])
            #expect(try await ids(["keyword": "diabetes"]) == [mixed.id])
            #expect(try await ids(["keyword": "%"]).isEmpty)
            #expect(try await ids(["service_target": "儿童"]) == [children.id, mixed.id])
            #expect(try await ids(["service_target": "孕妇"]) == [children.id])
            #expect(try await ids(["service_target": "儿"]).isEmpty)
            #expect(try await ids(["departments": "儿科"]) == [children.id])
            #expect(try await ids(["departments": "内科"]) == [elderly.id, mixed.id])
            #expect(try await ids(["hospital_id": .integer(south)]) == [children.id])
            #expect(try await ids(["hospital_id": 0]).count == 3)
            #expect(try await ids(["org_id": .integer(org[0])]) == [children.id])
            // A membership still waiting for approval does not count.
            #expect(try await ids(["org_id": .integer(org[1])]).isEmpty)
            #expect(try await ids(["keyword": "协和", "service_target": "儿童"]) == [mixed.id])
            let page = try await Self.list(server, ["service_target": "老年人", "page_size": 1])
            #expect(page.records.map(\.id) == [elderly.id] && page.page?.totalCount == 2 && page.page?.totalPages == 2)
        }
    }

    @Test("the public list sorted: 2 newest published, 3 most booked")
    func listingSorts() async throws {
        try await Self.running { server in
            let doctor = try await server.account(.doctor, phone: "13700000001")
            let patients = try await (1...3).asyncMap { try await server.account(.patient, phone: "1390000000\($0)") }
            var ids: [Int] = []
            for day in [4, 2, 3] {
                ids.append(try await Self.publish(server, doctor, ["date": .string("2030-03-0\(day)")]).id)
                server.server.advanceClock(by: 10)
            }
            #expect(try await Self.list(server, ["sort": 2]).records.map(\.id) == [ids[2], ids[1], ids[0]])

            let slots = ["09:00:00 - 09:30:00", "09:30:00 - 10:00:00", "10:00:00 - 10:30:00"]
            for (index, patient) in patients.enumerated() {
                _ = try await Self.join(server, patient, ids[0], slot: slots[index]).payload(EmptyPayload.self)
            }
            _ = try await Self.join(server, patients[0], ids[2], slot: slots[0]).payload(EmptyPayload.self)
            #expect(try await Self.list(server, ["sort": 3]).records.map(\.id) == [ids[0], ids[2], ids[1]])
            // Popularity counts active bookings only.
            for patient in patients.prefix(2) {
                _ = try await server.call(.cancelProjectJoin, ["id": String(ids[0])], token: patient.token).payload(EmptyPayload.self)
            }
            _ = try await Self.join(server, patients[1], ids[2], slot: slots[1]).payload(EmptyPayload.self)
            #expect(try await Self.list(server, ["sort": 3]).records.map(\.id) == [ids[2], ids[0], ids[1]])
            #expect(try await Self.list(server).records.map(\.id) == [ids[1], ids[2], ids[0]])
        }
    }

    @Test("the public list sorted: 1 nearest to the caller's X-location, soonest first without one")
    func listingNearest() async throws {
        try await Self.running { server in
            let doctor = try await server.account(.doctor, phone: "13700000001")
            // TestServer calls from 116.40-39.90 (Beijing).
            let shanghai = try await Self.publish(server, doctor, ["date": "2030-03-02", "lng": "121.473701", "lat": "31.230416"])
            let tianjin = try await Self.publish(server, doctor, ["date": "2030-03-03", "lng": "117.200983", "lat": "39.084158"])
            let nearby = try await Self.publish(server, doctor, ["date": "2030-03-04", "lng": "116.410000", "lat": "39.910000"])
            let sameSpotLater = try await Self.publish(server, doctor, ["date": "2030-03-05", "lng": "116.400000", "lat": "39.900000"])
            let sameSpot = try await Self.publish(server, doctor, ["date": "2030-03-04", "lng": "116.400000", "lat": "39.900000"])

            let nearest = try await Self.list(server, ["sort": 1])
            #expect(nearest.records.map(\.id) == [sameSpot.id, sameSpotLater.id, nearby.id, tianjin.id, shanghai.id])
            let paged = try await Self.list(server, ["sort": 1, "page_size": 2, "current_page": 2])
            #expect(paged.records.map(\.id) == [nearby.id, tianjin.id] && paged.page?.totalCount == 5)
            // From Shanghai the order turns around.
            var request = HTTPClientRequest(url: server.api.absoluteString + "/project?sort=1")
            request.method = .GET
            request.headers.add(name: "X-location", value: "121.47-31.23")
            let shanghaiList = try await server.send(request).payload(RecordList<Project>.self)
            #expect(shanghaiList.records.map(\.id) == [shanghai.id, tianjin.id, sameSpot.id, sameSpotLater.id, nearby.id])
            // Without a readable location, nearest cannot be measured: soonest first.
            for header in [nil, "nowhere", "200-100"] as [String?] {
                var request = HTTPClientRequest(url: server.api.absoluteString + "/project?sort=1")
                request.method = .GET
                if let header { request.headers.add(name: "X-location", value: header) }
                let list = try await server.send(request).payload(RecordList<Project>.self)
                #expect(list.records.map(\.id) == [shanghai.id, tianjin.id, nearby.id, sameSpot.id, sameSpotLater.id], "X-location \(header ?? "absent")")
            }
        }
    }

    // MARK: - Special projects

    @Test("special projects: listed newest date first and paged; each lists its projects without cancelled ones")
    func specialProjects() async throws {
        try await Self.running { server in
            let hospital = try await server.insertHospital(name: "协和医院")
            let doctor = try await server.account(.doctor, phone: "13700000001", hospitalID: hospital)
            let patient = try await server.account(.patient, phone: "13900000001")
            let later = try await Self.publish(server, doctor, ["date": "2030-03-04"])
            let sooner = try await Self.publish(server, doctor, ["date": "2030-03-02"])
            let cancelled = try await Self.publish(server, doctor, ["date": "2030-03-03"])
            let elsewhere = try await Self.publish(server, doctor)
            _ = try await server.call(.cancelProject, ["id": String(cancelled.id)], token: doctor.token).payload(EmptyPayload.self)
            _ = try await Self.join(server, patient, later.id, slot: "09:00:00 - 09:30:00").payload(EmptyPayload.self)
            let (spring, autumn) = try await server.database.write { db in
                try db.execute(
                    sql:
                        "INSERT INTO special_project (hospital_id, date, begin, \"end\", people_count, abstract, photo) VALUES (?, '2030-03-02', '09:00:00', '17:00:00', 30, '春季义诊周', 'http://img.example/spring.jpg')",
                    arguments: [hospital])
                let spring = Int(db.lastInsertedRowID)
                try db.execute(sql: "INSERT INTO special_project (date, begin, \"end\", abstract) VALUES ('2030-09-01', '09:00:00', '12:00:00', '秋季')")
                let autumn = Int(db.lastInsertedRowID)
                for project in [later.id, sooner.id, cancelled.id] {
                    try db.execute(sql: "INSERT INTO special_project_item (special_project_id, project_id) VALUES (?, ?)", arguments: [spring, project])
                }
                return (spring, autumn)
            }
            _ = elsewhere

            let list = try await server.call(.specialProjects).payload(RecordList<SpecialProject>.self)
            #expect(list.records.map(\.id) == [autumn, spring] && list.page?.totalCount == 2)
            let first = try #require(list.records.last)
            #expect(first.abstract == "春季义诊周" && first.hospital?.name == "协和医院" && first.joinedCount == 1 && first.capacity == 30)
            let paged = try await server.call(.specialProjects, [:], ["page_size": 1, "current_page": 2], token: patient.token)
                .payload(RecordList<SpecialProject>.self)
            #expect(paged.records.map(\.id) == [spring] && paged.page == Page(current: 2, totalPages: 2, totalCount: 2, size: 1))

            let projects = try await server.call(.specialProjectProjects, ["id": String(spring)], token: patient.token).payload(RecordList<Project>.self)
            #expect(projects.records.map(\.id) == [sooner.id, later.id] && projects.page?.totalCount == 2)
            #expect(projects.records.last?.isJoined == 1)
            let secondPage = try await server.call(.specialProjectProjects, ["id": String(spring)], ["page_size": 1, "current_page": 2])
                .payload(RecordList<Project>.self)
            #expect(secondPage.records.map(\.id) == [later.id] && secondPage.page?.totalPages == 2)
            let empty = try await server.call(.specialProjectProjects, ["id": String(autumn)]).payload(RecordList<Project>.self)
            #expect(empty.records.isEmpty && empty.page?.totalCount == 0)
            try await server.call(.specialProjectProjects, ["id": "999"]).expectFailure(.notFound)
        }
    }
}

extension ClosedRange where Bound == Int {
    /// Maps in order, awaiting each element (accounts are registered one after another).
    fileprivate func asyncMap<T>(_ transform: (Int) async throws -> T) async throws -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
