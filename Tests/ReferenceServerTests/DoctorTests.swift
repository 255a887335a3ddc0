import Foundation
import GRDB
import Testing
import VolunteerAPI

@testable import ReferenceServer

/// The doctor's side over real HTTP: reading, rejecting, confirming, rating and recording
/// diagnoses, the comment and patient lists, the home page, a patient's history, the
/// doctor's assistants, organisations, and the refusals of every other role.
@Suite("Doctor")
struct DoctorTests {
    @Test("a diagnosis is read by its doctor, its patient and the patient's assistants only")
    func readDiagnosis() async throws {
        try await Clinic.run { server in
            let doctor = try await server.account(.doctor, phone: "13700000001", name: "王医生")
            let stranger = try await server.account(.doctor, phone: "13700000002")
            let patient = try await server.account(.patient, phone: "13900000001", name: "李患者")
            let otherPatient = try await server.account(.patient, phone: "13900000002")
            let helper = try await server.account(.assistant, phone: "13600000001")
            let otherHelper = try await server.account(.assistant, phone: "13600000002")
            try await Clinic.bind(server, assistant: helper.id, patient: patient.id)
            try await Clinic.bind(server, assistant: otherHelper.id, patient: otherPatient.id)
            let id = try await Clinic.book(server, project: try await Clinic.project(server, doctor: doctor.id), patient: patient.id)
            let path = ["id": String(id)]

            for reader in [doctor, patient, helper] {
                let diagnosis = try await server.call(.diagnosis, path, token: reader.token).payload(Diagnosis.self)
                #expect(diagnosis.id == id && diagnosis.verifyStatus == 1 && diagnosis.status == 1)
                #expect(diagnosis.patient?.id == patient.id && diagnosis.patient?.realName == "李患者")
                #expect(diagnosis.casebook?.content == "头痛三天" && diagnosis.visitTime == "2030-03-02 09:00:00")
            }
            for outsider in [stranger, otherPatient, otherHelper] {
                try await server.call(.diagnosis, path, token: outsider.token).expectFailure(.forbidden)
            }
            try await server.call(.diagnosis, path).expectFailure(.notLoggedIn)
            try await server.call(.diagnosis, ["id": "999"], token: doctor.token).expectFailure(.notFound)
            try await server.call(.diagnosis, ["id": "abc"], token: doctor.token).expectFailure(.notFound)
        }
    }

    @Test("rejecting takes the diagnosis's doctor and a reason, only before the project starts, and refunds a deposit")
    func reject() async throws {
        try await Clinic.run { server in
            let doctor = try await server.account(.doctor, phone: "13700000001")
            let stranger = try await server.account(.doctor, phone: "13700000002")
            let paying = try await server.account(.patient, phone: "13900000001")
            let late = try await server.account(.patient, phone: "13900000002")
            let free = try await server.account(.patient, phone: "13900000003")
            let priced = try await Clinic.project(server, doctor: doctor.id, price: 50)
            let freeProject = try await Clinic.project(server, doctor: doctor.id, begin: "09:30:00")
            let paid = try await Clinic.book(server, project: priced, patient: paying.id)
            let lateID = try await Clinic.book(server, project: freeProject, patient: late.id)
            let freeID = try await Clinic.book(server, project: freeProject, patient: free.id)
            let path = ["id": String(paid)]
            let untouched = "id = ? AND verify_status = 1 AND reject_msg = '' AND refund_status IS NULL"

            try await server.call(.rejectDiagnosis, path, [:], token: doctor.token).expectFailure(.invalidParameter)
            try await server.call(.rejectDiagnosis, path, ["reject_msg": ""], token: doctor.token).expectFailure(.invalidParameter)
            let tooLong = try await server.call(
                .rejectDiagnosis, path, ["reject_msg": .string(String(repeating: "满", count: 201))], token: doctor.token)
            try tooLong.expectFailure(.invalidParameter)
            #expect(try tooLong.errorMessage.contains("reject_msg"))
            try await server.call(.rejectDiagnosis, path, ["reject_msg": "号已满"], token: stranger.token).expectFailure(.forbidden)
            try await server.call(.rejectDiagnosis, path, ["reject_msg": "号已满"], token: paying.token).expectFailure(.forbidden)
            try await server.call(.rejectDiagnosis, ["id": "999"], ["reject_msg": "号已满"], token: doctor.token).expectFailure(.notFound)
            #expect(try await server.database.count("diagnosis", where: untouched, [paid]) == 1)

            let reason = String(repeating: "满", count: 200)
            _ = try await server.call(.rejectDiagnosis, path, ["reject_msg": .string(reason)], token: doctor.token, encoding: .form)
                .payload(EmptyPayload.self)
            let rejected = try await server.call(.diagnosis, path, token: paying.token).payload(Diagnosis.self)
            #expect(rejected.verifyStatus == 2 && rejected.rejectMessage == reason && rejected.refundStatus == 1)
            try await server.call(.rejectDiagnosis, path, ["reject_msg": "再次拒绝"], token: doctor.token).expectFailure(.conflict)
            #expect(try await server.database.count("diagnosis", where: "id = ? AND reject_msg = ?", [paid, reason]) == 1)

            // Nothing was paid for a free project, so nothing is refunded.
            _ = try await server.call(.rejectDiagnosis, ["id": String(freeID)], ["reject_msg": "改期"], token: doctor.token)
                .payload(EmptyPayload.self)
            let freeRejected = try await server.call(.diagnosis, ["id": String(freeID)], token: doctor.token).payload(Diagnosis.self)
            #expect(freeRejected.verifyStatus == 2 && freeRejected.refundStatus == nil)

            // Once the project has started the booking stands.
            server.server.advanceClock(by: 23.5 * 3600)
            try await server.call(.rejectDiagnosis, ["id": String(lateID)], ["reject_msg": "来晚了"], token: doctor.token)
                .expectFailure(.conflict)
            #expect(try await server.database.count("diagnosis", where: untouched, [lateID]) == 1)

            // A refund shows as complete a day after it started.
            server.server.advanceClock(by: 1 * 3600)
            let refunded = try await server.call(.diagnosis, path, token: doctor.token).payload(Diagnosis.self)
            #expect(refunded.refundStatus == 3)
        }
    }

