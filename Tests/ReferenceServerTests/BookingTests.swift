import Foundation
import GRDB
import Testing
import VolunteerAPI

@testable import ReferenceServer

/// A booking's whole life through the public endpoints only: published, booked into a slot,
/// missed, then recorded late; and the slot plan the document's example implies.
@Suite("Booking life")
struct BookingTests {
    @Test("a booking nobody attends becomes a no-show when the project ends, and the doctor can still record the visit")
    func noShow() async throws {
        try await TestServer.withRunning { server in
            let doctor = try await server.account(.doctor, phone: "13700000001")
            let patient = try await server.account(.patient, phone: "13700000002")
            let tomorrow = APIClock.date(server.server.state.now.addingTimeInterval(24 * 3600))
            let project = try await server.call(
                .publishProject, [:],
                [
                    "date": .string(tomorrow), "begin": "09:00:00", "end": "10:00:00", "people_count": 4,
                    "lng": "116.40", "lat": "39.90", "addr": "社区卫生站", "service_target": ["老年人"],
                    "abstract": "高血压义诊", "price": 20,
                ], token: doctor.token
            ).payload(Project.self)
            #expect(project.planTime?.slots.map(\.label) == ["09:00:00 - 09:30:00", "09:30:00 - 10:00:00"])
            #expect(project.planTime?.slots.map(\.remaining) == [2, 2])

            _ = try await server.call(
                .projectJoin, ["id": String(project.id)], ["content": "头晕两周", "plan_time": "09:30:00 - 10:00:00"], token: patient.token
            ).payload(EmptyPayload.self)
            let booked = try await server.call(.project, ["id": String(project.id)], token: patient.token).payload(Project.self)
            #expect(booked.planTime?["09:30:00 - 10:00:00"] == 1 && booked.isJoined == 1 && booked.joinedCount == 1)

            server.server.advanceClock(by: 3 * 24 * 3600)
            // Tokens last seven days, so both are still good three days on.
            let missed = try await server.call(.patientDiagnoses, [:], ["type": 3], token: patient.token).payload(RecordList<Diagnosis>.self)
            let diagnosis = try #require(missed.records.first)
            #expect(missed.records.count == 1 && diagnosis.status == 2 && diagnosis.refundStatus == nil)
            let kept = try await server.database.count("diagnosis", where: "id = ? AND confirm_no_refund = 1", [diagnosis.id])
            #expect(kept == 1, "the deposit of a no-show is kept")

            _ = try await server.call(.markDiagnosisDone, ["id": String(diagnosis.id)], token: doctor.token).payload(EmptyPayload.self)
            let done = try await server.call(.diagnosis, ["id": String(diagnosis.id)], token: doctor.token).payload(Diagnosis.self)
            #expect(done.status == 3 && done.refundStatus == 1)
        }
    }

    @Test("the slot plan reproduces the document's example: 74 places in eleven slots")
    func documentExample() {
        // §2.2.8: 15:23:00 to 20:53:00, seven places in each of the first eight slots, six after.
        let plan = SlotPlan(begin: 15 * 3600 + 23 * 60, end: 20 * 3600 + 53 * 60, places: 74)
        #expect(plan.slots.count == 11)
        #expect(plan.slots.map(\.capacity) == Array(repeating: 7, count: 8) + Array(repeating: 6, count: 3))
        #expect(plan.slots.first?.label == "15:23:00 - 15:53:00" && plan.slots.last?.label == "20:23:00 - 20:53:00")
        #expect(plan.column.hasPrefix(#"{"15:23:00 - 15:53:00":7,"#))
        // Fewer places than slots: the empty slots are not offered.
        #expect(SlotPlan(begin: 9 * 3600, end: 11 * 3600, places: 2).slots.map(\.capacity) == [1, 1])
        #expect(SlotPlan(begin: 9 * 3600, end: 9 * 3600, places: 5).slots.isEmpty)
    }
}
