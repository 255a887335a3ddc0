import Foundation
import MirrorStore
import ReferenceServer
import Testing
import UpstreamClient
import VolunteerAPI

@testable import SyncEngine

/// Records created offline: temporary ids at once, dependents waiting in their chain and
/// rewritten with the server's ids; photos kept as blobs, uploaded first, their URLs carried by
/// the mutations that show them.
@Suite("Outbox: records created offline")
struct OutboxTempIDTests {
    @Test("a patient created offline gets a temporary id; its booking, and the booking's cancellation, wait and carry the real ids")
    func patientCreatedOffline() async throws {
        try await OutboxScenario.withCast([.assistant]) { cast in
            let world = cast.worlds[0]
            let project = cast.ids.emptyUpcoming[0]
            let slot = try #require(try await RichDemo.freeSlot(cast.database, project))
            let idno = OutboxScenario.idCardNumber()
            var profile = KindSpec.patientProfile(name: "矩阵临时患者", idno: idno)
            profile["password"] = "secret123"

            try await cast.goOffline()
            let created = try await world.submit(.createPatient, profile)
            let patient = try world.tempID(of: created)
            #expect(patient < 0, "a temporary id at once")
            #expect(try await world.store.raw(.users, id: patient)?["real_name"] == "矩阵临时患者")
            #expect(try await world.store.isPending(.users, id: patient))
            let patientsList = PullStep(.assistantPatients, into: .users, paging: .complete).listKey
            #expect(try await world.store.members(of: patientsList, collection: .users).contains(patient))

            let booking = try await world.submit(
                .joinProjectForPatient, ["project_id": .integer(project), "patient_id": .integer(patient), "slot": .string(slot)])
            #expect(booking.chains.contains("patient:\(patient)"), "the booking waits for the patient")
            let diagnosis = try world.tempID(of: booking)
            #expect(diagnosis < 0)
            #expect(try await world.store.raw(.diagnoses, id: diagnosis)?["user_info"]?["id"] == .integer(patient))
            let cancel = try await world.submit(.cancelForPatient, ["diagnosis_id": .integer(diagnosis)])
            #expect(cancel.chains.contains("diagnosis:\(diagnosis)"), "the cancellation waits for the booking")
            #expect(try await world.store.raw(.diagnoses, id: diagnosis)?["verify_status"] == 3, "both shown at once")

            for _ in 0..<2 { await world.replayer.drainReady() }
            #expect(try await world.stored(created).attempts == 2)
            #expect(try await world.stored(booking).attempts == 0, "never sent before its patient exists")
            #expect(try await world.stored(cancel).attempts == 0)

            try await cast.comeBack()
            // The API answers the creation with `{}`; losing even that answer changes nothing: the
            // patient is found by its ID-card number.
            await cast.addFault(FaultRule(.resetAfterCommit, method: "POST", path: "/assistant/create/patient", times: 1))
            await world.drain()
            for entry in [created, booking, cancel] {
                let stored = try await world.stored(entry)
                #expect(stored.state == .applied, "\(entry.kind): \(stored.lastError ?? "")")
            }
            let real = try #require(try await world.upstreamInt("SELECT id FROM user WHERE type = 1 AND idno = ?", [idno]))
            #expect(try await world.upstreamCount("user", where: "idno = ?", [idno]) == 1, "created once")
            if case .createPatient(let sent, _)? = Replayer.decode(try await world.stored(created)) {
                #expect(sent.password.isEmpty, "the new patient's password is not kept once applied")
            } else {
                Issue.record("the creation entry no longer reads as a creation")
            }
            #expect(try await world.store.realID(forTemp: patient) == real)
            #expect(try await world.store.raw(.users, id: patient) == nil, "the temporary record gives way")
            #expect(try await world.store.raw(.users, id: real)?["id"] == .integer(real), "to the server's")
            #expect(try await !world.store.isPending(.users, id: real))
            // And in the lists that showed it: the assistant's patients show the server's record
            // at once, not nothing until the next pull of the list (found by the kiosk's walk-in).
            let members = try await world.store.members(of: patientsList, collection: .users)
            #expect(members.contains(real) && !members.contains(patient))

            let upstreamBooking = try #require(
                try await world.upstreamInt(
                    "SELECT id FROM diagnosis WHERE project_id = ? AND user_id = ? AND assistant_user_id = ?", [project, real, world.me]))
            #expect(try await world.upstreamCount("diagnosis", where: "project_id = ? AND user_id = ?", [project, real]) == 1, "booked once")
            #expect(try await world.upstreamCount("diagnosis", where: "id = ? AND verify_status = 3", [upstreamBooking]) == 1, "and cancelled")
            #expect(try await world.store.realID(forTemp: diagnosis) == upstreamBooking)
            if case .joinProjectForPatient(_, let sentPatient, _, _)? = Replayer.decode(try await world.stored(booking)) {
                #expect(sentPatient == real, "the booking was rewritten with the real patient id")
            } else {
                Issue.record("the booking entry no longer reads as a booking")
            }
            #expect(try await world.store.raw(.diagnoses, id: diagnosis) == nil)
            let mirrored = try await world.store.raw(.diagnoses, id: upstreamBooking)
            #expect(mirrored?["verify_status"] == 3)
            #expect(mirrored?["user_info"]?["id"] == .integer(real))
            #expect(try await !world.store.isPending(.diagnoses, id: upstreamBooking))
        }
    }

    @Test("a project published offline and cancelled offline is published once, then cancelled, under its real id")
    func projectPublishedAndCancelledOffline() async throws {
        try await OutboxScenario.withCast([.doctor]) { cast in
            let world = cast.worlds[0]
            let text = "矩阵：离线发布又取消 " + OutboxScenario.tag()
            try await cast.goOffline()
            let published = try await world.submit(.publishProject, KindSpec.newProject(text))
            let project = try world.tempID(of: published)
            let cancelled = try await world.submit(.cancelProject, ["project_id": .integer(project)])
            #expect(cancelled.chains.contains("project:\(project)"))
            #expect(try await world.store.raw(.projects, id: project)?["status"] == 0, "published and cancelled, shown at once")
            try await cast.comeBack()
            await cast.addFault(FaultRule(.resetAfterCommit, method: "POST", path: "/project", times: 1))
            await world.drain()
            #expect(try await world.stored(published).state == .applied)
            #expect(try await world.stored(cancelled).state == .applied)
            let real = try #require(try await world.store.realID(forTemp: project))
            #expect(try await world.upstreamCount("project", where: "doctor_id = ? AND abstract = ?", [world.me, text]) == 1, "published once")
            #expect(try await world.upstreamCount("project", where: "id = ? AND abstract = ? AND status = 0", [real, text]) == 1)
            #expect(try await world.store.raw(.projects, id: project) == nil)
            #expect(try await world.store.raw(.projects, id: real)?["status"] == 0)
            #expect(try await !world.store.isPending(.projects, id: real))
        }
    }

    @Test("photos taken offline are uploaded first; the chat message, the diagnosis result and the booking carry their URLs")
    func photosUploadedFirst() async throws {
        try await OutboxScenario.withCast([.doctor, .patient]) { cast in
            let doctor = cast.worlds[0]
            let patient = cast.worlds[1]
            let seen = try #require(
                try await doctor.upstreamInt(
                    "SELECT id FROM diagnosis WHERE doctor_user_id = ? AND verify_status = 1 AND status = 3 ORDER BY id DESC LIMIT 1", [doctor.me]))
            let project = try #require(try await KindSpec.openProject(patient, for: patient.me))
            let slot = try #require(try await RichDemo.freeSlot(cast.database, project))
            let chat = "矩阵：请看这张化验单 " + OutboxScenario.tag()
            let result = "矩阵：见附图 " + OutboxScenario.tag()
            let description = "矩阵：皮疹照片 " + OutboxScenario.tag()

            try await cast.goOffline()
            let submitted: [[OutboxEntry]] = [
                try await doctor.outbox.submit(
                    .sendChatMessage, parameters: ["to_user_id": .integer(patient.me), "content": .string(chat), "photos": [OutboxScenario.photo]],
                    context: doctor.context),
                try await doctor.outbox.submit(
                    .recordDiagnosisResult, parameters: ["diagnosis_id": .integer(seen), "result": .string(result), "photos": [OutboxScenario.photo]],
                    context: doctor.context),
                try await patient.outbox.submit(
                    .joinProject,
                    parameters: [
                        "project_id": .integer(project), "description": .string(description), "slot": .string(slot), "photos": [OutboxScenario.photo],
                    ], context: patient.context),
            ]
            for entries in submitted {
                #expect(entries.count == 2, "the upload, then its dependent")
                #expect(entries.first?.kind == MutationKind.uploadPhoto.rawValue)
                if let upload = entries.first, let dependent = entries.last {
                    #expect(dependent.chains.contains("upload:\(upload.id)"), "the dependent waits for its upload")
                }
            }
            try await cast.comeBack()
            // One upload's answer is lost: it is sent again (no read shows an upload), and its
            // dependent carries the URL of the copy that was answered.
            await cast.addFault(FaultRule(.resetAfterCommit, method: "POST", path: "/imgupload", times: 1))
            await cast.drainAll()

            var urls: [String] = []
            for (index, entries) in submitted.enumerated() {
                let world = index < 2 ? doctor : patient
                let upload = try await world.stored(try #require(entries.first))
                let dependent = try await world.stored(try #require(entries.last))
                #expect(upload.state == .applied)
                #expect(dependent.state == .applied, "\(dependent.kind): \(dependent.lastError ?? "")")
                guard case .string(let url)? = upload.result?["url"] else {
                    Issue.record("the upload kept no URL")
                    continue
                }
                #expect(url.contains("/uploads/"))
                urls.append(url)
                let name = String(url.split(separator: "/").last ?? "")
                #expect(try await world.upstreamCount("upload", where: "name = ? AND bytes = ?", [name, OutboxScenario.png]) == 1, "the bytes are served")
            }
            try #require(urls.count == 3)
            let chatPhotos = try await doctor.upstreamString("SELECT photo FROM chat_message WHERE content = ?", [chat])
            #expect(chatPhotos?.contains(urls[0]) == true)
            #expect(try await doctor.upstreamCount("chat_message", where: "content = ?", [chat]) == 1)
            let resultPhotos = try await doctor.upstreamString("SELECT diag_photo FROM diagnosis WHERE id = ? AND diag_result = ?", [seen, result])
            #expect(resultPhotos?.contains(urls[1]) == true)
            let casebookPhotos = try await patient.upstreamString("SELECT photo FROM casebook WHERE content = ?", [description])
            #expect(casebookPhotos?.contains(urls[2]) == true)
            #expect(try await patient.upstreamCount("diagnosis", where: "project_id = ? AND user_id = ? AND verify_status = 1", [project, patient.me]) == 1)
        }
    }
}
