import Foundation
import GRDB
import MirrorStore
import Testing
import UpstreamClient
import VolunteerAPI

@testable import ReferenceServer
@testable import SyncEngine

/// Issue #5 item 8, the workload: a doctor, an assistant and a patient work offline all
/// afternoon (over two hundred mutations, records created offline and photos among them), the
/// link comes back, and the three kiosks drain against a vdapi that resets connections before
/// and after committing and answers 5xx at random. The upstream state is then compared,
/// record by record, with the state computed from the plan alone: nothing lost, nothing
/// doubled, every entry applied except the two refusals provoked on purpose.
@Suite("Outbox: a mixed offline workload")
struct OutboxMixedWorkloadTests {
    /// One submitted mutation and what must become of it.
    struct Submitted {
        let world: Int
        let entries: [OutboxEntry]
        /// nil: applied; otherwise the error_code vdapi must refuse it with.
        let refusedWith: Int?
    }

    @Test("doctor, assistant and patient offline, then a faulty link: exactly the expected upstream state")
    func workload() async throws {
        try await OutboxScenario.withCast([.doctor, .assistant, .otherPatient]) { cast in
            let ids = cast.ids
            let doctor = cast.worlds[0]
            let assistant = cast.worlds[1]
            let patient = cast.worlds[2]
            let database = cast.database
            func list(_ values: [Int]) -> String { values.map(String.init).joined(separator: ", ") }
            func slot(_ project: Int, _ index: Int) async throws -> String {
                try await database.read { db in try RichDemo.slotLabel(db, project, index: index) }
            }
            let p = ids.patients
            let p3 = patient.me
            #expect(p3 == p[3])
            let tag = OutboxScenario.tag()

            // What only the front ends know: SMS codes for the patients the assistant will bind
            // are asked for while online.
            for phone in ["13800000025", "13800000026", "13800000027", "13800000028"] {
                try await assistant.sendVerifyCode(phone)
            }
            let fourPatients = Array(p[4...7])
            let pastOfOthers = try await doctor.upstreamInts(
                "SELECT id FROM diagnosis WHERE project_id IN (\(list(Array(ids.pastDone.prefix(4))))) AND user_id IN (\(list(Array(p[4...5])))) ORDER BY id")
            // Seen in the past days too; the patient of the workload rates the doctor for some of these.
            let pastOfOurs = try await doctor.upstreamInts(
                "SELECT id FROM diagnosis WHERE project_id IN (\(list(Array(ids.pastDone.prefix(4))))) AND user_id IN (\(p[0]), \(p[3])) ORDER BY id")
            let waitingToday = try await doctor.upstreamInts(
                "SELECT id FROM diagnosis WHERE project_id = ? AND verify_status = 1 AND status = 1 ORDER BY id", [ids.today])
            // The doctor's upcoming demo projects: bookings of patients nobody else in the workload touches.
            let rejecting = try await doctor.upstreamInts(
                """
                SELECT d.id FROM diagnosis d JOIN project p ON p.id = d.project_id
                WHERE d.doctor_user_id = ? AND p.date > ? AND p.status = 1 AND d.verify_status = 1 AND d.status = 1
                  AND d.user_id IN (\(list(Array(p[4...7])))) ORDER BY d.id
                """, [doctor.me, KindSpec.today])
            let ownPast = try await patient.upstreamInts(
                "SELECT id FROM diagnosis WHERE project_id IN (\(list(Array(ids.pastDone.prefix(4))))) AND user_id = ? ORDER BY project_id", [p3])
            let boundBookings = try await assistant.upstreamInts(
                """
                SELECT id FROM diagnosis WHERE project_id IN (\(list(ids.bookedUpcoming))) AND assistant_user_id = ?
                  AND user_id IN (\(list(Array(p[0...2])))) AND verify_status = 1 ORDER BY id
                """, [assistant.me])
            let leaving = try await doctor.upstreamInts(
                "SELECT id FROM org_member WHERE doctor_id = ? AND org_id IN (\(list(Array(ids.extraOrganisations.prefix(4))))) ORDER BY id", [doctor.me])
            #expect(pastOfOthers.count == 8)
            #expect(pastOfOurs.count == 8)
            #expect(waitingToday.count == 6)
            #expect(rejecting.count == 4)
            #expect(ownPast.count == 4)
            #expect(boundBookings.count == 9)
            #expect(leaving.count == 4)

            try await cast.goOffline()
            var submitted: [Submitted] = []
            func submit(_ index: Int, _ kind: MutationKind, _ parameters: [String: JSONValue], refusedWith code: Int? = nil) async throws -> OutboxEntry {
                let world = cast.worlds[index]
                let entries = try await world.outbox.submit(kind, parameters: parameters, context: world.context)
                submitted.append(Submitted(world: index, entries: entries, refusedWith: code))
                return try #require(entries.last)
            }

            // The doctor. (Chat messages are the dearest mutations to confirm: each read-back lists
            // the dialogs, every one presented with both users. So: fewer of them, in two dialogs,
            // and more of the doctor's desk.)
            var doctorChats: [(to: Int, content: String)] = []
            for index in 0..<34 {
                let to = p[index % 2]
                let content = "混合 \(tag) 医生→\(to) #\(index)"
                doctorChats.append((to, content))
                _ = try await submit(0, .sendChatMessage, ["to_user_id": .integer(to), "content": .string(content)])
            }
            var photoChats: [String] = []
            for index in 0..<2 {
                let content = "混合 \(tag) 医生→带图 #\(index)"
                photoChats.append(content)
                _ = try await submit(0, .sendChatMessage, ["to_user_id": .integer(p[index]), "content": .string(content), "photos": [OutboxScenario.photo]])
            }
            for booking in waitingToday {
                _ = try await submit(0, .markDiagnosisDone, ["diagnosis_id": .integer(booking)])
            }
            var ratings: [Int: (Int, Int)] = [:]
            for booking in waitingToday.prefix(3) {
                ratings[booking] = (5, 4)
                _ = try await submit(0, .ratePatient, ["diagnosis_id": .integer(booking), "honesty": 5, "punctuality": 4])
            }
            for booking in rejecting {
                _ = try await submit(0, .rejectDiagnosis, ["diagnosis_id": .integer(booking), "reason": .string("混合 \(tag) 改期")])
            }
            for (index, booking) in (pastOfOthers + pastOfOurs).enumerated() {
                let rating = (1 + index % 5, 5 - index % 5)
                ratings[booking] = rating
                _ = try await submit(0, .ratePatient, ["diagnosis_id": .integer(booking), "honesty": .integer(rating.0), "punctuality": .integer(rating.1)])
            }
            // Results, corrected afterwards (the last one stands), for the visits of the past days
            // and of today (after marking them done: the same chain).
            var results: [Int: String] = [:]
            for (booking, versions) in pastOfOthers.map({ ($0, 3) }) + pastOfOurs.map({ ($0, 2) }) + waitingToday.map({ ($0, 1) }) {
                for version in 1...versions {
                    results[booking] = "混合 \(tag) 诊断 \(booking) 第\(version)版"
                    _ = try await submit(0, .recordDiagnosisResult, ["diagnosis_id": .integer(booking), "result": .string(results[booking]!)])
                }
            }
            var published: [(text: String, cancelled: Bool)] = []
            for index in 0..<4 {
                let text = "混合 \(tag) 发布 #\(index)"
                let entry = try await submit(0, .publishProject, KindSpec.newProject(text))
                let cancelled = index < 2
                published.append((text, cancelled))
                if cancelled {
                    _ = try await submit(0, .cancelProject, ["project_id": .integer(try doctor.tempID(of: entry))])
                }
            }
            let joining = Array(ids.extraOrganisations.suffix(4))
            for organisation in joining {
                _ = try await submit(0, .joinOrganisation, ["organisation_id": .integer(organisation)])
            }
            for membership in leaving {
                _ = try await submit(0, .leaveOrganisation, ["membership_id": .integer(membership)])
            }

            // The patient.
            var patientChats: [String] = []
            for index in 0..<12 {
                let to = ids.doctors[index % 2 == 0 ? 0 : 2]
                let content = "混合 \(tag) 患者→\(to) #\(index)"
                patientChats.append(content)
                _ = try await submit(2, .sendChatMessage, ["to_user_id": .integer(to), "content": .string(content)])
            }
            for project in ids.emptyUpcoming {
                _ = try await submit(
                    2, .joinProject, ["project_id": .integer(project), "description": .string("混合 \(tag) 挂号"), "slot": .string(try await slot(project, 0))])
            }
            for project in ids.bookedUpcoming {
                _ = try await submit(2, .cancelProjectJoin, ["project_id": .integer(project)])
            }
            var doctorScores: [Int: Int] = [:]
            for (index, booking) in ownPast.enumerated() {
                doctorScores[booking] = 1 + index % 5
                _ = try await submit(2, .rateDoctor, ["diagnosis_id": .integer(booking), "score": .integer(1 + index % 5), "comment": .string("混合 \(tag) 好")])
            }
            // Provoked refusals: rating the same visit again (with another score), booking a full project.
            _ = try await submit(2, .rateDoctor, ["diagnosis_id": .integer(ownPast[0]), "score": 3, "comment": .string("混合 \(tag) 再评")], refusedWith: 4009)
            _ = try await submit(
                2, .joinProject, ["project_id": .integer(ids.full), "description": "混合：约满", "slot": .string(try await slot(ids.full, 0))], refusedWith: 4009)
            let followed = Array(ids.extraDoctors.suffix(5))
            for doctorID in followed {
                _ = try await submit(2, .follow, ["doctor_id": .integer(doctorID)])
            }
            _ = try await submit(2, .unfollow, ["doctor_id": .integer(ids.doctors[2])])
            let idno = try #require(try await patient.upstreamString("SELECT idno FROM user WHERE id = ?", [p3]))
            let names = (1...8).map { "吴婷\($0)" }
            for name in names {
                _ = try await submit(2, .completeProfile, KindSpec.patientProfile(name: name, idno: idno))
            }

            // The assistant.
            var created: [(idno: String, project: Int, cancelled: Bool)] = []
            for (index, project) in ids.emptyUpcoming.enumerated() {
                let newIDNo = OutboxScenario.idCardNumber()
                var profile = KindSpec.patientProfile(name: "混合新患者\(index)", idno: newIDNo)
                profile["password"] = "secret123"
                let patientEntry = try await submit(1, .createPatient, profile)
                let booking = try await submit(
                    1, .joinProjectForPatient,
                    [
                        "project_id": .integer(project), "patient_id": .integer(try assistant.tempID(of: patientEntry)),
                        "slot": .string(try await slot(project, 1)),
                    ])
                let cancelled = index < 2
                if cancelled {
                    _ = try await submit(1, .cancelForPatient, ["diagnosis_id": .integer(try assistant.tempID(of: booking))])
                }
                created.append((newIDNo, project, cancelled))
            }
            for phone in ["13800000025", "13800000026", "13800000027", "13800000028"] {
                _ = try await submit(1, .bindPatient, ["phone": .string(phone), "verify_code": "123456"])
            }
            var behalf: [(patient: Int, project: Int)] = []
            for (index, project) in ids.emptyUpcoming.enumerated() {
                // Places: the patient takes slot 0 of each, the new patients slot 1.
                let bookings = index < 2 ? [(p[0], 2), (p[2], 3)] : [(p[1], 2)]
                for (bound, slotIndex) in bookings {
                    behalf.append((bound, project))
                    _ = try await submit(
                        1, .joinProjectForPatient,
                        ["project_id": .integer(project), "patient_id": .integer(bound), "slot": .string(try await slot(project, slotIndex))])
                }
            }
            for booking in boundBookings {
                _ = try await submit(1, .cancelForPatient, ["diagnosis_id": .integer(booking)])
            }
            for doctorID in followed {
                _ = try await submit(1, .follow, ["doctor_id": .integer(doctorID)])
            }
            _ = try await submit(1, .unfollow, ["doctor_id": .integer(ids.doctors[1])])
            let assistantIDNo = try #require(try await assistant.upstreamString("SELECT idno FROM user WHERE id = ?", [assistant.me]))
            let teams = (1...6).map { "混合 \(tag) 志愿服务队 \($0)" }
            for team in teams {
                _ = try await submit(1, .completeProfile, ["real_name": "刘芳", "idno": .string(assistantIDNo), "team_name": .string(team)])
            }

            let mutations = submitted.count
            #expect(mutations >= 200, "at least two hundred mutations: \(mutations)")
            #expect(behalf.count == 6)

            // Still offline: a first drain meets refused connections; nothing is lost or parked.
            await cast.drainAll(maximumTurns: 2)
            try await cast.comeBack()
            for kind in Set(submitted.flatMap { $0.entries.compactMap { MutationKind(rawValue: $0.kind) } }) {
                let method = kind.endpoint.method.rawValue
                let path = kind.endpoint.path.template
                for action in [FaultRule.Action.resetAfterCommit, .resetBeforeHandler, .serverErrorBeforeHandler] {
                    await cast.addFault(FaultRule(action, method: method, path: path, rate: 0.1))
                }
            }
            let turns = await cast.drainAll()
            #expect(turns < 400, "the drain ends")
            await cast.removeFaults()

            // Every entry: applied, or refused as provoked.
            var faultsSeen = 0
            for item in submitted {
                let world = cast.worlds[item.world]
                for (position, entry) in item.entries.enumerated() {
                    let stored = try await world.stored(entry)
                    faultsSeen += stored.attempts - 1 + stored.checks
                    if let code = item.refusedWith, position == item.entries.count - 1 {
                        #expect(stored.state == .rejected, "\(entry.kind) #\(entry.id): \(stored.state)")
                        #expect(stored.errorCode == code)
                        #expect(stored.errorMessage?.isEmpty == false)
                    } else {
                        #expect(stored.state == .applied, "\(entry.kind) #\(entry.id): \(stored.state), \(stored.lastError ?? "")")
                    }
                }
            }
            #expect(faultsSeen > 20, "the faults were met: \(faultsSeen) extra sends and checks")

            // The upstream state, computed from the plan alone.
            let d0 = doctor.me
            for chat in doctorChats {
                #expect(
                    try await doctor.upstreamCount("chat_message", where: "from_user_id = ? AND to_user_id = ? AND content = ?", [d0, chat.to, chat.content])
                        == 1)
            }
            for content in photoChats {
                let photo = try await doctor.upstreamString("SELECT photo FROM chat_message WHERE content = ?", [content])
                #expect(photo?.contains("/uploads/") == true)
                #expect(try await doctor.upstreamCount("chat_message", where: "content = ?", [content]) == 1)
            }
            #expect(
                try await doctor.upstreamCount("chat_message", where: "from_user_id = ? AND content LIKE ?", [d0, "混合 \(tag)%"]) == doctorChats.count
                    + photoChats.count)
            for content in patientChats {
                #expect(try await patient.upstreamCount("chat_message", where: "from_user_id = ? AND content = ?", [p3, content]) == 1)
            }
            #expect(try await patient.upstreamCount("chat_message", where: "from_user_id = ? AND content LIKE ?", [p3, "混合 \(tag)%"]) == patientChats.count)
            for booking in waitingToday {
                #expect(try await doctor.upstreamCount("diagnosis", where: "id = ? AND status = 3", [booking]) == 1)
            }
            for (booking, rating) in ratings {
                #expect(
                    try await doctor.upstreamCount(
                        "diagnosis", where: "id = ? AND patient_credit_score = ? AND patient_punctuality_score = ?", [booking, rating.0, rating.1]) == 1)
            }
            for booking in rejecting {
                #expect(try await doctor.upstreamCount("diagnosis", where: "id = ? AND verify_status = 2 AND reject_msg = ?", [booking, "混合 \(tag) 改期"]) == 1)
            }
            for (booking, text) in results {
                #expect(try await doctor.upstreamCount("diagnosis", where: "id = ? AND diag_result = ?", [booking, text]) == 1)
            }
            for project in published {
                #expect(try await doctor.upstreamCount("project", where: "doctor_id = ? AND abstract = ?", [d0, project.text]) == 1, "published once")
                #expect(try await doctor.upstreamCount("project", where: "abstract = ? AND status = ?", [project.text, project.cancelled ? 0 : 1]) == 1)
            }
            for organisation in joining {
                #expect(try await doctor.upstreamCount("org_member", where: "org_id = ? AND doctor_id = ?", [organisation, d0]) == 1)
            }
            for membership in leaving {
                #expect(try await doctor.upstreamCount("org_member", where: "id = ?", [membership]) == 0)
            }

            for project in ids.emptyUpcoming {
                #expect(try await patient.upstreamCount("diagnosis", where: "project_id = ? AND user_id = ? AND verify_status = 1", [project, p3]) == 1)
            }
            for project in ids.bookedUpcoming {
                #expect(try await patient.upstreamCount("diagnosis", where: "project_id = ? AND user_id = ? AND verify_status = 1", [project, p3]) == 0)
                #expect(try await patient.upstreamCount("diagnosis", where: "project_id = ? AND user_id = ? AND verify_status = 3", [project, p3]) == 1)
            }
            #expect(try await patient.upstreamCount("diagnosis", where: "project_id = ? AND user_id = ?", [ids.full, p3]) == 0)
            for (booking, score) in doctorScores {
                #expect(
                    try await patient.upstreamCount("diagnosis", where: "id = ? AND doctor_score = ?", [booking, score]) == 1, "rated once, the first time")
            }
            for doctorID in followed {
                #expect(try await patient.upstreamCount("follow", where: "user_id = ? AND doctor_id = ?", [p3, doctorID]) == 1)
                #expect(try await assistant.upstreamCount("follow", where: "user_id = ? AND doctor_id = ?", [assistant.me, doctorID]) == 1)
            }
            #expect(try await patient.upstreamCount("follow", where: "user_id = ? AND doctor_id = ?", [p3, ids.doctors[2]]) == 0)
            #expect(try await assistant.upstreamCount("follow", where: "user_id = ? AND doctor_id = ?", [assistant.me, ids.doctors[1]]) == 0)
            #expect(try await patient.upstreamString("SELECT real_name FROM user WHERE id = ?", [p3]) == names.last)
            #expect(try await assistant.upstreamString("SELECT team_name FROM user WHERE id = ?", [assistant.me]) == teams.last)

            let a0 = assistant.me
            for patientCreated in created {
                #expect(try await assistant.upstreamCount("user", where: "idno = ?", [patientCreated.idno]) == 1, "created once")
                let newID = try #require(try await assistant.upstreamInt("SELECT id FROM user WHERE idno = ?", [patientCreated.idno]))
                #expect(try await assistant.upstreamCount("assistant_patient", where: "assistant_id = ? AND patient_id = ?", [a0, newID]) == 1)
                #expect(try await assistant.upstreamCount("diagnosis", where: "project_id = ? AND user_id = ?", [patientCreated.project, newID]) == 1)
                #expect(
                    try await assistant.upstreamCount(
                        "diagnosis", where: "project_id = ? AND user_id = ? AND assistant_user_id = ? AND verify_status = ?",
                        [patientCreated.project, newID, a0, patientCreated.cancelled ? 3 : 1]) == 1)
            }
            for bound in fourPatients {
                #expect(try await assistant.upstreamCount("assistant_patient", where: "assistant_id = ? AND patient_id = ?", [a0, bound]) == 1)
            }
            for booking in behalf {
                #expect(
                    try await assistant.upstreamCount(
                        "diagnosis", where: "project_id = ? AND user_id = ? AND assistant_user_id = ? AND verify_status = 1",
                        [booking.project, booking.patient, a0]) == 1)
            }
            for booking in boundBookings {
                #expect(try await assistant.upstreamCount("diagnosis", where: "id = ? AND verify_status = 3", [booking]) == 1)
            }
            // Nothing left pending in any mirror.
            for world in cast.worlds {
                let waiting = try await world.store.outboxEntries(states: [.queued, .inFlight, .unknown, .parked])
                #expect(waiting.isEmpty, "\(world.context.role): \(waiting.map(\.kind))")
            }
        }
    }
}
