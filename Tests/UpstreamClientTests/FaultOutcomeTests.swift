import Foundation
import ReferenceServer
import Testing
import UpstreamClient
import VolunteerAPI

/// Each fault vdapi injects, seen through the client: its outcome, and whether the effect
/// happened (counted in vdapi's database). The write is a chat message from the demo patient.
@Suite("Faults against vdapi")
struct FaultOutcomeTests {
    /// Logs the demo patient in, adds `rule` for `POST /chat`, sends `content` to the demo doctor,
    /// and returns the outcome with the number of messages stored with that content. Then, the
    /// rule being one-shot, the next call must go through (on a new connection) unless the fault
    /// was meant to outlive it (`recovers: false`).
    private func send(
        _ content: String, under rule: FaultRule, recovers: Bool = true,
        configure: @Sendable (inout UpstreamConfiguration) -> Void = { _ in }
    ) async throws -> (outcome: UpstreamOutcome<RecordList<ChatMessage>>, stored: Int) {
        try await TestUpstream.withRunning(configure: configure) { upstream in
            let doctor = try await upstream.withClient(configure: { _ in }) { client in
                try await TestUpstream.login(client, TestUpstream.doctorPhone, .doctor)
            }
            try await TestUpstream.login(upstream.client, TestUpstream.patientPhone, .patient)
            await upstream.server.faults.add(rule)
            let outcome = await upstream.client.call(
                .sendChatMessage, parameters: ["content": .string(content), "photo": [], "type": 1, "to_user_id": .integer(doctor.id)],
                as: RecordList<ChatMessage>.self)
            let stored = try await upstream.database.count("chat_message", where: "content = ?", [content])
            if recovers {
                let after = await upstream.client.call(.currentUser, as: UserProfile.self)
                #expect(after.isSuccess, "after the fault: \(after)")
            }
            return (outcome, stored)
        }
    }

    @Test("reset before the handler: unknown (sent, no answer), and nothing happened")
    func resetBeforeHandler() async throws {
        let (outcome, stored) = try await send("reset before", under: FaultRule(.resetBeforeHandler, method: "POST", path: "/chat", times: 1))
        // The server resets the connection; a client busy elsewhere when the RST arrives may read
        // it as an end of stream instead (seen once on a loaded CI machine). Either is "no answer".
        #expect([.noAnswer(.connectionReset), .noAnswer(.connectionClosed)].contains(outcome.uncertainty?.reason), "\(outcome)")
        #expect(stored == 0)
    }

    @Test("reset after commit: unknown, and the effect stands")
    func resetAfterCommit() async throws {
        let (outcome, stored) = try await send("reset after", under: FaultRule(.resetAfterCommit, method: "POST", path: "/chat", times: 1))
        #expect(outcome.uncertainty?.reason == .noAnswer(.connectionReset), "\(outcome)")
        #expect(stored == 1)
    }

    @Test("503 before the handler: unknown (a 5xx cannot be trusted), and nothing happened")
    func serverErrorBeforeHandler() async throws {
        let (outcome, stored) = try await send(
            "503 before", under: FaultRule(.serverErrorBeforeHandler, method: "POST", path: "/chat", times: 1, status: 503))
        #expect(outcome.uncertainty == UpstreamUncertainty(.serverError(status: 503), httpStatus: 503))
        #expect(stored == 0)
    }

    @Test("502 after commit: unknown, and the effect stands")
    func serverErrorAfterCommit() async throws {
        let (outcome, stored) = try await send("502 after", under: FaultRule(.serverErrorAfterCommit, method: "POST", path: "/chat", times: 1))
        #expect(outcome.uncertainty == UpstreamUncertainty(.serverError(status: 502), httpStatus: 502))
        #expect(stored == 1)
    }

    @Test("a truncated body: unknown, and the effect stands")
    func truncatedBody() async throws {
        let (outcome, stored) = try await send("truncated", under: FaultRule(.truncateBody, method: "POST", path: "/chat", times: 1))
        guard case .unknown(let reason) = outcome, case .noAnswer(let failure) = reason.reason else {
            Issue.record("expected unknown, got \(outcome)")
            return
        }
        #expect(failure == .truncatedBody)
        #expect(reason.httpStatus == 200)
        #expect(stored == 1)
    }

    @Test("a hang longer than the client waits: unknown (read timeout), and the handler never ran")
    func hang() async throws {
        let (outcome, stored) = try await send(
            // The client's short timeouts would bound the recovery call too, and a loaded machine
            // can exceed them; the recovery is shown by the other faults.
            // Margins wide enough for a loaded machine: the login before it uses the same client.
            "hang", under: FaultRule(.hang, method: "POST", path: "/chat", times: 1, delayMilliseconds: 6_000), recovers: false,
            configure: {
                $0.readTimeout = .seconds(2)
                $0.requestTimeout = .seconds(3)
            })
        #expect(outcome.uncertainty?.reason == .noAnswer(.readTimeout), "\(outcome)")
        #expect(stored == 0)
    }

    @Test("the whole-request timeout bounds a slow answer: unknown, and the delayed handler still runs")
    func deadline() async throws {
        try await TestUpstream.withRunning(configure: {
            $0.readTimeout = .seconds(10)
            $0.requestTimeout = .milliseconds(500)
        }) { upstream in
            await upstream.server.faults.add(FaultRule(.delay, method: "POST", path: "/phone/verifycode", times: 1, delayMilliseconds: 1_500))
            let outcome = await upstream.client.call(.sendVerifyCode, parameters: ["phone": "13900000001"], as: EmptyPayload.self)
            #expect(outcome.uncertainty?.reason == .noAnswer(.deadlineExceeded), "\(outcome)")
        }
    }

    @Test("an expired token: authExpired, and nothing happened")
    func expireToken() async throws {
        let (outcome, stored) = try await send(
            "expired", under: FaultRule(.expireToken, method: "POST", path: "/chat", times: 1), recovers: false)
        #expect(outcome == .authExpired)
        #expect(stored == 0)
    }
}
