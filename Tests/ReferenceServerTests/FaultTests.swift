import AsyncHTTPClient
import Foundation
import GRDB
import NIOCore
import Testing
import VolunteerAPI

@testable import ReferenceServer

/// Fault injection over real HTTP: each fault is seen by a client as a real server failure
/// would be, and the server's state shows whether the handler ran.
@Suite("Fault injection")
struct FaultTests {
    /// Asks for an SMS code: a write whose effect is one `verify_code` row.
    private func requestCode(_ server: TestServer, _ phone: String) async throws -> APIAnswer {
        try await server.call(.sendVerifyCode, [:], ["phone": .string(phone)])
    }

    /// The same request as `requestCode`, built by hand, for tests that set their own timeout.
    private func codeRequest(_ server: TestServer, _ phone: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: server.api.absoluteString + "/phone/verifycode")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: #"{"phone":"\#(phone)"}"#))
        return request
    }

    private func codes(_ server: TestServer, _ phone: String) async throws -> Int {
        try await server.database.count("verify_code", where: "phone = ?", [phone])
    }

    @Test("a reset before the handler: the client sees a failed connection, nothing happened")
    func resetBefore() async throws {
        try await TestServer.withRunning { server in
            await server.server.faults.add(FaultRule(.resetBeforeHandler, method: "POST", path: "/phone/verifycode", times: 1))
            await #expect(throws: (any Error).self) { try await requestCode(server, "13900000001") }
            let stored = try await codes(server, "13900000001")
            #expect(stored == 0)
            // One-shot: the next call goes through.
            _ = try await requestCode(server, "13900000001").payload(EmptyPayload.self)
            let storedAfterRetry = try await codes(server, "13900000001")
            #expect(storedAfterRetry == 1)
        }
    }

    @Test("a reset after commit: the client sees a failed connection, the effect stands")
    func resetAfter() async throws {
        try await TestServer.withRunning { server in
            await server.server.faults.add(FaultRule(.resetAfterCommit, path: "/phone/verifycode", times: 1))
            await #expect(throws: (any Error).self) { try await requestCode(server, "13900000002") }
            let stored = try await codes(server, "13900000002")
            #expect(stored == 1)
        }
    }

    @Test("5xx before the handler changes nothing; 5xx after commit hides an effect that stands")
    func serverErrors() async throws {
        try await TestServer.withRunning { server in
            await server.server.faults.add(FaultRule(.serverErrorBeforeHandler, path: "/phone/verifycode", times: 1, status: 503))
            let before = try await requestCode(server, "13900000003")
            #expect(before.status == 503)
            let stored = try await codes(server, "13900000003")
            #expect(stored == 0)

            await server.server.faults.add(FaultRule(.serverErrorAfterCommit, path: "/phone/verifycode", times: 1))
            let after = try await requestCode(server, "13900000003")
            #expect(after.status == 502)
            let storedAfterCommit = try await codes(server, "13900000003")
            #expect(storedAfterCommit == 1)
        }
    }

    @Test("a truncated body: the client cannot read the answer, the effect stands")
    func truncated() async throws {
        try await TestServer.withRunning { server in
            await server.server.faults.add(FaultRule(.truncateBody, path: "/phone/verifycode", times: 1))
            await #expect(throws: (any Error).self) { try await requestCode(server, "13900000004") }
            let stored = try await codes(server, "13900000004")
            #expect(stored == 1)
        }
    }

    @Test("a hang holds the request past the client's timeout; the handler never ran")
    func hang() async throws {
        try await TestServer.withRunning { server in
            await server.server.faults.add(FaultRule(.hang, path: "/phone/verifycode", times: 1, delayMilliseconds: 3_000))
            let request = codeRequest(server, "13900000005")
            await #expect(throws: (any Error).self) { _ = try await server.client.execute(request, timeout: .milliseconds(300)) }
            let stored = try await codes(server, "13900000005")
            #expect(stored == 0)
        }
    }

    @Test("a delay longer than the client waits looks like a timeout; the handler runs after it")
    func delay() async throws {
        try await TestServer.withRunning { server in
            await server.server.faults.add(FaultRule(.delay, path: "/phone/verifycode", times: 1, delayMilliseconds: 3_000))
            let request = codeRequest(server, "13900000006")
            await #expect(throws: (any Error).self) { _ = try await server.client.execute(request, timeout: .seconds(1)) }
            // The delayed handler still runs: wait for its effect, with a deadline.
            let deadline = ContinuousClock.now + .seconds(20)
            var stored = 0
            while stored == 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
                stored = try await codes(server, "13900000006")
            }
            #expect(stored == 1)
            #expect(await server.server.faults.rules.isEmpty, "a one-shot rule is used up")
        }
    }

    @Test("an expired token is told apart from a missing one")
    func tokenExpiry() async throws {
        try await TestServer.withRunning { server in
            let patient = try await server.account(.patient, phone: "13900000007")
            await server.server.faults.add(FaultRule(.expireToken, path: "/user", times: 1))
            try await server.call(.currentUser, token: patient.token).expectFailure(.tokenExpired)
            try await server.call(.currentUser, token: patient.token).expectFailure(.tokenExpired)
        }
    }

    @Test("rules match by method and path, and rates are repeatable")
    func matching() async throws {
        try await TestServer.withRunning { server in
            await server.server.faults.add(FaultRule(.serverErrorBeforeHandler, method: "GET", path: "/phone/verifycode"))
            _ = try await requestCode(server, "13900000008").payload(EmptyPayload.self)
            await server.server.faults.removeAll()

            await server.server.faults.add(FaultRule(.serverErrorBeforeHandler, path: "/phone/verifycode", rate: 0.5))
            var statuses: [Int] = []
            for _ in 0..<20 { statuses.append(try await requestCode(server, "13900000008").status) }
            #expect(statuses.contains(500) && statuses.contains(200))
        }
    }

    @Test("the admin listener: faults, clock and read-only queries over loopback")
    func adminListener() async throws {
        try await TestServer.withRunning(configure: { $0.adminPort = 0 }) { server in
            let admin = try #require(server.admin)
            func post(_ path: String, _ body: String) async throws -> APIAnswer {
                var request = HTTPClientRequest(url: admin.absoluteString + path)
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(string: body))
                return try await server.send(request)
            }
            let added = try await post("/admin/faults", #"{"action": "server_error_before_handler", "path": "/phone/verifycode", "times": 1}"#)
            #expect(added.status == 200)
            #expect(try await requestCode(server, "13900000009").status == 500)

            _ = try await requestCode(server, "13900000009")
            let query = try await post("/admin/query", #"{"sql": "SELECT COUNT(*) AS n FROM verify_code WHERE phone = ?", "arguments": ["13900000009"]}"#)
            #expect(try query.json == [["n": 1]])
            let write = try await post("/admin/query", #"{"sql": "DELETE FROM verify_code"}"#)
            #expect(write.status == 400, "inspection is read-only")
            let stored = try await codes(server, "13900000009")
            #expect(stored == 1)

            let patient = try await server.account(.patient, phone: "13900000010")
            let clock = try await post("/admin/clock", #"{"advance_seconds": 700000}"#)
            #expect(clock.status == 200)
            try await server.call(.currentUser, token: patient.token).expectFailure(.tokenExpired)
        }
    }

    @Test("the plan: counted rules are used up, rates follow the roll, no match takes nothing")
    func plan() {
        var plan = FaultPlan()
        plan.add(FaultRule(.hang, method: "POST", path: "/chat", times: 2))
        plan.add(FaultRule(.delay, path: "/project/{id}/join", rate: 0.3))
        #expect(plan.take(method: "GET", template: "/chat", path: "/chat") { 0 }.isEmpty)
        #expect(plan.take(method: "POST", template: "/chat", path: "/chat") { 0 }.map(\.action) == [.hang])
        #expect(plan.take(method: "POST", template: "/chat", path: "/chat") { 0 }.map(\.action) == [.hang])
        #expect(plan.take(method: "POST", template: "/chat", path: "/chat") { 0 }.isEmpty)
        #expect(plan.take(method: "POST", template: "/project/{id}/join", path: "/project/3/join") { 0.29 }.map(\.action) == [.delay])
        #expect(plan.take(method: "POST", template: "/project/{id}/join", path: "/project/3/join") { 0.31 }.isEmpty)
        #expect(plan.rules.count == 1)
    }

    @Test("X-location reads lng-lat, including a negative longitude")
    func location() {
        #expect(Location(header: "116.40-39.90") == Location(longitude: 116.40, latitude: 39.90))
        #expect(Location(header: "-73.98-40.75") == Location(longitude: -73.98, latitude: 40.75))
        #expect(Location(header: "east-west") == nil && Location(header: nil) == nil && Location(header: "200-10") == nil)
        let beijing = Location(longitude: 116.40, latitude: 39.90)
        let chengdu = Location(longitude: 104.07, latitude: 30.67)
        #expect((1500...1600).contains(beijing.distance(to: chengdu)))
    }
}