    @Test("a visit is confirmed by its doctor once the project has started, and the deposit is refunded")
    func markDone() async throws {
        try await Clinic.run { server in
            let doctor = try await server.account(.doctor, phone: "13700000001")
            let stranger = try await server.account(.doctor, phone: "13700000002")
            let paying = try await server.account(.patient, phone: "13900000001")
            let free = try await server.account(.patient, phone: "13900000002")
            let refused = try await server.account(.patient, phone: "13900000003")
            let priced = try await Clinic.project(server, doctor: doctor.id, price: 30)
            let freeProject = try await Clinic.project(server, doctor: doctor.id)
            let paid = try await Clinic.book(server, project: priced, patient: paying.id)
            let freeID = try await Clinic.book(server, project: freeProject, patient: free.id)
            let refusedID = try await Clinic.book(server, project: freeProject, patient: refused.id)
            _ = try await server.call(.rejectDiagnosis, ["id": String(refusedID)], ["reject_msg": "资料不全"], token: doctor.token)
                .payload(EmptyPayload.self)
            let path = ["id": String(paid)]

            try await server.call(.markDiagnosisDone, path, token: doctor.token).expectFailure(.conflict)
            try await server.call(.markDiagnosisDone, path, token: stranger.token).expectFailure(.forbidden)
            try await server.call(.markDiagnosisDone, path, token: paying.token).expectFailure(.forbidden)
            try await server.call(.markDiagnosisDone, ["id": "999"], token: doctor.token).expectFailure(.notFound)
            #expect(try await server.database.count("diagnosis", where: "status = 1 AND refund_status IS NULL") == 3)

            server.server.advanceClock(by: 23 * 3600)
            try await server.call(.markDiagnosisDone, path, token: stranger.token).expectFailure(.forbidden)
            #expect(try await server.database.count("diagnosis", where: "id = ? AND status = 1", [paid]) == 1)
            _ = try await server.call(.markDiagnosisDone, path, token: doctor.token).payload(EmptyPayload.self)
            let seen = try await server.call(.diagnosis, path, token: paying.token).payload(Diagnosis.self)
            #expect(seen.status == 3 && seen.verifyStatus == 1 && seen.refundStatus == 1)
            try await server.call(.markDiagnosisDone, path, token: doctor.token).expectFailure(.conflict)

            _ = try await server.call(.markDiagnosisDone, ["id": String(freeID)], token: doctor.token).payload(EmptyPayload.self)
            let freeSeen = try await server.call(.diagnosis, ["id": String(freeID)], token: doctor.token).payload(Diagnosis.self)
            #expect(freeSeen.status == 3 && freeSeen.refundStatus == nil)
            try await server.call(.markDiagnosisDone, ["id": String(refusedID)], token: doctor.token).expectFailure(.conflict)
            #expect(try await server.database.count("diagnosis", where: "id = ? AND status = 1", [refusedID]) == 1)
        }
    }

