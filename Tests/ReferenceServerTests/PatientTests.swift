import Foundation
import GRDB
import Testing
import VolunteerAPI

@testable import ReferenceServer

/// The patient's own pages over real HTTP: follows, registrations by state, ratings, refunds,
/// assistants, the personal centre, the home page and the order query.
@Suite("Patient pages")
struct PatientTests {
    @Test("followed doctors: latest follow first, paged, only the caller's")
    func follows() async throws {
        try await TestServer.withRunning { server in
            let patient = try await server.account(.patient, phone: "13900000001")
            let other = try await server.account(.patient, phone: "13900000002")
            var doctors: [Int] = []
            for index in 0..<3 {
                let doctor = try await server.account(.doctor, phone: "1370000000\(index)", name: "医生\(index)")
                doctors.append(doctor.id)
                _ = try await server.call(.follow, ["id": String(doctor.id)], token: patient.token).payload(EmptyPayload.self)
                server.server.advanceClock(by: 5)
            }
            _ = try await server.call(.follow, ["id": String(doctors[0])], token: other.token).payload(EmptyPayload.self)

            let first = try await server.call(.patientFollows, [:], ["page_size": 2], token: patient.token).payload(RecordList<Doctor>.self)
            #expect(first.records.map(\.id) == [doctors[2], doctors[1]])
            #expect(first.page == Page(current: 1, totalPages: 2, totalCount: 3, size: 2))
            let second = try await server.call(.patientFollows, [:], ["page_size": 2, "current_page": 2], token: patient.token)
                .payload(RecordList<Doctor>.self)
            #expect(second.records.map(\.id) == [doctors[0]])

            let others = try await server.call(.patientFollows, token: other.token).payload(RecordList<Doctor>.self)
            #expect(others.records.map(\.id) == [doctors[0]] && others.page?.totalCount == 1)
            try await server.call(.patientFollows, [:], ["page_size": 0], token: patient.token).expectFailure(.invalidParameter)
        }
    }

    @Test("registrations by type: registered, failed, no-show, done; newest first and paged")
    func diagnosesByType() async throws {
        try await TestServer.withRunning { server in
            let doctor = try await server.account(.doctor, phone: "13700000001")
            let patient = try await server.account(.patient, phone: "13900000001")
            let other = try await server.account(.patient, phone: "13900000002")
            var ids: [Int] = []
            for _ in 0..<5 {
                let project = try await CareFixtures.insertProject(server, doctorID: doctor.id)
                ids.append(try await CareFixtures.book(server, project: project, patient: patient.id))
            }
            let foreign = try await CareFixtures.book(server, project: try await CareFixtures.insertProject(server, doctorID: doctor.id), patient: other.id)
            try await server.database.write { [ids] db in
                try db.execute(sql: "UPDATE diagnosis SET verify_status = 2 WHERE id = ?", arguments: [ids[1]])
                try db.execute(sql: "UPDATE diagnosis SET verify_status = 3 WHERE id = ?", arguments: [ids[2]])
                try db.execute(sql: "UPDATE diagnosis SET status = 2 WHERE id = ?", arguments: [ids[3]])
                try db.execute(sql: "UPDATE diagnosis SET status = 3 WHERE id = ?", arguments: [ids[4]])
            }

            func list(_ parameters: [String: JSONValue] = [:]) async throws -> RecordList<Diagnosis> {
                try await server.call(.patientDiagnoses, [:], parameters, token: patient.token).payload(RecordList<Diagnosis>.self)
            }
            let all = try await list()
            #expect(all.records.map(\.id) == ids.reversed() && all.page?.totalCount == 5)
            #expect(!all.records.map(\.id).contains(foreign))
            #expect(try await list(["type": 1]).records.map(\.id) == [ids[0]])
            #expect(try await list(["type": 2]).records.map(\.id) == [ids[2], ids[1]])
            #expect(try await list(["type": 3]).records.map(\.id) == [ids[3]])
            #expect(try await list(["type": 4]).records.map(\.id) == [ids[4]])
            let last = try await list(["page_size": 2, "current_page": 3])
            #expect(last.records.map(\.id) == [ids[0]])
            #expect(last.page == Page(current: 3, totalPages: 3, totalCount: 5, size: 2))
            // Each record carries the patient and the casebook of the booking.
            #expect(all.records.first?.patient?.id == patient.id && all.records.first?.casebook?.content == "头痛")

            try await server.call(.patientDiagnoses, [:], ["type": 5], token: patient.token).expectFailure(.invalidParameter)
            try await server.call(.patientDiagnoses, [:], ["type": 0], token: patient.token).expectFailure(.invalidParameter)
            try await server.call(.patientDiagnoses, [:], ["type": "done"], token: patient.token).expectFailure(.invalidParameter)
        }
    }

