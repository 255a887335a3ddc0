import Foundation
import GRDB
import Logging
import ReferenceServer
import Testing
import UpstreamClient
import VolunteerAPI

@testable import LocalAPI
@testable import LocalRPC

/// The waiting list is hot (docs/local-api.md, "Freshness"): a booking made upstream reaches a
/// doctor's and an assistant's kiosk with `sync.now` of the hot tier alone, without the warm
/// project list.
@Suite("Freshness of the waiting list")
struct FreshnessTests {
    /// Books the demo patient `patientPhone` into `project` upstream, as the patient itself or as
    /// its assistant `assistantPhone`; answers the booking's id.
    static func bookUpstream(_ world: AgentWorld, project: Int, patientPhone: String, assistantPhone: String? = nil) async throws -> Int {
        let client = UpstreamClient(configuration: UpstreamConfiguration(baseURL: world.running.api), logger: Logger(label: "booker"))
        let role: UserRole = assistantPhone == nil ? .patient : .assistant
        guard case .applied = await client.login(phone: assistantPhone ?? patientPhone, password: "demo123", role: role) else {
            try await client.shutdown()
            throw UnexpectedReply(reply: "login refused")
        }
        let shown = await client.call(.project, path: ["id": String(project)], as: Project.self)
        let slot = shown.payload?.planTime?.slots.first { $0.remaining > 0 }?.label ?? ""
        let outcome: UpstreamOutcome<JSONValue>
        if assistantPhone != nil {
            let patient = try #require(try await world.upstream("SELECT id FROM user WHERE phone = ? AND type = 1", [patientPhone]).first)
            outcome = await client.call(
                .joinProjectOnBehalf, path: ["id": String(project)], parameters: ["user_id": .integer(patient), "plan_time": .string(slot)],
                as: JSONValue.self)
        } else {
            outcome = await client.call(
                .projectJoin, path: ["id": String(project)], parameters: ["content": "想复查血压", "photo": [], "plan_time": .string(slot)],
                as: JSONValue.self)
        }
        try await client.shutdown()
        #expect(outcome.isSuccess, "\(outcome)")
        return try #require(
            try await world.upstream(
                "SELECT id FROM diagnosis WHERE project_id = ? AND user_id = (SELECT id FROM user WHERE phone = ? AND type = 1)", [project, patientPhone]
            ).max())
    }

    /// Logs in, waits for the first pull, books upstream, asks for the hot tier, and waits for the
    /// booking's notification; the project list (`projectList`) is not pulled again.
    static func hotTierBrings(
        account: JSONValue, lastStep: String, projectList: String, book: (AgentWorld) async throws -> (project: Int, booking: Int)
    ) async throws {
        try await AgentWorld.with { world in
            let client = try await world.client()
            try await ClinicDayTests.syncOnce(world, client, account, lastStep: lastStep)
            let before = try await client.result("status", id: 10)["last_pulls"]
            let (project, booking) = try await book(world)
            let earlier = try await ClinicDayTests.items(client, "projects.patients", ["project_id": .integer(project)])
            #expect(!earlier.isEmpty && !earlier.contains { $0["id"] == .integer(booking) }, "the project is mirrored, the booking not yet")
            _ = try await client.result("changes.subscribe", ["collections": ["diagnoses"]], id: 12)
            #expect(try await client.result("sync.now", ["tiers": ["hot"]], id: 13) == ["hot"])
            _ = try await client.notification { $0["params"]?["collection"] == "diagnoses" && $0["params"]?["id"] == .integer(booking) }
            let items = try await ClinicDayTests.items(client, "projects.patients", ["project_id": .integer(project)])
            #expect(items.contains { $0["id"] == .integer(booking) })
            let after = try await client.result("status", id: 14)["last_pulls"]
            #expect(
                after?[projectList] != nil && after?[projectList] == before?[projectList], "the project list itself is warm: not pulled by the hot tier")
            await client.close()
        }
    }

    @Test("a patient's booking of a doctor's upcoming clinic reaches the doctor with sync.now of the hot tier")
    func doctor() async throws {
        try await Self.hotTierBrings(account: SharedKioskTests.doctor, lastStep: "GET /doctor/index", projectList: "GET /doctor/project") { world in
            // An upcoming clinic of the doctor with bookings already, which 吴婷 has not booked.
            let project = try #require(
                try await world.upstream(
                    """
                    SELECT project.id FROM project WHERE doctor_id = (SELECT id FROM user WHERE phone = '13800000001') AND status = 1
                      AND date > date('now', '+8 hours') AND EXISTS (SELECT 1 FROM diagnosis WHERE project_id = project.id)
                      AND NOT EXISTS (SELECT 1 FROM diagnosis WHERE project_id = project.id AND user_id = (SELECT id FROM user WHERE phone = '13800000024'))
                    """
                ).min())
            return (project, try await Self.bookUpstream(world, project: project, patientPhone: "13800000024"))
        }
    }

    @Test("an assistant's booking made elsewhere reaches its kiosk with sync.now of the hot tier")
    func assistant() async throws {
        try await Self.hotTierBrings(account: SharedKioskTests.assistant, lastStep: "GET /assistant/center", projectList: "GET /assistant/project") {
            world in
            // An upcoming project the assistant has booked patients into, and one of its patients not booked there.
            let assistant = "(SELECT id FROM user WHERE phone = '13800000011')"
            let found = try await world.running.database.read { db -> (Int, String)? in
                try Row.fetchOne(
                    db,
                    sql: """
                        SELECT project.id AS project, patient.phone AS phone FROM project
                          JOIN assistant_patient ON assistant_patient.assistant_id = \(assistant)
                          JOIN user AS patient ON patient.id = assistant_patient.patient_id
                        WHERE project.status = 1 AND project.date > date('now', '+8 hours')
                          AND EXISTS (SELECT 1 FROM diagnosis WHERE project_id = project.id AND assistant_user_id = \(assistant))
                          AND NOT EXISTS (SELECT 1 FROM diagnosis WHERE project_id = project.id AND user_id = patient.id)
                        ORDER BY project.id, patient.id LIMIT 1
                        """
                ).map { ($0["project"], $0["phone"]) }
            }
            let (project, phone) = try #require(found)
            return (project, try await Self.bookUpstream(world, project: project, patientPhone: phone, assistantPhone: "13800000011"))
        }
    }
}
