import Foundation
import MirrorStore
import ReferenceServer
import Testing
import UpstreamClient
import VolunteerAPI

@testable import SyncEngine

/// The doctor's mutations against vdapi: each applied online with exactly one effect upstream,
/// its optimistic effect shown pending at once, and the record refreshed once applied.
@Suite("Outbox: doctor")
struct OutboxDoctorTests {
    /// A waiting booking of the doctor's clinic that is in progress (so it may be marked done).
    static func waitingBooking(_ world: OutboxWorld) async throws -> Int {
        try #require(
            try await world.world.running.database.read { db in
                try Int.fetchOne(
                    db,
                    sql: """
                        SELECT d.id FROM diagnosis d JOIN project p ON p.id = d.project_id
                        WHERE d.doctor_user_id = ? AND d.verify_status = 1 AND d.status = 1 AND p.status = 1
                          AND p.date = date('now', '+8 hours') ORDER BY d.id LIMIT 1
                        """, arguments: [world.world.userID])
            })
    }

    @Test("marking a booking done is shown pending at once and applied exactly once")
    func markDone() async throws {
        try await OutboxWorld.withRunning("13800000001", .doctor) { world in
            let booking = try await Self.waitingBooking(world)
            let entry = try await world.submit(.markDiagnosisDone, ["diagnosis_id": .integer(booking)])
            #expect(entry.state == .queued)
            #expect(try await world.store.raw(.diagnoses, id: booking)?["status"] == 3)
            #expect(try await world.store.isPending(.diagnoses, id: booking))
            await world.drain()
            #expect(try await world.state(entry) == .applied)
            #expect(try await world.upstreamCount("diagnosis", where: "id = ? AND status = 3", [booking]) == 1)
            #expect(try await !world.store.isPending(.diagnoses, id: booking))
            #expect(try await world.store.raw(.diagnoses, id: booking)?["status"] == 3)
        }
    }

    @Test("a reply lost after the server committed is resolved by reading: one effect, applied")
    func replyLost() async throws {
        try await OutboxWorld.withRunning("13800000001", .doctor) { world in
            let booking = try await Self.waitingBooking(world)
            await world.world.running.server.faults.add(FaultRule(.resetAfterCommit, path: "/diagnoses/{id}/done", times: 1))
            let entry = try await world.submit(.markDiagnosisDone, ["diagnosis_id": .integer(booking)])
            await world.drain()
            let stored = try #require(try await world.store.outboxEntry(entry.id))
            #expect(stored.state == .applied)
            #expect(stored.attempts == 1)
            #expect(stored.checks == 0)
        }
    }

    @Test("a chat message sent with its reply lost twice is sent once")
    func chatReplyLost() async throws {
        try await OutboxWorld.withRunning("13800000001", .doctor) { world in
            let patient = try #require(
                try await world.world.running.database.read { db in
                    try Int.fetchOne(db, sql: "SELECT patient_user_id FROM chat_dialog WHERE doctor_user_id = ? LIMIT 1", arguments: [world.world.userID])
                })
            let before = try await world.upstreamCount("chat_message", where: "from_user_id = ?", [world.world.userID])
            await world.world.running.server.faults.add(FaultRule(.resetAfterCommit, method: "POST", path: "/chat", times: 1))
            let entry = try await world.submit(.sendChatMessage, ["to_user_id": .integer(patient), "content": "明天上午九点复诊"])
            #expect(entry.id > 0)
            await world.drain()
            #expect(try await world.state(entry) == .applied)
            #expect(try await world.upstreamCount("chat_message", where: "from_user_id = ?", [world.world.userID]) == before + 1)
        }
    }
    @Test("chat messages are confirmed from the send's own answer, without reading the chat back")
    func chatConfirmedFromAnswer() async throws {
        try await OutboxWorld.withRunning("13800000001", .doctor) { world in
            let patients = try await world.world.running.database.read { db in
                try Int.fetchAll(
                    db, sql: "SELECT DISTINCT patient_user_id FROM chat_dialog WHERE doctor_user_id = ? ORDER BY patient_user_id LIMIT 3",
                    arguments: [world.world.userID])
            }
            try #require(patients.count >= 2)
            // Any read of the chat fails: a confirmation can only come from the answers.
            await world.world.running.server.faults.add(FaultRule(.serverErrorBeforeHandler, method: "GET", path: "/chat"))
            await world.world.running.server.faults.add(FaultRule(.serverErrorBeforeHandler, method: "GET", path: "/chat/{id}"))
            let before = try await world.upstreamCount("chat_message", where: "from_user_id = ?", [world.world.userID])
            var entries: [OutboxEntry] = []
            for (index, patient) in patients.enumerated() {
                for text in ["复诊提醒 \(index)", "复诊提醒 \(index)", "请按时服药"] {
                    entries.append(try await world.submit(.sendChatMessage, ["to_user_id": .integer(patient), "content": .string(text)]))
                }
            }
            await world.drain()
            var ids: Set<Int> = []
            for entry in entries {
                let stored = try #require(try await world.store.outboxEntry(entry.id))
                #expect(stored.state == .applied)
                guard case .integer(let id)? = stored.result?["id"] else {
                    Issue.record("entry \(entry.id) has no message id")
                    continue
                }
                ids.insert(id)
                #expect(try await world.upstreamCount("chat_message", where: "id = ? AND from_user_id = ?", [id, world.world.userID]) == 1)
            }
            #expect(ids.count == entries.count, "each entry claimed its own message, identical texts included")
            #expect(try await world.upstreamCount("chat_message", where: "from_user_id = ?", [world.world.userID]) == before + entries.count)
        }
    }
}
