import Foundation
import GRDB
import Testing
import VolunteerAPI

@testable import ReferenceServer

/// The assistant's routes over real HTTP: follows, binding and creating patients, booking and
/// cancelling on their behalf, the assistant's bookings, centre and home page.
@Suite("Assistant routes")
struct AssistantTests {
    @Test("followed doctors: latest follow first, paged, only the caller's")
    func follows() async throws {
        try await TestServer.withRunning { server in
            let assistant = try await server.account(.assistant, phone: "13600000001")
            let patient = try await server.account(.patient, phone: "13900000001")
            let first = try await server.account(.doctor, phone: "13700000001")
            let second = try await server.account(.doctor, phone: "13700000002")
            _ = try await server.call(.follow, ["id": String(first.id)], token: assistant.token).payload(EmptyPayload.self)
            server.server.advanceClock(by: 5)
            _ = try await server.call(.follow, ["id": String(second.id)], token: assistant.token).payload(EmptyPayload.self)
            _ = try await server.call(.follow, ["id": String(first.id)], token: patient.token).payload(EmptyPayload.self)

            let list = try await server.call(.assistantFollows, token: assistant.token).payload(RecordList<Doctor>.self)
            #expect(list.records.map(\.id) == [second.id, first.id] && list.page?.totalCount == 2)
            let page = try await server.call(.assistantFollows, [:], ["page_size": 1, "current_page": 2], token: assistant.token)
                .payload(RecordList<Doctor>.self)
            #expect(page.records.map(\.id) == [first.id] && page.page == Page(current: 2, totalPages: 2, totalCount: 2, size: 1))
        }
    }

    @Test("binding an existing patient takes the code the patient received; wrong, used or unknown is refused; twice is a conflict")
    func bind() async throws {
        try await TestServer.withRunning { server in
            let assistant = try await server.account(.assistant, phone: "13600000001")
            let patient = try await server.account(.patient, phone: "13900000001")
            _ = try await server.account(.doctor, phone: "13700000001")
            func bind(_ phone: String, _ code: JSONValue = "123456", token: String? = nil) async throws -> APIAnswer {
                try await server.call(.bindPatient, [:], ["phone": .string(phone), "verify_code": code], token: token ?? assistant.token)
            }
            func bindings() async throws -> Int { try await server.database.count("assistant_patient") }

            try await bind("13900000001").expectFailure(.invalidVerifyCode)
            _ = try await server.call(.sendVerifyCode, [:], ["phone": "13900000001"]).payload(EmptyPayload.self)
            try await bind("13900000001", "000000").expectFailure(.invalidVerifyCode)
            try await server.call(.bindPatient, [:], ["phone": "13900000001"], token: assistant.token).expectFailure(.invalidParameter)
            try await bind("1390000", "123456").expectFailure(.invalidParameter)
            try await bind("13900000001", token: patient.token).expectFailure(.forbidden)
            #expect(try await bindings() == 0)

            _ = try await bind("13900000001").payload(EmptyPayload.self)
            #expect(try await server.database.count("assistant_patient", where: "assistant_id = ? AND patient_id = ?", [assistant.id, patient.id]) == 1)
            // The code worked once.
            try await bind("13900000001").expectFailure(.invalidVerifyCode)

            _ = try await server.call(.sendVerifyCode, [:], ["phone": "13900000001"]).payload(EmptyPayload.self)
            try await bind("13900000001").expectFailure(.conflict)
            #expect(try await bindings() == 1)
            // A refused bind leaves the code unused.
            #expect(try await server.database.count("verify_code", where: "phone = ?", ["13900000001"]) == 1)

            // No patient account behind the phone (none at all, or a doctor's only).
            for phone in ["13900000099", "13700000001"] {
                _ = try await server.call(.sendVerifyCode, [:], ["phone": .string(phone)]).payload(EmptyPayload.self)
                try await bind(phone).expectFailure(.notFound)
            }
            #expect(try await bindings() == 1)

            let patients = try await server.call(.assistantPatients, token: assistant.token).payload(RecordList<Patient>.self)
            #expect(patients.records.map(\.id) == [patient.id])
        }
    }