    @Test("rating the doctor: own diagnosis, after done, once, score 1 to 5, comment required and bounded")
    func rating() async throws {
        try await TestServer.withRunning { server in
            let doctor = try await server.account(.doctor, phone: "13700000001")
            let patient = try await server.account(.patient, phone: "13900000001")
            let other = try await server.account(.patient, phone: "13900000002")
            let waiting = try await CareFixtures.book(server, project: try await CareFixtures.insertProject(server, doctorID: doctor.id), patient: patient.id)
            let done = try await CareFixtures.book(server, project: try await CareFixtures.insertProject(server, doctorID: doctor.id), patient: patient.id)
            try await server.database.write { db in
                try db.execute(sql: "UPDATE diagnosis SET status = 3 WHERE id = ?", arguments: [done])
            }
            let awaiting = try await server.call(.diagnosesAwaitingComment, token: patient.token).payload(RecordList<Diagnosis>.self)
            #expect(awaiting.records.map(\.id) == [done] && awaiting.page?.totalCount == 1)

            let good: [String: JSONValue] = ["doctor_score": 5, "doctor_comment": "耐心细致"]
            func rate(_ id: Int, _ parameters: [String: JSONValue], _ token: String) async throws -> APIAnswer {
                try await server.call(.rateDoctor, ["id": String(id)], parameters, token: token)
            }
            try await rate(waiting, good, patient.token).expectFailure(.conflict)
            try await rate(done, good, other.token).expectFailure(.forbidden)
            try await rate(done, good, doctor.token).expectFailure(.forbidden)
            try await rate(99_999, good, patient.token).expectFailure(.notFound)
            for score: JSONValue in [0, 6, -1, "five"] {
                try await rate(done, good.merging(["doctor_score": score]) { $1 }, patient.token).expectFailure(.invalidParameter)
            }
            try await rate(done, ["doctor_score": 4], patient.token).expectFailure(.invalidParameter)
            try await rate(done, ["doctor_comment": "好"], patient.token).expectFailure(.invalidParameter)
            try await rate(done, ["doctor_score": 4, "doctor_comment": .string(String(repeating: "好", count: 501))], patient.token)
                .expectFailure(.invalidParameter)
            #expect(try await server.database.count("diagnosis", where: "doctor_score <> 0 OR patient_comment_time IS NOT NULL") == 0)

            _ = try await rate(done, ["doctor_score": 4, "doctor_comment": .string(String(repeating: "好", count: 500))], patient.token)
                .payload(EmptyPayload.self)
            try await rate(done, good, patient.token).expectFailure(.conflict)
            #expect(try await server.database.count("diagnosis", where: "id = ? AND doctor_score = 4 AND patient_comment_time IS NOT NULL", [done]) == 1)
            let rated = try await server.call(.patientDiagnoses, [:], ["type": 4], token: patient.token).payload(RecordList<Diagnosis>.self)
            #expect(rated.records.first?.doctorScore == 4 && rated.records.first?.patientCommentTime != nil)
            let after = try await server.call(.diagnosesAwaitingComment, token: patient.token).payload(RecordList<Diagnosis>.self)
            #expect(after.records.isEmpty && after.page?.totalCount == 0)
        }
    }

    @Test("refunds: only diagnoses with a refund, newest refund first, complete a day later")
    func refunds() async throws {
        try await TestServer.withRunning { server in
            let doctor = try await server.account(.doctor, phone: "13700000001")
            let patient = try await server.account(.patient, phone: "13900000001")
            let paid = try await CareFixtures.insertProject(server, doctorID: doctor.id, price: 50)
            let paidToo = try await CareFixtures.insertProject(server, doctorID: doctor.id, price: 30)
            let free = try await CareFixtures.insertProject(server, doctorID: doctor.id)
            let first = try await CareFixtures.book(server, project: paid, patient: patient.id)
            let second = try await CareFixtures.book(server, project: paidToo, patient: patient.id)
            let freeBooking = try await CareFixtures.book(server, project: free, patient: patient.id)
            _ = try await CareFixtures.book(server, project: try await CareFixtures.insertProject(server, doctorID: doctor.id, price: 20), patient: patient.id)
            #expect(try await server.call(.refundDiagnoses, token: patient.token).payload(RecordList<Diagnosis>.self).records.isEmpty)

            try await CareFixtures.cancel(server, first)
            server.server.advanceClock(by: 3600)
            try await CareFixtures.cancel(server, second)
            try await CareFixtures.cancel(server, freeBooking)
            let refunds = try await server.call(.refundDiagnoses, token: patient.token).payload(RecordList<Diagnosis>.self)
            #expect(refunds.records.map(\.id) == [second, first] && refunds.page?.totalCount == 2)
            #expect(refunds.records.allSatisfy { $0.refundStatus == 1 })

            server.server.advanceClock(by: 24 * 3600)
            let later = try await server.call(.refundDiagnoses, [:], ["page_size": 1], token: patient.token).payload(RecordList<Diagnosis>.self)
            #expect(later.records.map(\.id) == [second] && later.records.first?.refundStatus == 3)
            #expect(later.page == Page(current: 1, totalPages: 2, totalCount: 2, size: 1))
        }
    }