    @Test("the doctor rates a seen patient once, from 1 to 5, and the scores make the patient's averages")
    func ratePatient() async throws {
        try await Clinic.run { server in
            let doctor = try await server.account(.doctor, phone: "13700000001")
            let stranger = try await server.account(.doctor, phone: "13700000002")
            let patient = try await server.account(.patient, phone: "13900000001")
            let other = try await server.account(.patient, phone: "13900000002")
            let morning = try await Clinic.project(server, doctor: doctor.id)
            let noon = try await Clinic.project(server, doctor: doctor.id, begin: "09:00:00", end: "12:00:00")
            let first = try await Clinic.book(server, project: morning, patient: patient.id)
            let second = try await Clinic.book(server, project: noon, patient: patient.id)
            let others = try await Clinic.book(server, project: morning, patient: other.id)
            let good: [String: JSONValue] = ["patient_credit_score": 4, "patient_punctuality_score": 5]
            let unrated = "patient_credit_score = 0 AND patient_punctuality_score = 0 AND doctor_comment_time IS NULL"

            try await server.call(.ratePatient, ["id": String(first)], good, token: doctor.token).expectFailure(.conflict)
            #expect(try await Clinic.doctor(server, doctor).patientCount == 0)

            server.server.advanceClock(by: 23 * 3600)
            for id in [first, second, others] {
                _ = try await server.call(.markDiagnosisDone, ["id": String(id)], token: doctor.token).payload(EmptyPayload.self)
            }
            // Two patients seen, one of them twice.
            #expect(try await Clinic.doctor(server, doctor).patientCount == 2)

            let path = ["id": String(first)]
            let bad: [[String: JSONValue]] = [
                ["patient_credit_score": 0, "patient_punctuality_score": 5],
                ["patient_credit_score": 6, "patient_punctuality_score": 5],
                ["patient_credit_score": 4, "patient_punctuality_score": 6],
                ["patient_credit_score": 4, "patient_punctuality_score": -1],
                ["patient_credit_score": 4],
                ["patient_credit_score": "好", "patient_punctuality_score": 5],
                ["patient_credit_score": 4.5, "patient_punctuality_score": 5],
            ]
            for parameters in bad {
                try await server.call(.ratePatient, path, parameters, token: doctor.token).expectFailure(.invalidParameter)
            }
            try await server.call(.ratePatient, path, good, token: stranger.token).expectFailure(.forbidden)
            try await server.call(.ratePatient, path, good, token: patient.token).expectFailure(.forbidden)
            try await server.call(.ratePatient, ["id": "999"], good, token: doctor.token).expectFailure(.notFound)
            #expect(try await server.database.count("diagnosis", where: unrated) == 3)

            _ = try await server.call(.ratePatient, path, good, token: doctor.token).payload(EmptyPayload.self)
            let rated = try await server.call(.diagnosis, path, token: doctor.token).payload(Diagnosis.self)
            #expect(rated.patientCreditScore == 4 && rated.patientPunctualityScore == 5)
            #expect(rated.doctorCommentTime == "2030-03-02 09:00:00")
            var profile = try await Clinic.patient(server, patient)
            #expect(profile.creditScore == DecimalText(4) && profile.punctualityScore == DecimalText(5))
            #expect(profile.creditScore?.text == "4.0")

            try await server.call(.ratePatient, path, ["patient_credit_score": 1, "patient_punctuality_score": 1], token: doctor.token)
                .expectFailure(.conflict)
            #expect(try await server.database.count("diagnosis", where: "id = ? AND patient_credit_score = 4", [first]) == 1)

            _ = try await server.call(
                .ratePatient, ["id": String(second)], ["patient_credit_score": 2, "patient_punctuality_score": 3], token: doctor.token,
                encoding: .form
            ).payload(EmptyPayload.self)
            profile = try await Clinic.patient(server, patient)
            #expect(profile.creditScore == DecimalText(3) && profile.punctualityScore == DecimalText(4))
            #expect(try await Clinic.patient(server, other).creditScore == nil)
        }
    }

    @Test("the doctor records and corrects a seen patient's result, with at most nine photos")
    func recordResult() async throws {
        try await Clinic.run { server in
            let doctor = try await server.account(.doctor, phone: "13700000001")
            let stranger = try await server.account(.doctor, phone: "13700000002")
            let patient = try await server.account(.patient, phone: "13900000001")
            let id = try await Clinic.book(server, project: try await Clinic.project(server, doctor: doctor.id), patient: patient.id)
            let path = ["id": String(id)]
            let photos: JSONValue = ["http://img.example/a.jpg", "http://img.example/b.jpg"]

            try await server.call(.recordDiagnosisResult, path, ["diag_result": "高血压一级"], token: doctor.token).expectFailure(.conflict)
            server.server.advanceClock(by: 23 * 3600)
            _ = try await server.call(.markDiagnosisDone, path, token: doctor.token).payload(EmptyPayload.self)

            try await server.call(.recordDiagnosisResult, path, ["diag_photo": photos], token: doctor.token).expectFailure(.invalidParameter)
            try await server.call(.recordDiagnosisResult, path, ["diag_result": .string(String(repeating: "压", count: 2001))], token: doctor.token)
                .expectFailure(.invalidParameter)
            let ten = JSONValue.array((0..<10).map { .string("http://img.example/\($0).jpg") })
            try await server.call(.recordDiagnosisResult, path, ["diag_result": "高血压一级", "diag_photo": ten], token: doctor.token)
                .expectFailure(.invalidParameter)
            try await server.call(.recordDiagnosisResult, path, ["diag_result": "高血压一级"], token: stranger.token).expectFailure(.forbidden)
            try await server.call(.recordDiagnosisResult, path, ["diag_result": "高血压一级"], token: patient.token).expectFailure(.forbidden)
            try await server.call(.recordDiagnosisResult, ["id": "999"], ["diag_result": "高血压一级"], token: doctor.token)
                .expectFailure(.notFound)
            #expect(try await server.database.count("diagnosis", where: "diag_result IS NULL AND diag_photo IS NULL") == 1)

            _ = try await server.call(.recordDiagnosisResult, path, ["diag_result": "高血压一级", "diag_photo": photos], token: doctor.token)
                .payload(EmptyPayload.self)
            var diagnosis = try await server.call(.diagnosis, path, token: patient.token).payload(Diagnosis.self)
            #expect(diagnosis.result == "高血压一级" && diagnosis.resultPhotos == ["http://img.example/a.jpg", "http://img.example/b.jpg"])

            // Correcting the text alone keeps the photos; an empty list clears them.
            _ = try await server.call(.recordDiagnosisResult, path, ["diag_result": "高血压二级"], token: doctor.token).payload(EmptyPayload.self)
            diagnosis = try await server.call(.diagnosis, path, token: patient.token).payload(Diagnosis.self)
            #expect(diagnosis.result == "高血压二级" && diagnosis.resultPhotos.count == 2)
            _ = try await server.call(.recordDiagnosisResult, path, ["diag_result": "高血压二级", "diag_photo": []], token: doctor.token)
                .payload(EmptyPayload.self)
            diagnosis = try await server.call(.diagnosis, path, token: patient.token).payload(Diagnosis.self)
            #expect(diagnosis.resultPhotos.isEmpty)

            let nine = JSONValue.array((0..<9).map { .string("http://img.example/\($0).jpg") })
            for encoding in [BodyEncoding.form, .multipart] {
                _ = try await server.call(
                    .recordDiagnosisResult, path, ["diag_result": "复查正常", "diag_photo": nine], token: doctor.token, encoding: encoding
                ).payload(EmptyPayload.self)
                diagnosis = try await server.call(.diagnosis, path, token: doctor.token).payload(Diagnosis.self)
                #expect(diagnosis.result == "复查正常" && diagnosis.resultPhotos.count == 9)
            }
        }
    }

