import Foundation
import MirrorStore
import ReferenceServer
import Testing
import UpstreamClient
import VolunteerAPI

@testable import SyncEngine

/// Faults that are not one mutation's own: an expired session, a link that stays down, a server
/// that keeps failing. (Each kind's own faults are in `OutboxKindMatrixTests`.)
@Suite("Outbox: sessions, outages and backoff")
struct OutboxFaultTests {
    static func chat(_ world: OutboxWorld, to patient: Int) -> [String: JSONValue] {
        ["to_user_id": .integer(patient), "content": .string("矩阵：请按时复诊 " + OutboxScenario.tag())]
    }

    @Test("an expired session pauses the replayer: nothing dropped, parked or counted, and everything drains after a new login")
    func sessionExpiry() async throws {
        // One entry at a time: the first request expires the session, so that every later one
        // meets the expired session (concurrent requests could pass authentication before it).
        var policy = OutboxWorld.policy()
        policy.concurrency = 1
        try await OutboxScenario.withCast([.doctor], policy: policy) { cast in
            let world = cast.worlds[0]
            let events = await world.replayer.events()
            let booking = try #require(try await KindSpec.waitingToday(world, cast.ids))
            var entries: [OutboxEntry] = []
            for patient in cast.ids.patients.prefix(3) {
                entries.append(try await world.submit(.sendChatMessage, Self.chat(world, to: patient)))
            }
            entries.append(try await world.submit(.markDiagnosisDone, ["diagnosis_id": .integer(booking)]))
            let sentBefore = try await world.upstreamCount("chat_message", where: "from_user_id = ?", [world.me])
            await cast.addFault(FaultRule(.expireToken, times: 1))

            for _ in 0..<5 { await world.replayer.drainReady() }
            #expect(await world.replayer.isPausedForLogin)
            for entry in entries {
                let stored = try await world.stored(entry)
                #expect(stored.state == .queued, "\(entry.kind): waits, neither dropped nor parked")
                #expect(stored.attempts == 0, "\(entry.kind): a refused session is not an attempt")
            }
            #expect(try await world.upstreamCount("chat_message", where: "from_user_id = ?", [world.me]) == sentBefore)
            #expect(try await world.upstreamCount("diagnosis", where: "id = ? AND status = 3", [booking]) == 0)

            guard case .applied = await world.world.client.login(phone: DemoAccount.doctor.phone, password: "demo123", role: .doctor) else {
                Issue.record("login failed")
                return
            }
            await world.replayer.loggedIn()
            #expect(await !world.replayer.isPausedForLogin)
            await world.drain()
            for entry in entries {
                let stored = try await world.stored(entry)
                #expect(stored.state == .applied, "\(entry.kind)")
                #expect(stored.attempts == 1, "\(entry.kind): sent once")
            }
            #expect(try await world.upstreamCount("chat_message", where: "from_user_id = ?", [world.me]) == sentBefore + 3)
            #expect(try await world.upstreamCount("diagnosis", where: "id = ? AND status = 3", [booking]) == 1)
            // The events are buffered; the last entry's application ends the reading.
            guard let last = entries.last, try await world.stored(last).state == .applied else { return }
            var seen: [Replayer.Event] = []
            for await event in events {
                seen.append(event)
                if event == .entry(id: last.id, state: .applied) { break }
            }
            #expect(seen.contains(.pausedForLogin), "the pause is told")
        }
    }

    @Test("a session that expires while a lost reply is being read back: the entry stays unknown and is read again after the login, never resent blindly")
    func sessionExpiryDuringReadBack() async throws {
        try await OutboxScenario.withCast([.doctor]) { cast in
            let world = cast.worlds[0]
            let parameters = Self.chat(world, to: cast.ids.patients[2])
            let content = parameters["content"]
            await cast.addFault(FaultRule(.resetAfterCommit, method: "POST", path: "/chat", times: 1))
            // The read-back lists the dialogs first (GET /chat): the session expires there.
            await cast.addFault(FaultRule(.expireToken, method: "GET", path: "/chat", times: 1))
            let entry = try await world.submit(.sendChatMessage, parameters)
            for _ in 0..<4 { await world.replayer.drainReady() }
            #expect(await world.replayer.isPausedForLogin)
            let waiting = try await world.stored(entry)
            #expect(waiting.state == .unknown, "it may be upstream: it must be read, not sent")
            #expect(waiting.attempts == 1)
            guard case .string(let text)? = content else { return }
            #expect(try await world.upstreamCount("chat_message", where: "content = ?", [text]) == 1, "the server has it")

            guard case .applied = await world.world.client.login(phone: DemoAccount.doctor.phone, password: "demo123", role: .doctor) else {
                Issue.record("login failed")
                return
            }
            await world.replayer.loggedIn()
            await world.drain()
            let applied = try await world.stored(entry)
            #expect(applied.state == .applied)
            #expect(applied.attempts == 1, "never resent")
            #expect(try await world.upstreamCount("chat_message", where: "content = ?", [text]) == 1, "one message upstream")
        }
    }