    @Test("the patient's assistants are those bound to them")
    func assistants() async throws {
        try await TestServer.withRunning { server in
            let patient = try await server.account(.patient, phone: "13900000001")
            let helper = try await server.account(.assistant, phone: "13600000001", name: "赵医助")
            _ = try await server.account(.assistant, phone: "13600000002")
            #expect(try await server.call(.patientAssistants, token: patient.token).payload(RecordList<Assistant>.self).records.isEmpty)

            _ = try await server.call(.sendVerifyCode, [:], ["phone": "13900000001"]).payload(EmptyPayload.self)
            _ = try await server.call(.bindPatient, [:], ["phone": "13900000001", "verify_code": "123456"], token: helper.token)
                .payload(EmptyPayload.self)
            let answer = try await server.call(.patientAssistants, token: patient.token)
            let list = try answer.payload(RecordList<Assistant>.self)
            #expect(list.records.map(\.id) == [helper.id] && list.records.first?.realName == "赵医助" && list.records.first?.helpCount == 1)
            // An unpaged list: no `page`.
            #expect(try answer.json["data"]?["page"] == nil)
        }
    }

    @Test("the personal centre: the patient and every system message to them or to everyone")
    func center() async throws {
        try await TestServer.withRunning { server in
            let patient = try await server.account(.patient, phone: "13900000001", name: "钱患者")
            let other = try await server.account(.patient, phone: "13900000002")
            let empty = try await server.call(.patientCenter, token: patient.token).payload(UserCenter.self, role: .patient)
            #expect(empty.messageCount == 0 && empty.user?.id == patient.id && empty.user?.realName == "钱患者")

            try await server.database.write { db in
                let recipients: [Int?] = [patient.id, patient.id, other.id, nil]
                for to in recipients {
                    try db.execute(
                        sql: "INSERT INTO message (type, to_user_id, title, content, publish_time) VALUES (?, ?, '通知', '内容', '2024-01-01 08:00:00')",
                        arguments: [to == nil ? 0 : 1, to])
                }
            }
            let center = try await server.call(.patientCenter, token: patient.token).payload(UserCenter.self, role: .patient)
            #expect(center.messageCount == 3 && center.user?.role == .patient)
            let otherCenter = try await server.call(.patientCenter, token: other.token).payload(UserCenter.self, role: .patient)
            #expect(otherCenter.messageCount == 2 && otherCenter.user?.id == other.id)
        }
    }