    @Test("comment lists: diagnoses the patient rated, newest first; the public one hides the medical record")
    func comments() async throws {
        try await Clinic.run { server in
            let doctor = try await server.account(.doctor, phone: "13700000001")
            let colleague = try await server.account(.doctor, phone: "13700000002")
            let early = try await server.account(.patient, phone: "13900000001", name: "早患者")
            let recent = try await server.account(.patient, phone: "13900000002")
            let silent = try await server.account(.patient, phone: "13900000003")
            let project = try await Clinic.project(server, doctor: doctor.id)
            let earlyID = try await Clinic.book(server, project: project, patient: early.id)
            let recentID = try await Clinic.book(server, project: project, patient: recent.id)
            _ = try await Clinic.book(server, project: project, patient: silent.id)
            let elsewhere = try await Clinic.book(server, project: try await Clinic.project(server, doctor: colleague.id), patient: early.id)
            try await Clinic.patientRated(server, earlyID, score: 5, at: "2030-03-02 12:00:00")
            try await Clinic.patientRated(server, recentID, score: 3, at: "2030-03-02 15:00:00")
            try await Clinic.patientRated(server, elsewhere, score: 4, at: "2030-03-02 13:00:00")

            let own = try await server.call(.doctorComments, token: doctor.token).payload(RecordList<Diagnosis>.self)
            #expect(own.records.map(\.id) == [recentID, earlyID])
            #expect(own.page == Page(current: 1, totalPages: 1, totalCount: 2, size: 10))
            #expect(own.records.last?.doctorScore == 5 && own.records.last?.doctorComment == "亲切耐心")
            #expect(own.records.last?.casebook != nil && own.records.last?.patient?.phone == "13900000001")
            let second = try await server.call(.doctorComments, [:], ["page_size": 1, "current_page": 2], token: doctor.token)
                .payload(RecordList<Diagnosis>.self)
            #expect(second.records.map(\.id) == [earlyID] && second.page == Page(current: 2, totalPages: 2, totalCount: 2, size: 1))
            let colleagues = try await server.call(.doctorComments, token: colleague.token).payload(RecordList<Diagnosis>.self)
            #expect(colleagues.records.map(\.id) == [elsewhere])

            let shown = try await server.call(.doctorCommentsById, ["id": String(doctor.id)]).payload(RecordList<Diagnosis>.self)
            #expect(shown.records.map(\.id) == [recentID, earlyID] && shown.page?.totalCount == 2)
            let earlyComment = try #require(shown.records.last)
            #expect(earlyComment.doctorScore == 5 && earlyComment.doctorComment == "亲切耐心")
            #expect(earlyComment.patient?.id == early.id && earlyComment.patient?.realName == "早患者")
            #expect(earlyComment.patient?.phone == nil && earlyComment.patient?.idCardNumber == nil && earlyComment.casebook == nil)

            // A comment hidden from display leaves the public list, not the doctor's own.
            try await server.database.write { db in
                try db.execute(sql: "UPDATE diagnosis SET doctor_comment_show = 0 WHERE id = ?", arguments: [recentID])
            }
            let hidden = try await server.call(.doctorCommentsById, ["id": String(doctor.id)], token: early.token)
                .payload(RecordList<Diagnosis>.self)
            #expect(hidden.records.map(\.id) == [earlyID])
            #expect(try await server.call(.doctorComments, token: doctor.token).payload(RecordList<Diagnosis>.self).records.count == 2)

            try await server.call(.doctorCommentsById, ["id": "999"]).expectFailure(.notFound)
            try await server.call(.doctorCommentsById, ["id": String(early.id)]).expectFailure(.notFound)
            try await server.call(.doctorCommentsById, ["id": String(doctor.id)], ["page_size": 0]).expectFailure(.invalidParameter)
            try await server.call(.doctorComments, token: early.token).expectFailure(.forbidden)
            try await server.call(.doctorComments).expectFailure(.notLoggedIn)
        }
    }

