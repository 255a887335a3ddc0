import Foundation
import ReferenceServer
import Testing
import VolunteerAPI

@testable import LocalAPI
@testable import LocalRPC

/// The reads that are not mirrored (docs/local-api.md, "Every documented endpoint"): asked of
/// the upstream at once, they answer what it sends, its refusal by name, and a retryable error
/// when it cannot be reached.
@Suite("Online reads")
struct OnlineReadsTests {
    @Test("orders.query and users.lookup answer the upstream's data; a refusal is -32015; offline is -32013, retryable")
    func onlineReads() async throws {
        try await AgentWorld.with { world in
            let client = try await world.client()
            _ = try await client.result("session.login", SharedKioskTests.patient, id: 1)
            let patient = try #require(try await world.upstream("SELECT id FROM user WHERE phone = '13800000021' AND type = 1").first)
            let serial = try #require(
                try await world.running.database.read { db in
                    try String.fetchOne(db, sql: "SELECT sn FROM diagnosis WHERE user_id = ? AND sn IS NOT NULL ORDER BY id LIMIT 1", arguments: [patient])
                })
            let booking = try #require(try await world.upstream("SELECT id FROM diagnosis WHERE sn = ?", [serial]).first)
            #expect(try await client.result("orders.query", ["sn": .string(serial)], id: 2)["id"] == .integer(booking))
            let unknown = try await client.result("orders.query", ["sn": "no-such-order"], id: 3)
            #expect(unknown["id"] == nil, "a failed payment is the upstream's empty answer: \(unknown)")

            let doctor = try #require(try await world.upstream("SELECT id FROM user WHERE phone = '13800000001'").first)
            let found = try await client.result("users.lookup", ["user_id": .integer(doctor)], id: 4)
            #expect(found["real_name"] == "王建国" && found["token"] == nil)
            let refused = try await client.call("users.lookup", ["user_id": 999_999], id: 5)
            #expect(refused["error"]?["code"] == -32015 && refused["error"]?["data"]?["upstream_error_code"] != nil)
            #expect(try await client.call("orders.query", ["sn": ""], id: 6)["error"]?["code"] == -32602)

            await world.running.server.faults.add(FaultRule(.resetBeforeHandler))
            let offline = try await client.call("orders.query", ["sn": .string(serial)], id: 7)
            #expect(offline["error"]?["code"] == -32013 && offline["error"]?["data"]?["retryable"] == true)
            await world.running.server.faults.removeAll()

            _ = try await client.result("session.login", SharedKioskTests.doctor, id: 8)
            #expect(try await client.call("orders.query", ["sn": .string(serial)], id: 9)["error"]?["code"] == -32012)
            await client.close()
        }
    }
}