    @Test("the home page: banners, five latest news, upcoming bookings and special projects, by hospital or organisation")
    func homepage() async throws {
        try await TestServer.withRunning { server in
            let hospital = try await server.insertHospital(name: "第一医院")
            let quietHospital = try await server.insertHospital(name: "第二医院")
            let doctor = try await server.account(.doctor, phone: "13700000001", hospitalID: hospital)
            let patient = try await server.account(.patient, phone: "13900000001")
            let now = server.server.state.now
            let (yesterday, inAWeek) = (APIClock.date(now.addingTimeInterval(-86400)), APIClock.date(now.addingTimeInterval(7 * 86400)))
            let ids = try await server.database.write { db in
                try db.execute(sql: "INSERT INTO org (name) VALUES ('红十字会')")
                let org = Int(db.lastInsertedRowID)
                func insert(_ sql: String, _ arguments: StatementArguments = []) throws -> Int {
                    try db.execute(sql: sql, arguments: arguments)
                    return Int(db.lastInsertedRowID)
                }
                let general = [
                    try insert("INSERT INTO banner (audience, title) VALUES (1, '通用一')"),
                    try insert("INSERT INTO banner (audience, title) VALUES (1, '通用二')"),
                ]
                let hospitalBanner = try insert("INSERT INTO banner (audience, hospital_id, title) VALUES (1, ?, '医院')", [hospital])
                let orgBanner = try insert("INSERT INTO banner (audience, org_id, title) VALUES (1, ?, '组织')", [org])
                _ = try insert("INSERT INTO banner (audience, title) VALUES (3, '医助')")
                _ = try insert("INSERT INTO banner (audience, title) VALUES (2, '医生')")
                var news: [Int] = []
                for day in 1...6 {
                    news.append(try insert("INSERT INTO news (type, title, content, publish_time) VALUES (1, '新闻', '内容', ?)", ["2024-01-0\(day) 08:00:00"]))
                }
                _ = try insert("INSERT INTO news (type, title, content, publish_time) VALUES (2, '医生新闻', '内容', '2024-02-01 08:00:00')")
                let special = "INSERT INTO special_project (hospital_id, org_id, date, begin, \"end\") VALUES (?, ?, ?, '09:00:00', '11:00:00')"
                let generalSpecial = try insert(special, [nil, nil, inAWeek])
                _ = try insert(special, [nil, nil, yesterday])
                let hospitalSpecial = try insert(special, [hospital, nil, inAWeek])
                let orgSpecial = try insert(special, [nil, org, inAWeek])
                return (org, general, hospitalBanner, orgBanner, Array(news.reversed().prefix(5)), generalSpecial, hospitalSpecial, orgSpecial)
            }
            let (org, generalBanners, hospitalBanner, orgBanner, latestNews, generalSpecial, hospitalSpecial, orgSpecial) = ids

            let upcoming = try await CareFixtures.book(server, project: try await CareFixtures.insertProject(server, doctorID: doctor.id), patient: patient.id)
            let cancelled = try await CareFixtures.book(server, project: try await CareFixtures.insertProject(server, doctorID: doctor.id), patient: patient.id)
            try await CareFixtures.cancel(server, cancelled)
            let past = try await CareFixtures.insertProject(server, doctorID: doctor.id)
            let pastBooking = try await CareFixtures.book(server, project: past, patient: patient.id)
            try await server.database.write { db in
                try db.execute(sql: "UPDATE project SET date = ? WHERE id = ?", arguments: [yesterday, past])
            }

            func home(_ parameters: [String: JSONValue] = [:]) async throws -> PatientHomepage {
                try await server.call(.patientHomepage, [:], parameters, token: patient.token).payload(PatientHomepage.self)
            }
            let page = try await home()
            #expect(page.banners.map(\.id) == generalBanners)
            #expect(page.news.map(\.id) == latestNews)
            #expect(page.projects.map(\.id) == [upcoming])
            #expect(!page.projects.map(\.id).contains(pastBooking))
            #expect(page.specialProjects.map(\.id) == [generalSpecial, hospitalSpecial, orgSpecial])

            let hospitalPage = try await home(["hospital_id": .integer(hospital)])
            #expect(hospitalPage.banners.map(\.id) == [hospitalBanner] && hospitalPage.specialProjects.map(\.id) == [hospitalSpecial])
            #expect(hospitalPage.news.map(\.id) == latestNews && hospitalPage.projects.map(\.id) == [upcoming])
            let orgPage = try await home(["org_id": .integer(org)])
            #expect(orgPage.banners.map(\.id) == [orgBanner] && orgPage.specialProjects.map(\.id) == [orgSpecial])
            // A hospital without banners of its own shows the general ones.
            let quiet = try await home(["hospital_id": .integer(quietHospital)])
            #expect(quiet.banners.map(\.id) == generalBanners && quiet.specialProjects.isEmpty)

            try await server.call(.patientHomepage, [:], ["hospital_id": 99_999], token: patient.token).expectFailure(.notFound)
            try await server.call(.patientHomepage, [:], ["org_id": 99_999], token: patient.token).expectFailure(.notFound)
            try await server.call(.patientHomepage, [:], ["hospital_id": "first"], token: patient.token).expectFailure(.invalidParameter)
        }
    }