    @Test("a read-back whose requests fail now and then asks them again: the check decides at its first turn, and the message is neither resent nor held")
    func readBackRetriesFailedPages() async throws {
        try await OutboxScenario.withCast([.doctor]) { cast in
            let world = cast.worlds[0]
            let parameters = Self.chat(world, to: cast.ids.patients[1])
            guard case .string(let text)? = parameters["content"] else { return }
            await cast.addFault(FaultRule(.resetAfterCommit, method: "POST", path: "/chat", times: 1))
            // The read-back lists the dialogs (GET /chat), then reads the dialog's pages.
            await cast.addFault(FaultRule(.serverErrorBeforeHandler, method: "GET", path: "/chat", times: 1))
            await cast.addFault(FaultRule(.resetBeforeHandler, method: "GET", path: "/chat/{id}", times: 1))
            await cast.addFault(FaultRule(.serverErrorBeforeHandler, method: "GET", path: "/chat/{id}", times: 1, status: 503))
            let entry = try await world.submit(.sendChatMessage, parameters)
            #expect(await world.replayer.drainReady() == 1)
            let unknown = try await world.stored(entry)
            #expect(unknown.state == .unknown, "the reply was lost: read, do not resend")
            #expect(await world.replayer.drainReady() == 1)
            #expect(await cast.host.faults.rules.isEmpty, "every fault fired during the check")
            let applied = try await world.stored(entry)
            #expect(applied.state == .applied, "one check decides, though three of its requests failed")
            #expect(applied.checks == 0, "no check was spent")
            #expect(applied.attempts == 1, "never resent")
            #expect(try await world.upstreamCount("chat_message", where: "content = ?", [text]) == 1)
        }
    }

    @Test("a 5xx storm is met with growing backoff between the attempts, then the write is applied once")
    func serverErrorBackoffGrows() async throws {
        var policy = OutboxWorld.policy()
        policy.backoffBase = .seconds(10)
        policy.backoffCap = .seconds(600)
        try await OutboxScenario.withCast([.doctor], policy: policy) { cast in
            let world = cast.worlds[0]
            let booking = try #require(try await KindSpec.upcomingWaiting(world, doctor: world.me))
            await cast.addFault(FaultRule(.serverErrorBeforeHandler, method: "POST", path: "/diagnoses/{id}/reject", times: 3, status: 503))
            let entry = try await world.submit(.rejectDiagnosis, ["diagnosis_id": .integer(booking), "reason": "矩阵：医院停电"])
            var waits: [TimeInterval] = []
            for attempt in 1...3 {
                // Send: 503, an unknown outcome, to be read back after a backoff.
                let sent = Date()
                #expect(await world.replayer.drainReady() == 1)
                let unknown = try await world.stored(entry)
                #expect(unknown.state == .unknown)
                #expect(unknown.attempts == attempt)
                waits.append(unknown.nextAttemptAt.timeIntervalSince(sent))
                #expect(try await world.store.readyOutboxEntries(account: world.context.account).isEmpty, "nothing is due during the backoff")
                // Time passes (the backoff is over); the check finds nothing upstream: resent at once.
                try await world.store.expediteQueued()
                #expect(await world.replayer.drainReady() == 1)
                #expect(try await world.stored(entry).state == .queued)
                #expect(try await world.stored(entry).checks == attempt)
            }
            // (A little slack above: the wait is measured from before the request left.)
            #expect(waits[0] >= 5 && waits[0] < 10.5, "the first backoff: 10 s × [0.5, 1): \(waits)")
            #expect(waits[1] >= 10 && waits[1] < 20.5, "then twice that: \(waits)")
            #expect(waits[2] >= 20 && waits[2] < 40.5, "then twice again: \(waits)")
            await world.drain()
            let applied = try await world.stored(entry)
            #expect(applied.state == .applied)
            #expect(applied.attempts == 4)
            #expect(try await world.upstreamCount("diagnosis", where: "id = ? AND verify_status = 2", [booking]) == 1)
        }
    }

    @Test("while the link is down one failed connection holds every send; when it is back the queue drains at once, nothing parked")
    func linkDownHoldsThenDrains() async throws {
        var policy = OutboxWorld.policy()
        policy.backoffBase = .seconds(10)
        policy.backoffCap = .seconds(600)
        try await OutboxScenario.withCast([.doctor], policy: policy) { cast in
            let world = cast.worlds[0]
            let before = try await world.upstreamCount("chat_message", where: "from_user_id = ?", [world.me])
            try await cast.goOffline()
            var entries: [OutboxEntry] = []
            for patient in cast.ids.patients.prefix(6) {
                entries.append(try await world.submit(.sendChatMessage, Self.chat(world, to: patient)))
            }
            for _ in 0..<3 { await world.replayer.drainReady() }
            var attempts = 0
            var untouched = 0
            for entry in entries {
                let stored = try await world.stored(entry)
                #expect(stored.state == .queued)
                attempts += stored.attempts
                if stored.attempts == 0 { untouched += 1 }
            }
            #expect(attempts <= policy.concurrency, "only the first turn's sends met the refused link; later turns sent nothing")
            #expect(untouched >= entries.count - policy.concurrency)

            try await cast.comeBack()
            await world.drain()
            for entry in entries {
                let stored = try await world.stored(entry)
                #expect(stored.state == .applied)
                #expect(stored.attempts <= 2)
            }
            #expect(try await world.upstreamCount("chat_message", where: "from_user_id = ?", [world.me]) == before + entries.count)
        }
    }
}