    @Test("the doctor's patients: active bookings by status, in visit order, paged")
    func projectPatients() async throws {
        try await Clinic.run { server in
            let doctor = try await server.account(.doctor, phone: "13700000001")
            let colleague = try await server.account(.doctor, phone: "13700000002")
            var patients: [TestServer.Account] = []
            for index in 1...4 {
                patients.append(try await server.account(.patient, phone: "1390000000\(index)"))
            }
            let later = try await Clinic.project(server, doctor: doctor.id, date: "2030-03-03")
            let sooner = try await Clinic.project(server, doctor: doctor.id)
            let waitingLater = try await Clinic.book(server, project: later, patient: patients[0].id)
            let seen = try await Clinic.book(server, project: sooner, patient: patients[1].id)
            let waitingSooner = try await Clinic.book(server, project: sooner, patient: patients[2].id)
            let refused = try await Clinic.book(server, project: sooner, patient: patients[3].id)
            _ = try await Clinic.book(server, project: try await Clinic.project(server, doctor: colleague.id), patient: patients[0].id)
            _ = try await server.call(.rejectDiagnosis, ["id": String(refused)], ["reject_msg": "重复挂号"], token: doctor.token)
                .payload(EmptyPayload.self)
            server.server.advanceClock(by: 23 * 3600)
            _ = try await server.call(.markDiagnosisDone, ["id": String(seen)], token: doctor.token).payload(EmptyPayload.self)

            func list(_ parameters: [String: JSONValue] = [:]) async throws -> RecordList<Diagnosis> {
                try await server.call(.doctorProjectPatients, [:], parameters, token: doctor.token).payload(RecordList<Diagnosis>.self)
            }
            #expect(try await list().records.map(\.id) == [seen, waitingSooner, waitingLater])
            #expect(try await list(["status": 1]).records.map(\.id) == [waitingSooner, waitingLater])
            #expect(try await list(["status": 3]).records.map(\.id) == [seen])
            #expect(try await list(["status": 2]).records.isEmpty)
            let page = try await list(["page_size": 2, "current_page": 2])
            #expect(page.records.map(\.id) == [waitingLater] && page.page == Page(current: 2, totalPages: 2, totalCount: 3, size: 2))
            #expect(try await server.call(.doctorProjectPatients, token: colleague.token).payload(RecordList<Diagnosis>.self).records.count == 1)

            for status: JSONValue in [0, 4, "待诊"] {
                try await server.call(.doctorProjectPatients, [:], ["status": status], token: doctor.token).expectFailure(.invalidParameter)
            }
            try await server.call(.doctorProjectPatients, token: patients[0].token).expectFailure(.forbidden)
        }
    }

    @Test("the home page: doctor news, the doctor, projects not over, and today's waiting patients")
    func index() async throws {
        try await Clinic.run { server in
            let doctor = try await server.account(.doctor, phone: "13700000001", name: "王医生")
            let colleague = try await server.account(.doctor, phone: "13700000002")
            let today = try await server.account(.patient, phone: "13900000001")
            let refused = try await server.account(.patient, phone: "13900000002")
            let tomorrow = try await server.account(.patient, phone: "13900000003")
            try await server.database.write { db in
                for day in 1...6 {
                    try db.execute(
                        sql: "INSERT INTO news (type, title, content, publish_time) VALUES (2, ?, '内容', ?)",
                        arguments: ["医生公告\(day)", "2030-02-0\(day) 10:00:00"])
                }
                try db.execute(sql: "INSERT INTO news (type, title, content, publish_time) VALUES (1, '患者公告', '内容', '2030-02-28 10:00:00')")
            }
            let afternoon = try await Clinic.project(server, doctor: doctor.id, date: "2030-03-01", begin: "14:00:00", end: "16:00:00")
            let nextDay = try await Clinic.project(server, doctor: doctor.id)
            _ = try await Clinic.project(server, doctor: doctor.id, date: "2030-03-01", begin: "07:00:00", end: "09:00:00")
            _ = try await Clinic.project(server, doctor: doctor.id, date: "2030-02-28")
            _ = try await Clinic.project(server, doctor: doctor.id, date: "2030-03-04", status: 0)
            _ = try await Clinic.project(server, doctor: colleague.id, date: "2030-03-01", begin: "14:00:00", end: "16:00:00")
            let waiting = try await Clinic.book(server, project: afternoon, patient: today.id)
            let refusedID = try await Clinic.book(server, project: afternoon, patient: refused.id)
            _ = try await Clinic.book(server, project: nextDay, patient: tomorrow.id)
            _ = try await server.call(.rejectDiagnosis, ["id": String(refusedID)], ["reject_msg": "资料不全"], token: doctor.token)
                .payload(EmptyPayload.self)

            var home = try await server.call(.doctorIndex, token: doctor.token).payload(DoctorIndex.self)
            #expect(home.news.map(\.title) == (2...6).reversed().map { "医生公告\($0)" })
            #expect(home.doctor?.id == doctor.id && home.doctor?.realName == "王医生")
            #expect(home.projects.map(\.id) == [afternoon, nextDay])
            #expect(home.projects.first?.projectStatus == 1)
            #expect(home.diagnoses.map(\.id) == [waiting])

            // In progress, the afternoon project stays; its patient waits until confirmed.
            server.server.advanceClock(by: 4.5 * 3600)
            home = try await server.call(.doctorIndex, token: doctor.token).payload(DoctorIndex.self)
            #expect(home.projects.map(\.id) == [afternoon, nextDay] && home.projects.first?.projectStatus == 2)
            #expect(home.diagnoses.map(\.id) == [waiting])
            _ = try await server.call(.markDiagnosisDone, ["id": String(waiting)], token: doctor.token).payload(EmptyPayload.self)
            home = try await server.call(.doctorIndex, token: doctor.token).payload(DoctorIndex.self)
            #expect(home.diagnoses.isEmpty)

            server.server.advanceClock(by: 2 * 3600)
            home = try await server.call(.doctorIndex, token: doctor.token).payload(DoctorIndex.self)
            #expect(home.projects.map(\.id) == [nextDay])
            try await server.call(.doctorIndex, token: today.token).expectFailure(.forbidden)
        }
    }