    @Test("creating a patient validates the profile and the password, and creates nothing when refused")
    func createPatientValidation() async throws {
        try await TestServer.withRunning { server in
            let assistant = try await server.account(.assistant, phone: "13600000001")
            let profile: [String: JSONValue] = [
                "real_name": "孙大爷", "idno": "11010119450101123x", "height": "165", "weight": "58", "marital_status": 1,
                "drink_status": 0, "smoking_status": 1, "addr": "幸福路 1 号", "pwd": "secret1",
            ]
            let users = try await server.database.count("user")

            for missing in ["real_name", "idno", "height", "weight", "marital_status", "drink_status", "smoking_status", "pwd"] {
                var partial = profile
                partial[missing] = nil
                let answer = try await server.call(.createPatient, [:], partial, token: assistant.token)
                try answer.expectFailure(.invalidParameter)
                #expect(try answer.errorMessage.contains(missing))
            }
            try await server.call(.createPatient, [:], profile.merging(["pwd": "123"]) { $1 }, token: assistant.token).expectFailure(.invalidParameter)
            try await server.call(.createPatient, [:], profile.merging(["idno": "1234"]) { $1 }, token: assistant.token).expectFailure(.invalidParameter)
            try await server.call(.createPatient, [:], profile.merging(["smoking_status": 2]) { $1 }, token: assistant.token)
                .expectFailure(.invalidParameter)
            #expect(try await server.database.count("user") == users)
            #expect(try await server.database.count("assistant_patient") == 0)
        }
    }