    @Test("the order query: the caller's diagnosis by serial, or {}")
    func orderQuery() async throws {
        try await TestServer.withRunning { server in
            let doctor = try await server.account(.doctor, phone: "13700000001")
            let patient = try await server.account(.patient, phone: "13900000001")
            let other = try await server.account(.patient, phone: "13900000002")
            let booking = try await CareFixtures.book(
                server, project: try await CareFixtures.insertProject(server, doctorID: doctor.id, price: 50), patient: patient.id)
            let serial = try #require(
                try await server.database.read { db in
                    try String.fetchOne(db, sql: "SELECT sn FROM diagnosis WHERE id = ?", arguments: [booking])
                })
            let found = try await server.call(.orderQuery, ["sn": serial], token: patient.token).payload(Diagnosis.self)
            #expect(found.id == booking && found.patient?.id == patient.id && found.verifyStatus == 1)

            for (sn, token) in [("VD00000000999999", patient.token), (serial, other.token)] {
                let answer = try await server.call(.orderQuery, ["sn": sn], token: token)
                #expect(try answer.errorCode == 0)
                #expect(try answer.json["data"] == .object([:]))
            }
            try await server.call(.orderQuery, ["sn": serial], token: doctor.token).expectFailure(.forbidden)
        }
    }

    @Test("only patients may call the patient's pages; everyone must log in")
    func roles() async throws {
        try await TestServer.withRunning { server in
            let doctor = try await server.account(.doctor, phone: "13700000001")
            let assistant = try await server.account(.assistant, phone: "13600000001")
            let patient = try await server.account(.patient, phone: "13900000001")
            let before = try await CareFixtures.book(server, project: try await CareFixtures.insertProject(server, doctorID: doctor.id), patient: patient.id)
            try await server.database.write { db in
                try db.execute(sql: "UPDATE diagnosis SET status = 3 WHERE id = ?", arguments: [before])
            }
            let calls: [(Endpoint, [String: String], [String: JSONValue])] = [
                (.patientFollows, [:], [:]), (.patientDiagnoses, [:], [:]), (.diagnosesAwaitingComment, [:], [:]),
                (.refundDiagnoses, [:], [:]), (.patientAssistants, [:], [:]),
                (.rateDoctor, ["id": String(before)], ["doctor_score": 5, "doctor_comment": "好"]),
                (.patientCenter, [:], [:]), (.patientHomepage, [:], [:]), (.orderQuery, ["sn": "VD1"], [:]),
            ]
            for (endpoint, path, parameters) in calls {
                try await server.call(endpoint, path, parameters, token: doctor.token).expectFailure(.forbidden)
                try await server.call(endpoint, path, parameters, token: assistant.token).expectFailure(.forbidden)
                try await server.call(endpoint, path, parameters).expectFailure(.notLoggedIn)
            }
            #expect(try await server.database.count("diagnosis", where: "doctor_score <> 0") == 0)
        }
    }
}

/// Projects and bookings for the patient's and the assistant's tests. Projects are inserted as
/// rows (their routes are tested elsewhere); bookings go through ``Booking`` itself, the rules
/// the join endpoints apply, except where a test is about a join endpoint.
enum CareFixtures {
    static let slot = "09:00:00 - 09:30:00"

    /// An active project `daysAhead` days from the server's today, 09:00 to 11:00, with one slot.
    static func insertProject(
        _ server: TestServer, doctorID: Int, daysAhead: Int = 3, capacity: Int = 10, price: Int = 0
    ) async throws -> Int {
        let now = server.server.state.now
        let date = APIClock.date(now.addingTimeInterval(Double(daysAhead) * 86400))
        return try await server.database.write { db in
            let hospital = try Int.fetchOne(db, sql: "SELECT hospital_id FROM user WHERE id = ?", arguments: [doctorID])
            try db.execute(
                sql: """
                    INSERT INTO project (doctor_id, hospital_id, date, begin, "end", people_count, lng, lat, addr, abstract, price,
                        slot_capacity, created_at)
                    VALUES (?, ?, ?, '09:00:00', '11:00:00', ?, '116.400000', '39.900000', '社区中心', '义诊', ?, ?, ?)
                    """,
                arguments: [doctorID, hospital, date, capacity, price, #"{"\#(slot)": 5}"#, APIClock.timestamp(now)])
            return Int(db.lastInsertedRowID)
        }
    }

    /// Books `patient` into `project` by the booking rules; returns the diagnosis id.
    static func book(_ server: TestServer, project: Int, patient: Int, assistant: Int = 0) async throws -> Int {
        let now = server.server.state.now
        return try await server.database.write { db in
            try Booking.join(
                db, Booking.Request(projectID: project, patientID: patient, assistantID: assistant, slot: slot, content: "头痛", photos: []),
                now: now)
        }
    }

    /// Cancels a booking as its patient would.
    static func cancel(_ server: TestServer, _ diagnosis: Int) async throws {
        let now = server.server.state.now
        try await server.database.write { db in
            try Booking.end(db, diagnosisID: diagnosis, as: .cancelled, now: now)
        }
    }
}