    @Test("a patient's history is open to the doctors the patient came to, newest first, as a bare array")
    func patientRecords() async throws {
        try await Clinic.run { server in
            let doctor = try await server.account(.doctor, phone: "13700000001")
            let colleague = try await server.account(.doctor, phone: "13700000002", name: "张医生")
            let outsider = try await server.account(.doctor, phone: "13700000003")
            let patient = try await server.account(.patient, phone: "13900000001", name: "李患者")
            let newcomer = try await server.account(.patient, phone: "13900000002")
            let first = try await Clinic.book(server, project: try await Clinic.project(server, doctor: doctor.id, price: 20), patient: patient.id)
            server.server.advanceClock(by: 60)
            let second = try await Clinic.book(server, project: try await Clinic.project(server, doctor: colleague.id), patient: patient.id)
            server.server.advanceClock(by: 60)
            let third = try await Clinic.book(server, project: try await Clinic.project(server, doctor: doctor.id, date: "2030-03-03"), patient: patient.id)
            let path = ["id": String(patient.id)]

            let answer = try await server.call(.patientDiagnosisRecords, path, token: doctor.token)
            guard case .array(let raw)? = try answer.json["data"] else {
                Issue.record("data is not a bare array")
                return
            }
            #expect(raw.count == 3)
            let records = try answer.payload(RecordArray<DiagnosisRecord>.self).records
            #expect(records.map(\.id) == [third, second, first])
            let others = try #require(records.first { $0.id == second })
            #expect(others.doctor?.id == colleague.id && others.doctor?.realName == "张医生" && others.user?.realName == "李患者")
            #expect(others.doctorUserID == colleague.id && others.casebook?.content == "头痛三天")
            let paid = try #require(records.last)
            #expect(paid.amount == DecimalText(20) && paid.serial?.hasPrefix("VD") == true && paid.createdAt == "2030-03-01 10:00:00")

            #expect(try await server.call(.patientDiagnosisRecords, path, token: colleague.token).payload(RecordArray<DiagnosisRecord>.self).records.count == 3)
            try await server.call(.patientDiagnosisRecords, path, token: outsider.token).expectFailure(.forbidden)
            try await server.call(.patientDiagnosisRecords, ["id": String(newcomer.id)], token: doctor.token).expectFailure(.forbidden)
            try await server.call(.patientDiagnosisRecords, ["id": "999"], token: doctor.token).expectFailure(.notFound)
            try await server.call(.patientDiagnosisRecords, ["id": String(colleague.id)], token: doctor.token).expectFailure(.notFound)
            try await server.call(.patientDiagnosisRecords, path, token: patient.token).expectFailure(.forbidden)
        }
    }

    @Test("the doctor's assistants: those who booked patients into the doctor's projects, unpaged")
    func assistants() async throws {
        try await Clinic.run { server in
            let doctor = try await server.account(.doctor, phone: "13700000001")
            let colleague = try await server.account(.doctor, phone: "13700000002")
            let idle = try await server.account(.doctor, phone: "13700000003")
            let first = try await server.account(.assistant, phone: "13600000001", name: "赵医助")
            let second = try await server.account(.assistant, phone: "13600000002")
            let third = try await server.account(.assistant, phone: "13600000003")
            var patients: [TestServer.Account] = []
            for index in 1...3 {
                patients.append(try await server.account(.patient, phone: "1390000000\(index)"))
            }
            let project = try await Clinic.project(server, doctor: doctor.id)
            let another = try await Clinic.project(server, doctor: doctor.id, date: "2030-03-03")
            _ = try await Clinic.book(server, project: project, patient: patients[0].id, assistant: first.id)
            _ = try await Clinic.book(server, project: project, patient: patients[1].id, assistant: first.id)
            _ = try await Clinic.book(server, project: project, patient: patients[2].id)
            let cancelled = try await Clinic.book(server, project: another, patient: patients[0].id, assistant: second.id)
            try await server.database.write { db in
                try db.execute(sql: "UPDATE diagnosis SET verify_status = 3 WHERE id = ?", arguments: [cancelled])
            }
            _ = try await Clinic.book(server, project: try await Clinic.project(server, doctor: colleague.id), patient: patients[1].id, assistant: third.id)

            let answer = try await server.call(.doctorAssistants, token: doctor.token)
            let list = try answer.payload(RecordList<Assistant>.self)
            // A booking later cancelled still shows who helped.
            #expect(list.records.map(\.id) == [first.id, second.id] && list.page == nil)
            #expect(try answer.json["data"]?["page"] == nil)
            #expect(list.records.first?.realName == "赵医助" && list.records.first?.helpCount == 0)
            #expect(try await server.call(.doctorAssistants, token: colleague.token).payload(RecordList<Assistant>.self).records.map(\.id) == [third.id])
            #expect(try await server.call(.doctorAssistants, token: idle.token).payload(RecordList<Assistant>.self).records.isEmpty)
            try await server.call(.doctorAssistants, token: first.token).expectFailure(.forbidden)
        }
    }