    @Test("a created patient appears among the assistant's patients; the same idno twice creates nothing")
    func createdPatientIsListed() async throws {
        try await TestServer.withRunning { server in
            let assistant = try await server.account(.assistant, phone: "13600000001")
            let colleague = try await server.account(.assistant, phone: "13600000002")
            let profile: [String: JSONValue] = [
                "real_name": "孙大爷", "idno": "11010119450101123x", "height": "165", "weight": "58", "marital_status": 1,
                "drink_status": 0, "smoking_status": 1, "pwd": "secret1",
            ]
            let users = try await server.database.count("user")
            let answer = try await server.call(.createPatient, [:], profile, token: assistant.token)
            #expect(try answer.errorCode == 0)
            #expect(try answer.json["data"] == .object([:]))
            #expect(try await server.database.count("user") == users + 1)

            let list = try await server.call(.assistantPatients, token: assistant.token).payload(RecordList<Patient>.self)
            let created = try #require(list.records.first)
            #expect(list.records.count == 1 && created.realName == "孙大爷" && created.idCardNumber == "11010119450101123X")
            #expect(created.birthday == "1945-01-01" && created.smokingStatus == 1 && created.height == "165")
            // No phone was given: the account holds a placeholder that is no mobile number.
            let phone = try #require(created.phone)
            #expect(phone.hasPrefix("A") && phone.count == 11)

            // A retry (the answer carries no id) is recognised by the ID-card number.
            try await server.call(.createPatient, [:], profile.merging(["real_name": "孙大爷二"]) { $1 }, token: assistant.token)
                .expectFailure(.conflict)
            #expect(try await server.database.count("user") == users + 1)
            #expect(try await server.database.count("assistant_patient") == 1)

            // Another assistant's patients are its own.
            _ = try await server.call(.createPatient, [:], profile, token: colleague.token, encoding: .form).payload(EmptyPayload.self)
            #expect(try await server.database.count("user") == users + 2)
            let mine = try await server.call(.assistantPatients, token: assistant.token).payload(RecordList<Patient>.self)
            #expect(mine.records.map(\.id) == [created.id])

            // A bound patient with that ID-card number counts too.
            let patient = try await server.account(.patient, phone: "13900000001")
            _ = try await server.call(.sendVerifyCode, [:], ["phone": "13900000001"]).payload(EmptyPayload.self)
            _ = try await server.call(.bindPatient, [:], ["phone": "13900000001", "verify_code": "123456"], token: assistant.token)
                .payload(EmptyPayload.self)
            let sameCard = try await server.database.read { db in
                try String.fetchOne(db, sql: "SELECT idno FROM user WHERE id = ?", arguments: [patient.id])
            }
            try await server.call(.createPatient, [:], profile.merging(["idno": .string(try #require(sameCard))]) { $1 }, token: assistant.token)
                .expectFailure(.conflict)
            #expect(try await server.database.count("user") == users + 3)
        }
    }

    @Test("the assistant's patients: keyword over name and phone, latest first, paged")
    func patients() async throws {
        try await TestServer.withRunning { server in
            let assistant = try await server.account(.assistant, phone: "13600000001")
            let colleague = try await server.account(.assistant, phone: "13600000002")
            var bound: [Int] = []
            for (index, name) in ["张一", "张二", "李三"].enumerated() {
                let phone = "1390000000\(index)"
                let patient = try await server.account(.patient, phone: phone, name: name)
                bound.append(patient.id)
                _ = try await server.call(.sendVerifyCode, [:], ["phone": .string(phone)]).payload(EmptyPayload.self)
                _ = try await server.call(.bindPatient, [:], ["phone": .string(phone), "verify_code": "123456"], token: assistant.token)
                    .payload(EmptyPayload.self)
                server.server.advanceClock(by: 5)
            }
            _ = try await server.account(.patient, phone: "13900000009", name: "张九")

            func list(_ parameters: [String: JSONValue] = [:], token: String? = nil) async throws -> RecordList<Patient> {
                try await server.call(.assistantPatients, [:], parameters, token: token ?? assistant.token).payload(RecordList<Patient>.self)
            }
            let all = try await list()
            #expect(all.records.map(\.id) == bound.reversed() && all.page?.totalCount == 3)
            let paged = try await list(["page_size": 2, "current_page": 2])
            #expect(paged.records.map(\.id) == [bound[0]] && paged.page == Page(current: 2, totalPages: 2, totalCount: 3, size: 2))
            #expect(try await list(["keyword": "张"]).records.map(\.id) == [bound[1], bound[0]])
            #expect(try await list(["keyword": "00002"]).records.map(\.id) == [bound[2]])
            #expect(try await list(["keyword": "%"]).records.isEmpty)
            #expect(try await list(["keyword": "九"]).records.isEmpty)
            #expect(try await list(token: colleague.token).records.isEmpty)
            try await server.call(.assistantPatients, [:], ["keyword": .string(String(repeating: "张", count: 101))], token: assistant.token)
                .expectFailure(.invalidParameter)
        }
    }

    @Test("booking on behalf: only a bound patient, with a slot; the assistant's projects and their patients")
    func joinOnBehalf() async throws {
        try await TestServer.withRunning { server in
            let doctor = try await server.account(.doctor, phone: "13700000001")
            let assistant = try await server.account(.assistant, phone: "13600000001")
            let colleague = try await server.account(.assistant, phone: "13600000002")
            let patient = try await server.account(.patient, phone: "13900000001")
            let stranger = try await server.account(.patient, phone: "13900000002")
            _ = try await server.call(.sendVerifyCode, [:], ["phone": "13900000001"]).payload(EmptyPayload.self)
            _ = try await server.call(.bindPatient, [:], ["phone": "13900000001", "verify_code": "123456"], token: assistant.token)
                .payload(EmptyPayload.self)
            let project = try await CareFixtures.insertProject(server, doctorID: doctor.id)
            func join(_ parameters: [String: JSONValue], project id: Int = project, token: String? = nil) async throws -> APIAnswer {
                try await server.call(.joinProjectOnBehalf, ["id": String(id)], parameters, token: token ?? assistant.token)
            }
            let good: [String: JSONValue] = ["user_id": .integer(patient.id), "plan_time": .string(CareFixtures.slot)]

            try await join(good.merging(["user_id": .integer(stranger.id)]) { $1 }).expectFailure(.forbidden)
            try await join(good, token: colleague.token).expectFailure(.forbidden)
            try await join(good.merging(["user_id": .integer(doctor.id)]) { $1 }).expectFailure(.forbidden)
            try await join(["user_id": .integer(patient.id)]).expectFailure(.invalidParameter)
            try await join(["plan_time": .string(CareFixtures.slot)]).expectFailure(.invalidParameter)
            try await join(good.merging(["user_id": "me"]) { $1 }).expectFailure(.invalidParameter)
            try await join(good.merging(["plan_time": "18:00:00 - 18:30:00"]) { $1 }).expectFailure(.invalidParameter)
            try await join(good, project: 99_999).expectFailure(.notFound)
            try await join(good, token: patient.token).expectFailure(.forbidden)
            #expect(try await server.database.count("diagnosis") == 0)
            #expect(try await server.database.count("casebook") == 0)

            _ = try await join(good).payload(EmptyPayload.self)
            #expect(
                try await server.database.count(
                    "diagnosis", where: "user_id = ? AND assistant_user_id = ? AND plan_time = ?", [patient.id, assistant.id, CareFixtures.slot]) == 1)
            #expect(try await server.database.count("casebook", where: "user_id = ? AND content = ''", [patient.id]) == 1)
            try await join(good).expectFailure(.conflict)
            #expect(try await server.database.count("diagnosis") == 1)

            let projects = try await server.call(.assistantProjects, token: assistant.token).payload(RecordList<Project>.self)
            #expect(projects.records.map(\.id) == [project] && projects.page?.totalCount == 1)
            #expect(projects.records.first?.assistantJoinCount == 1 && projects.records.first?.joinedCount == 1)
            #expect(try await server.call(.assistantProjects, token: colleague.token).payload(RecordList<Project>.self).records.isEmpty)

            let booked = try await server.call(.assistantProjectPatients, ["id": String(project)], token: assistant.token)
                .payload(RecordList<Diagnosis>.self)
            #expect(booked.records.count == 1 && booked.records.first?.patient?.id == patient.id && booked.records.first?.assistantUserID == assistant.id)
            #expect(booked.page == Page(current: 1, totalPages: 1, totalCount: 1, size: 10))
            let theirs = try await server.call(.assistantProjectPatients, ["id": String(project)], token: colleague.token)
                .payload(RecordList<Diagnosis>.self)
            #expect(theirs.records.isEmpty && theirs.page?.totalCount == 0)
            try await server.call(.assistantProjectPatients, ["id": "99999"], token: assistant.token).expectFailure(.notFound)
        }
    }

    @Test("cancelling on behalf: bookings the assistant made or of its patients; not others'")
    func cancelOnBehalf() async throws {
        try await TestServer.withRunning { server in
            let doctor = try await server.account(.doctor, phone: "13700000001")
            let assistant = try await server.account(.assistant, phone: "13600000001")
            let colleague = try await server.account(.assistant, phone: "13600000002")
            let patient = try await server.account(.patient, phone: "13900000001")
            let stranger = try await server.account(.patient, phone: "13900000002")
            _ = try await server.call(.sendVerifyCode, [:], ["phone": "13900000001"]).payload(EmptyPayload.self)
            _ = try await server.call(.bindPatient, [:], ["phone": "13900000001", "verify_code": "123456"], token: assistant.token)
                .payload(EmptyPayload.self)
            let project = try await CareFixtures.insertProject(server, doctorID: doctor.id, price: 50)
            _ = try await server.call(
                .joinProjectOnBehalf, ["id": String(project)], ["user_id": .integer(patient.id), "plan_time": .string(CareFixtures.slot)],
                token: assistant.token
            ).payload(EmptyPayload.self)
            let onBehalf = try #require(
                try await server.database.read { db in
                    try Int.fetchOne(db, sql: "SELECT id FROM diagnosis WHERE assistant_user_id = ?", arguments: [assistant.id])
                })
            let ownBooking = try await CareFixtures.book(
                server, project: try await CareFixtures.insertProject(server, doctorID: doctor.id), patient: patient.id)
            let strangers = try await CareFixtures.book(server, project: project, patient: stranger.id)

            func cancel(_ id: Int, token: String? = nil) async throws -> APIAnswer {
                try await server.call(.cancelDiagnosisOnBehalf, ["id": String(id)], token: token ?? assistant.token)
            }
            try await cancel(strangers).expectFailure(.forbidden)
            try await cancel(onBehalf, token: colleague.token).expectFailure(.forbidden)
            try await cancel(onBehalf, token: patient.token).expectFailure(.forbidden)
            try await cancel(99_999).expectFailure(.notFound)
            #expect(try await server.database.count("diagnosis", where: "verify_status = 1") == 3)

            _ = try await cancel(onBehalf).payload(EmptyPayload.self)
            #expect(try await server.database.count("diagnosis", where: "id = ? AND verify_status = 3 AND refund_status = 1", [onBehalf]) == 1)
            try await cancel(onBehalf).expectFailure(.conflict)
            // The patient booked this one; the assistant looks after the patient.
            _ = try await cancel(ownBooking).payload(EmptyPayload.self)
            #expect(try await server.database.count("diagnosis", where: "verify_status = 1") == 1)

            // No active booking left: the project leaves the assistant's list, the booking stays visible in the project.
            let projects = try await server.call(.assistantProjects, token: assistant.token).payload(RecordList<Project>.self)
            #expect(projects.records.isEmpty && projects.page?.totalCount == 0)
            let booked = try await server.call(.assistantProjectPatients, ["id": String(project)], token: assistant.token)
                .payload(RecordList<Diagnosis>.self)
            #expect(booked.records.map(\.id) == [onBehalf] && booked.records.first?.verifyStatus == 3)

            // Once the project has started, a booking can no longer be cancelled.
            let later = try await CareFixtures.book(server, project: try await CareFixtures.insertProject(server, doctorID: doctor.id), patient: patient.id)
            server.server.advanceClock(by: 5 * 86400)
            try await cancel(later).expectFailure(.conflict)
            #expect(try await server.database.count("diagnosis", where: "id = ? AND verify_status = 1", [later]) == 1)
        }
    }

    @Test("the assistant's centre and home page")
    func centreAndHomepage() async throws {
        try await TestServer.withRunning { server in
            let doctor = try await server.account(.doctor, phone: "13700000001")
            let assistant = try await server.account(.assistant, phone: "13600000001", name: "周医助")
            let patient = try await server.account(.patient, phone: "13900000001")
            let hospital = try await server.insertHospital()
            let (banner, news) = try await server.database.write { db in
                try db.execute(
                    sql: "INSERT INTO message (type, to_user_id, title, content, publish_time) VALUES (1, ?, '通知', '内容', '2024-01-01 08:00:00')",
                    arguments: [assistant.id])
                try db.execute(sql: "INSERT INTO message (type, to_user_id, title, content, publish_time) VALUES (0, NULL, '公告', '内容', '2024-01-01 08:00:00')")
                try db.execute(
                    sql: "INSERT INTO message (type, to_user_id, title, content, publish_time) VALUES (1, ?, '通知', '内容', '2024-01-01 08:00:00')",
                    arguments: [patient.id])
                try db.execute(sql: "INSERT INTO banner (audience, title) VALUES (3, '医助')")
                let banner = Int(db.lastInsertedRowID)
                try db.execute(sql: "INSERT INTO banner (audience, hospital_id, title) VALUES (3, ?, '医院')", arguments: [hospital])
                try db.execute(sql: "INSERT INTO banner (audience, title) VALUES (1, '患者')")
                var news: [Int] = []
                for day in 1...7 {
                    try db.execute(
                        sql: "INSERT INTO news (type, title, content, publish_time) VALUES (3, '医助新闻', '内容', ?)", arguments: ["2024-03-0\(day) 08:00:00"])
                    news.append(Int(db.lastInsertedRowID))
                }
                try db.execute(sql: "INSERT INTO news (type, title, content, publish_time) VALUES (1, '患者新闻', '内容', '2024-04-01 08:00:00')")
                return (banner, Array(news.reversed().prefix(5)))
            }

            let center = try await server.call(.assistantCenter, token: assistant.token).payload(UserCenter.self, role: .assistant)
            #expect(center.messageCount == 2 && center.user?.id == assistant.id && center.user?.role == .assistant && center.user?.realName == "周医助")

            _ = try await server.call(.sendVerifyCode, [:], ["phone": "13900000001"]).payload(EmptyPayload.self)
            _ = try await server.call(.bindPatient, [:], ["phone": "13900000001", "verify_code": "123456"], token: assistant.token)
                .payload(EmptyPayload.self)
            let booked = try await CareFixtures.insertProject(server, doctorID: doctor.id)
            _ = try await server.call(
                .joinProjectOnBehalf, ["id": String(booked)], ["user_id": .integer(patient.id), "plan_time": .string(CareFixtures.slot)],
                token: assistant.token
            ).payload(EmptyPayload.self)
            let onBehalf = try #require(
                try await server.database.read { db in
                    try Int.fetchOne(db, sql: "SELECT id FROM diagnosis WHERE assistant_user_id = ?", arguments: [assistant.id])
                })
            // The patient's own booking is not the assistant's.
            _ = try await CareFixtures.book(server, project: try await CareFixtures.insertProject(server, doctorID: doctor.id), patient: patient.id)

            let home = try await server.call(.assistantHomepage, token: assistant.token).payload(AssistantHomepage.self)
            #expect(home.banners.map(\.id) == [banner])
            #expect(home.news.map(\.id) == news)
            #expect(home.projects.map(\.id) == [onBehalf])

            // A started project's booking is no longer upcoming.
            server.server.advanceClock(by: 5 * 86400)
            #expect(try await server.call(.assistantHomepage, token: assistant.token).payload(AssistantHomepage.self).projects.isEmpty)
        }
    }

    @Test("only assistants may call the assistant's routes; everyone must log in")
    func roles() async throws {
        try await TestServer.withRunning { server in
            let doctor = try await server.account(.doctor, phone: "13700000001")
            let patient = try await server.account(.patient, phone: "13900000001")
            let project = try await CareFixtures.insertProject(server, doctorID: doctor.id)
            let booking = try await CareFixtures.book(server, project: project, patient: patient.id)
            let calls: [(Endpoint, [String: String], [String: JSONValue])] = [
                (.assistantFollows, [:], [:]), (.bindPatient, [:], ["phone": "13900000001", "verify_code": "123456"]),
                (
                    .createPatient, [:],
                    [
                        "real_name": "孙大爷", "idno": "11010119450101123X", "height": "165", "weight": "58", "marital_status": 1,
                        "drink_status": 0, "smoking_status": 1, "pwd": "secret1",
                    ]
                ),
                (.assistantPatients, [:], [:]),
                (.joinProjectOnBehalf, ["id": String(project)], ["user_id": .integer(patient.id), "plan_time": .string(CareFixtures.slot)]),
                (.assistantProjects, [:], [:]), (.assistantProjectPatients, ["id": String(project)], [:]),
                (.cancelDiagnosisOnBehalf, ["id": String(booking)], [:]), (.assistantCenter, [:], [:]), (.assistantHomepage, [:], [:]),
            ]
            let users = try await server.database.count("user")
            for (endpoint, path, parameters) in calls {
                try await server.call(endpoint, path, parameters, token: doctor.token).expectFailure(.forbidden)
                try await server.call(endpoint, path, parameters, token: patient.token).expectFailure(.forbidden)
                try await server.call(endpoint, path, parameters).expectFailure(.notLoggedIn)
            }
            #expect(try await server.database.count("user") == users)
            #expect(try await server.database.count("diagnosis", where: "verify_status = 1") == 1)
            #expect(try await server.database.count("assistant_patient") == 0)
        }
    }
}
