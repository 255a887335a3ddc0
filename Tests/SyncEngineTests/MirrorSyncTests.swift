import Foundation
import GRDB
import Logging
import MirrorStore
import ReferenceServer
import ReferenceServerTestKit
import Testing
import UpstreamClient
import VolunteerAPI

@testable import SyncEngine

/// The pull side of sync, end to end: vdapi in-process with the demo world, the upstream
/// client over loopback, and the mirror in a real SQLite file.
@Suite("Mirror sync")
struct MirrorSyncTests {
    @Test("a doctor's mirror equals what vdapi holds for the doctor; a second sync writes nothing")
    func doctor() async throws {
        try await SyncWorld.withRunning("13800000001", .doctor) { world in
            let first = await world.puller.pullAll()
            #expect(first.failures.isEmpty && !first.authExpired)
            let me = world.userID
            let projects = try await world.upstream("SELECT id FROM project WHERE doctor_id = ?", [me])
            #expect(try await world.mirrored(.projects) == projects)
            #expect(
                try await world.mirrored(.diagnoses)
                    == world.upstream("SELECT id FROM diagnosis WHERE doctor_user_id = ?", [me]))
            let dialogs = try await world.upstream("SELECT id FROM chat_dialog WHERE doctor_user_id = ?", [me])
            #expect(try await world.mirrored(.chatDialogs) == dialogs)
            #expect(
                try await world.mirrored(.chatMessages)
                    == world.upstream("SELECT chat_message.id FROM chat_message JOIN chat_dialog ON chat_dialog.id = dialog_id WHERE doctor_user_id = ?", [me]))
            #expect(
                try await world.mirrored(.systemMessages)
                    == world.upstream("SELECT id FROM message WHERE to_user_id = ? OR to_user_id IS NULL", [me]))
            #expect(try await world.mirrored(.memberships) == world.upstream("SELECT id FROM org_member WHERE doctor_id = ?", [me]))
            #expect(try await world.mirrored(.hospitals) == world.upstream("SELECT id FROM hospital"))

            // Record by record: every list the doctor mirrors, read again, is what the mirror holds.
            #expect(try await world.recordsDifferingFromUpstream(role: .doctor) == [])
            // And each mirrored project is what GET /project/{id} answers now.
            for id in projects.sorted() {
                guard case .applied(let answer) = await world.client.callRaw(.project, path: ["id": String(id)]) else {
                    Issue.record("project \(id) not readable")
                    continue
                }
                let upstream = try JSONDecoder().decode(JSONValue.self, from: Data(answer.readableBytesView))["data"]
                #expect(try await world.store.raw(.projects, id: id) == CanonicalJSON.of(#require(upstream), kind: .project), "project \(id)")
            }

            let seq = try await world.store.lastSeq()
            let second = await world.puller.pullAll()
            #expect(second.entries.isEmpty, "nothing changed upstream: \(second.entries)")
            #expect(try await world.store.lastSeq() == seq)
            // The plan's minimum: one request per list (each fits one page), one per project's
            // patients, one per region with regions under it, one per patient whose booking of
            // today or later stands.
            let regions = try await world.upstream("SELECT id FROM city WHERE parent_id = 0 OR parent_id IN (SELECT id FROM city WHERE parent_id = 0)")
            let booked = try await world.upstream(
                "SELECT DISTINCT user_id FROM diagnosis JOIN project ON project.id = project_id WHERE project.doctor_id = ? AND project.date >= date('now', '+8 hours') AND verify_status = ?",
                [me, BookingStatus.booked.rawValue])
            let minimum = PullPlan.steps(for: .doctor, userID: me).count + projects.count + regions.count + booked.count
            #expect(second.requests == minimum && second.requests < first.requests)
        }
    }

    @Test("a patient's and an assistant's mirrors equal what vdapi holds for them")
    func patientAndAssistant() async throws {
        try await SyncWorld.withRunning("13800000021", .patient) { world in
            let report = await world.puller.pullAll()
            #expect(report.failures.isEmpty)
            #expect(try await world.mirrored(.diagnoses) == world.upstream("SELECT id FROM diagnosis WHERE user_id = ?", [world.userID]))
            #expect(try await world.mirrored(.chatDialogs) == world.upstream("SELECT id FROM chat_dialog WHERE patient_user_id = ?", [world.userID]))
            let followed = try await world.upstream("SELECT doctor_id FROM follow WHERE user_id = ?", [world.userID])
            #expect(followed.isSubset(of: try await world.mirrored(.users)))
            #expect(try await world.recordsDifferingFromUpstream(role: .patient) == [])
            #expect(await world.puller.pullAll().entries.isEmpty)
        }
        try await SyncWorld.withRunning("13800000011", .assistant) { world in
            let report = await world.puller.pullAll()
            #expect(report.failures.isEmpty)
            #expect(
                try await world.mirrored(.diagnoses)
                    == world.upstream(
                        "SELECT id FROM diagnosis WHERE assistant_user_id = ? AND project_id IN (SELECT project_id FROM diagnosis WHERE assistant_user_id = ? AND verify_status = 1)",
                        [world.userID, world.userID]))
            let bound = try await world.upstream("SELECT patient_id FROM assistant_patient WHERE assistant_id = ?", [world.userID])
            #expect(bound.isSubset(of: try await world.mirrored(.users)))
            #expect(try await world.recordsDifferingFromUpstream(role: .assistant) == [])
            #expect(await world.puller.pullAll().entries.isEmpty)
        }
    }

    @Test("changes made upstream arrive on the next sync as exactly their journal entries")
    func changesArrive() async throws {
        try await SyncWorld.withRunning("13800000001", .doctor) { world in
            _ = await world.puller.pullAll()

            // A patient writes in an existing dialog: the dialog moves, one message arrives.
            let patient = try await world.other("13800000021", .patient)
            let dialog = try #require(try await world.upstream("SELECT id FROM chat_dialog WHERE doctor_user_id = ?", [world.userID]).min())
            let sent = await patient.call(
                .sendChatMessage, parameters: ["content": "今天下午还能看吗？", "photo": [], "type": 1, "to_user_id": .integer(world.userID)],
                as: RecordList<ChatMessage>.self)
            try await patient.shutdown()
            #expect(sent.isSuccess)
            let chat = await world.puller.pullAll()
            #expect(chat.entries.filter { $0.collection == .chatMessages }.map(\.operation) == [.insert])
            #expect(chat.entries.contains { $0.collection == .chatDialogs && $0.recordID == dialog && $0.operation == .update })
            #expect(chat.entries.allSatisfy { $0.collection == .chatMessages || $0.collection == .chatDialogs })

            // The doctor marks a booking of today's clinic done: that diagnosis changes.
            let waiting = try #require(
                try await world.upstream(
                    "SELECT diagnosis.id FROM diagnosis JOIN project ON project.id = project_id WHERE project.doctor_id = ? AND project.status = 1 AND project.date = date('now', '+8 hours') AND project.begin <= time('now', '+8 hours') AND verify_status = 1 AND diagnosis.status = 1",
                    [world.userID]
                ).min())
            #expect(await world.client.call(.markDiagnosisDone, path: ["id": String(waiting)], as: EmptyPayload.self).isSuccess)
            let done = await world.puller.pullAll()
            #expect(done.entries.contains { $0.collection == .diagnoses && $0.recordID == waiting && $0.operation == .update })
            #expect(!done.entries.contains { $0.operation != .update }, "a visit recorded adds and removes nothing")
            #expect(try await world.store.raw(.diagnoses, id: waiting)?["status"] == .integer(3))

            // 60 new system messages: newest first, over two pages, all arrive.
            try await world.running.database.write { db in
                for index in 1...60 {
                    try db.execute(
                        sql: "INSERT INTO message (type, to_user_id, title, content, publish_time) VALUES (1, ?, ?, '内容', '2099-01-01 00:00:00')",
                        arguments: [world.userID, "通知 \(index)"])
                }
            }
            let messages = await world.puller.pullAll()
            #expect(messages.entries.count == 60 && messages.entries.allSatisfy { $0.collection == .systemMessages && $0.operation == .insert })

            // The doctor cancels an upcoming project with bookings: it and each booking change.
            let project = try #require(
                try await world.upstream(
                    "SELECT project.id FROM project WHERE doctor_id = ? AND status = 1 AND date > date('now', '+8 hours') AND EXISTS (SELECT 1 FROM diagnosis WHERE project_id = project.id AND verify_status = 1)",
                    [world.userID]
                ).min())
            let bookings = try await world.upstream("SELECT id FROM diagnosis WHERE project_id = ? AND verify_status = 1", [project])
            #expect(await world.client.call(.cancelProject, path: ["id": String(project)], as: EmptyPayload.self).isSuccess)
            let cancelled = await world.puller.pullAll()
            #expect(cancelled.entries.contains { $0.collection == .projects && $0.recordID == project && $0.operation == .update })
            // Each booking changes, and so does every diagnosis of those patients with this doctor:
            // a diagnosis shows its patient's counts, which the cancellation moved.
            let ids = bookings.sorted().map(String.init).joined(separator: ",")
            let affected = try await world.upstream(
                "SELECT id FROM diagnosis WHERE doctor_user_id = ? AND user_id IN (SELECT user_id FROM diagnosis WHERE id IN (\(ids)))",
                [world.userID])
            #expect(bookings.isSubset(of: affected))
            #expect(Set(cancelled.entries.filter { $0.collection == .diagnoses }.map(\.recordID)) == affected)
            #expect(!cancelled.entries.contains { $0.operation != .update })
        }
    }

    @Test("the doctor's waiting list is hot: a booking made and a visit recorded upstream arrive with a pull of the hot tier alone")
    func waitingListIsHot() async throws {
        try await SyncWorld.withRunning("13800000001", .doctor) { world in
            _ = await world.puller.pullAll()
            // Upstream, a patient books an upcoming clinic of this doctor, and the doctor records a visit today.
            let project = try #require(
                try await world.upstream(
                    """
                    SELECT project.id FROM project WHERE doctor_id = ? AND status = 1 AND date > date('now', '+8 hours')
                      AND NOT EXISTS (SELECT 1 FROM diagnosis WHERE project_id = project.id AND verify_status = 1
                                      AND user_id = (SELECT id FROM user WHERE phone = '13800000025' AND type = 1))
                    """, [world.userID]
                ).min())
            let patient = try await world.other("13800000025", .patient)
            let shown = await patient.call(.project, path: ["id": String(project)], as: Project.self)
            let slot = try #require(shown.payload?.planTime?.slots.first { $0.remaining > 0 }?.label, "a free slot: \(shown)")
            let joined = await patient.call(
                .projectJoin, path: ["id": String(project)], parameters: ["content": "想复查血压", "photo": [], "plan_time": .string(slot)],
                as: JSONValue.self)
            try await patient.shutdown()
            #expect(joined.isSuccess, "\(joined)")
            let booking = try #require(
                try await world.upstream(
                    "SELECT id FROM diagnosis WHERE project_id = ? AND user_id = (SELECT id FROM user WHERE phone = '13800000025' AND type = 1) AND verify_status = 1",
                    [project]
                ).max())
            let waiting = try #require(
                try await world.upstream(
                    "SELECT diagnosis.id FROM diagnosis JOIN project ON project.id = project_id WHERE project.doctor_id = ? AND project.status = 1 AND project.date = date('now', '+8 hours') AND project.begin <= time('now', '+8 hours') AND verify_status = 1 AND diagnosis.status = 1",
                    [world.userID]
                ).min())
            #expect(await world.client.call(.markDiagnosisDone, path: ["id": String(waiting)], as: EmptyPayload.self).isSuccess)

            let hot = await world.puller.pullAll(tiers: [.hot])
            #expect(hot.entries.contains { $0.collection == .diagnoses && $0.recordID == booking && $0.operation == .insert }, "the new booking")
            #expect(try await world.store.raw(.diagnoses, id: waiting)?["status"] == .integer(3), "the visit recorded")
            #expect(!hot.entries.contains { $0.collection == .projects }, "the project list itself is warm")
        }
    }

    @Test("a follow removed upstream leaves the follow list; a person no list holds any more is deleted from the mirror")
    func followRemoved() async throws {
        try await SyncWorld.withRunning("13800000021", .patient) { world in
            _ = await world.puller.pullAll()
            let doctor = try #require(try await world.upstream("SELECT doctor_id FROM follow WHERE user_id = ?", [world.userID]).min())
            let follows = PullStep(.patientFollows, into: .users, paging: .complete).listKey
            #expect(await world.client.call(.unfollow, path: ["id": String(doctor)], as: EmptyPayload.self).isSuccess)
            _ = await world.puller.pullAll()
            #expect(try await !world.store.members(of: follows, collection: .users).contains(doctor))
            // The doctor directory still holds the doctor; once it does not either (an unnamed
            // account is not listed), the record goes.
            #expect(try await world.mirrored(.users).contains(doctor))
            try await world.running.database.write { db in try db.execute(sql: "UPDATE user SET real_name = NULL WHERE id = ?", arguments: [doctor]) }
            let report = await world.puller.pullAll()
            #expect(report.entries.contains { $0.collection == .users && $0.recordID == doctor && $0.operation == .delete })
            #expect(try await !world.mirrored(.users).contains(doctor))
        }
    }

    @Test("the upstream failing mid-sync leaves the mirror intact; the next sync completes it")
    func failureMidSync() async throws {
        try await SyncWorld.withRunning("13800000001", .doctor) { world in
            _ = await world.puller.pullAll()
            let dialogsBefore = try await world.mirrored(.chatDialogs)
            try await world.running.database.write { db in
                try db.execute(
                    sql: "INSERT INTO message (type, to_user_id, title, content, publish_time) VALUES (1, ?, '新通知', '内容', '2099-01-01 00:00:00')",
                    arguments: [world.userID])
            }
            await world.running.server.faults.add(FaultRule(.resetBeforeHandler, method: "GET", path: "/message", times: 1))
            let broken = await world.puller.pullAll()
            #expect(broken.failures.contains("GET /message"))
            #expect(!broken.entries.contains { $0.collection == .systemMessages })
            #expect(try await world.mirrored(.chatDialogs) == dialogsBefore, "the rest of the mirror is untouched")
            let healed = await world.puller.pullAll()
            #expect(healed.failures.isEmpty)
            #expect(healed.entries.filter { $0.collection == .systemMessages }.map(\.operation) == [.insert])
        }
    }

    @Test("an expired token stops the pull and is reported; pulling resumes after a new login")
    func expiredToken() async throws {
        try await SyncWorld.withRunning("13800000001", .doctor) { world in
            _ = await world.puller.pullAll()
            world.running.server.advanceClock(by: 8 * 24 * 3600)
            let expired = await world.puller.pullAll()
            #expect(expired.authExpired && expired.entries.isEmpty && expired.requests == 1)
            guard case .applied = await world.client.login(phone: "13800000001", password: "demo123", role: .doctor) else {
                Issue.record("login failed")
                return
            }
            let resumed = await world.puller.pullAll()
            #expect(!resumed.authExpired && resumed.failures.isEmpty)
        }
    }
}