    @Test("organisations: search, apply (approved at once), list, leave")
    func organisations() async throws {
        try await Clinic.run { server in
            let doctor = try await server.account(.doctor, phone: "13700000001")
            let other = try await server.account(.doctor, phone: "13700000002")
            let patient = try await server.account(.patient, phone: "13900000001")
            let orgs: [Int] = try await server.database.write { db in
                var ids: [Int] = []
                for name in ["协和志愿者协会", "北京医师协会", "50%_俱乐部", "青年医生联盟"] {
                    try db.execute(sql: "INSERT INTO org (name, abstract) VALUES (?, '简介')", arguments: [name])
                    ids.append(Int(db.lastInsertedRowID))
                }
                return ids
            }

            func search(_ parameters: [String: JSONValue]) async throws -> RecordList<Organisation> {
                try await server.call(.organisations, [:], parameters).payload(RecordList<Organisation>.self)
            }
            #expect(try await search([:]).records.map(\.id) == orgs)
            #expect(try await search(["keyword": "协会"]).records.map(\.id) == [orgs[0], orgs[1]])
            #expect(try await search(["keyword": "%"]).records.map(\.id) == [orgs[2]])
            #expect(try await search(["keyword": "_"]).records.map(\.id) == [orgs[2]])
            #expect(try await search(["keyword": "无此组织"]).records.isEmpty)
            #expect(try await search(["keyword": " 联盟 "]).records.map(\.id) == [orgs[3]])
            let page = try await search(["page_size": 3, "current_page": 2])
            #expect(page.records.map(\.id) == [orgs[3]] && page.page == Page(current: 2, totalPages: 2, totalCount: 4, size: 3))
            try await server.call(.organisations, [:], ["keyword": .string(String(repeating: "协", count: 101))]).expectFailure(.invalidParameter)

            let joined = try await server.call(.joinOrganisation, ["org_id": String(orgs[0])], token: doctor.token)
            #expect(try joined.json == ["error_code": 0, "data": nil, "error_message": ""])
            var mine = try await server.call(.myOrganisations, token: doctor.token).payload(RecordList<OrgMembership>.self)
            let membership = try #require(mine.records.first)
            #expect(mine.records.count == 1 && mine.page?.totalCount == 1)
            #expect(membership.organisationID == orgs[0] && membership.doctorID == doctor.id && membership.verifyStatus == 1)
            #expect(membership.organisation?.name == "协和志愿者协会")
            #expect(try await Clinic.doctor(server, doctor).organisations.map(\.id) == [orgs[0]])

            try await server.call(.joinOrganisation, ["org_id": String(orgs[0])], token: doctor.token).expectFailure(.conflict)
            try await server.call(.joinOrganisation, ["org_id": "999"], token: doctor.token).expectFailure(.notFound)
            try await server.call(.joinOrganisation, ["org_id": String(orgs[1])], token: patient.token).expectFailure(.forbidden)
            #expect(try await server.database.count("org_member") == 1)

            // A pending application is listed with its status but is no membership yet.
            try await server.database.write { db in
                try db.execute(
                    sql: "INSERT INTO org_member (org_id, doctor_id, verify_status, created_at) VALUES (?, ?, 0, '2030-03-01 10:00:00')",
                    arguments: [orgs[1], doctor.id])
            }
            mine = try await server.call(.myOrganisations, token: doctor.token).payload(RecordList<OrgMembership>.self)
            #expect(mine.records.map(\.verifyStatus) == [1, 0])
            let pending = try #require(mine.records.last)
            #expect(try await Clinic.doctor(server, doctor).organisations.map(\.id) == [orgs[0]])
            #expect(try await server.call(.myOrganisations, token: other.token).payload(RecordList<OrgMembership>.self).records.isEmpty)

            try await server.call(.leaveOrganisation, ["id": String(membership.id)], token: other.token).expectFailure(.forbidden)
            try await server.call(.leaveOrganisation, ["id": String(membership.id)], token: patient.token).expectFailure(.forbidden)
            #expect(try await server.database.count("org_member") == 2)
            let left = try await server.call(.leaveOrganisation, ["id": String(membership.id)], token: doctor.token)
            #expect(try left.json == ["error_code": 0, "data": nil, "error_message": ""])
            try await server.call(.leaveOrganisation, ["id": String(membership.id)], token: doctor.token).expectFailure(.notFound)
            #expect(try await Clinic.doctor(server, doctor).organisations.isEmpty)
            _ = try await server.call(.leaveOrganisation, ["id": String(pending.id)], token: doctor.token)
            #expect(try await server.call(.myOrganisations, token: doctor.token).payload(RecordList<OrgMembership>.self).records.isEmpty)

            // Having left, the doctor may apply again.
            _ = try await server.call(.joinOrganisation, ["org_id": String(orgs[0])], token: doctor.token)
            #expect(try await Clinic.doctor(server, doctor).organisations.map(\.id) == [orgs[0]])
        }
    }

    @Test("patients and assistants are refused every doctor-only endpoint, and nothing changes")
    func roleRefusals() async throws {
        try await Clinic.run { server in
            let doctor = try await server.account(.doctor, phone: "13700000001")
            let patient = try await server.account(.patient, phone: "13900000001")
            let assistant = try await server.account(.assistant, phone: "13600000001")
            let id = try await Clinic.book(server, project: try await Clinic.project(server, doctor: doctor.id, price: 10), patient: patient.id)
            let org: Int = try await server.database.write { db in
                try db.execute(sql: "INSERT INTO org (name) VALUES ('协和志愿者协会')")
                return Int(db.lastInsertedRowID)
            }
            server.server.advanceClock(by: 23 * 3600)
            let path = ["id": String(id), "org_id": String(org)]
            let calls: [(Endpoint, [String: JSONValue])] = [
                (.rejectDiagnosis, ["reject_msg": "不来了"]), (.markDiagnosisDone, [:]),
                (.ratePatient, ["patient_credit_score": 5, "patient_punctuality_score": 5]),
                (.recordDiagnosisResult, ["diag_result": "健康"]), (.doctorComments, [:]), (.doctorProjectPatients, [:]),
                (.doctorIndex, [:]), (.patientDiagnosisRecords, [:]), (.doctorAssistants, [:]), (.joinOrganisation, [:]),
                (.leaveOrganisation, [:]), (.myOrganisations, [:]),
            ]
            for caller in [patient, assistant] {
                for (endpoint, parameters) in calls {
                    let answer = try await server.call(endpoint, path, parameters, token: caller.token)
                    try answer.expectFailure(.forbidden)
                    try await server.call(endpoint, path, parameters).expectFailure(.notLoggedIn)
                }
            }
            #expect(try await server.database.count("diagnosis", where: "id = ? AND verify_status = 1 AND status = 1 AND diag_result IS NULL", [id]) == 1)
            #expect(try await server.database.count("diagnosis", where: "patient_credit_score > 0 OR refund_status IS NOT NULL") == 0)
            #expect(try await server.database.count("org_member") == 0)
        }
    }
}

/// 2030-03-01 10:00:00 in China time: every test's clock starts here, and projects are
/// placed around it.
private let opening = Date(timeIntervalSince1970: 1_898_560_800)

/// Projects and bookings for the doctor's tests, written the way the patient's and the
/// assistant's routes write them (`Booking.join`), so these tests do not depend on those routes.
private enum Clinic {
    static func run(_ body: (TestServer) async throws -> Void) async throws {
        try await TestServer.withRunning(configure: { $0.clock = { opening } }) { server in
            try await body(server)
        }
    }

    /// A project of `doctor`, by default tomorrow 09:00-11:00 and free.
    static func project(
        _ server: TestServer, doctor: Int, date: String = "2030-03-02", begin: String = "09:00:00", end: String = "11:00:00",
        price: Int = 0, status: Int = 1
    ) async throws -> Int {
        try await server.database.write { db in
            try db.execute(
                sql: """
                    INSERT INTO project (doctor_id, date, begin, "end", people_count, lng, lat, addr, abstract, price, status, created_at)
                    VALUES (?, ?, ?, ?, 10, '116.40', '39.90', '社区卫生站', '义诊', ?, ?, '2030-02-20 10:00:00')
                    """,
                arguments: [doctor, date, begin, end, price, status])
            return Int(db.lastInsertedRowID)
        }
    }

    /// Books `patient` into `project` now; the diagnosis id.
    static func book(_ server: TestServer, project: Int, patient: Int, assistant: Int = 0) async throws -> Int {
        let now = server.server.state.now
        let request = Booking.Request(
            projectID: project, patientID: patient, assistantID: assistant, slot: nil, content: "头痛三天", photos: [])
        return try await server.database.write { db in try Booking.join(db, request, now: now) }
    }

    static func bind(_ server: TestServer, assistant: Int, patient: Int) async throws {
        try await server.database.write { db in
            try db.execute(
                sql: "INSERT INTO assistant_patient (assistant_id, patient_id, created_at) VALUES (?, ?, '2030-03-01 10:00:00')",
                arguments: [assistant, patient])
        }
    }

    /// The patient's rating of the doctor, as the patient's comment endpoint leaves it.
    static func patientRated(_ server: TestServer, _ diagnosis: Int, score: Int, at time: String) async throws {
        try await server.database.write { db in
            try db.execute(
                sql: "UPDATE diagnosis SET status = 3, doctor_score = ?, doctor_comment = '亲切耐心', patient_comment_time = ? WHERE id = ?",
                arguments: [score, time, diagnosis])
        }
    }

    /// The patient as GET /user/{id} shows it (read with the patient's own login).
    static func patient(_ server: TestServer, _ account: TestServer.Account) async throws -> Patient {
        let user = try await server.call(.user, ["id": String(account.id)], token: account.token).payload(UserProfile.self, role: .patient)
        guard case .patient(let patient) = user else { throw ClinicError.wrongRole }
        return patient
    }

    /// The doctor as GET /user/{id} shows it (read with the doctor's own login).
    static func doctor(_ server: TestServer, _ account: TestServer.Account) async throws -> Doctor {
        let user = try await server.call(.user, ["id": String(account.id)], token: account.token).payload(UserProfile.self, role: .doctor)
        guard case .doctor(let doctor) = user else { throw ClinicError.wrongRole }
        return doctor
    }

    enum ClinicError: Error {
        case wrongRole
    }
}
