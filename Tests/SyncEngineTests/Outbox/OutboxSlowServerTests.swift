import Foundation
import Logging
import MirrorStore
import ReferenceServer
import Testing
import UpstreamClient
import VolunteerAPI

@testable import SyncEngine

/// A server slower than the agent's patience (issue 15): a request that got no answer may still
/// take effect, so a read-back that finds nothing within the settle time of the last send reads
/// again and never resends. Each test runs a replayer's own loop (real waits) through a client
/// with a short read timeout against vdapi holding the write with a `delay` fault.
@Suite("Outbox: a slow server")
struct OutboxSlowServerTests {
    /// A settle time above every delay below, read again often, so that each test takes seconds.
    static func policy(settle: Duration = .seconds(5)) -> OutboxPolicy {
        var policy = OutboxWorld.policy()
        policy.settleTime = settle
        policy.settleCheckInterval = .milliseconds(250)
        return policy
    }

    static let readTimeout: Duration = .seconds(1)

    static func chat(to patient: Int) -> (parameters: [String: JSONValue], text: String) {
        let text = "慢服务器：请按时复诊 " + OutboxScenario.tag()
        return (["to_user_id": .integer(patient), "content": .string(text)], text)
    }

    @Test("a send that times out while the server holds it: read again within the settle time, never resent, applied once when it lands")
    func timeoutThenLateCommit() async throws {
        try await OutboxScenario.withCast([.doctor]) { cast in
            let world = cast.worlds[0]
            let (parameters, text) = Self.chat(to: cast.ids.patients[0])
            // 2.5 s: beyond the client's 1 s, within the settle time of 5 s.
            await cast.addFault(FaultRule(.delay, method: "POST", path: "/chat", times: 1, delayMilliseconds: 2500))
            let entry = try await world.submit(.sendChatMessage, parameters)
            try await world.impatient(readTimeout: Self.readTimeout, policy: Self.policy()) { replayer in
                let events = await world.run(replayer, until: entry, timeout: .seconds(30))
                let stored = try await world.stored(entry)
                #expect(stored.state == .applied, "\(stored.state): \(stored.lastError ?? "")")
                #expect(stored.attempts == 1, "never resent")
                #expect(stored.checks == 0, "no check was spent: each read decided 'not there yet'")
                #expect(stored.settlesAt == nil, "an applied entry waits for nothing")
                #expect(events.contains { if case .settling(entry.id, _) = $0 { true } else { false } }, "the wait was told")
            }
            #expect(try await world.upstreamCount("chat_message", where: "content = ?", [text]) == 1, "one message upstream")
        }
    }

    @Test("a send reset before the handler: the read-back finds nothing, the entry waits out the settle time, then is sent once more")
    func neverArrivedWaitsThenResends() async throws {
        try await OutboxScenario.withCast([.doctor]) { cast in
            let world = cast.worlds[0]
            let (parameters, text) = Self.chat(to: cast.ids.patients[1])
            await cast.addFault(FaultRule(.resetBeforeHandler, method: "POST", path: "/chat", times: 1))
            let entry = try await world.submit(.sendChatMessage, parameters)
            try await world.impatient(readTimeout: Self.readTimeout, policy: Self.policy(settle: .seconds(2))) { replayer in
                let events = await world.run(replayer, until: entry, timeout: .seconds(30))
                let stored = try await world.stored(entry)
                #expect(stored.state == .applied, "\(stored.state): \(stored.lastError ?? "")")
                #expect(stored.attempts == 2, "sent again once the first send had settled")
                let until = events.compactMap { if case .settling(entry.id, let until) = $0 { until } else { nil } }.first
                #expect(until != nil, "the absence was not believed at once")
                if let until, let resent = stored.sentAt {
                    #expect(resent >= until, "not resent before the settle time: resent \(resent), settles \(until)")
                }
            }
            #expect(try await world.upstreamCount("chat_message", where: "content = ?", [text]) == 1)
        }
    }

    @Test("an entry waiting out its settle time holds its own chain only: the next message to the same person waits, another person's goes")
    func settlingHoldsItsChainOnly() async throws {
        try await OutboxScenario.withCast([.doctor]) { cast in
            let world = cast.worlds[0]
            let first = Self.chat(to: cast.ids.patients[2])
            let second = Self.chat(to: cast.ids.patients[2])
            let other = Self.chat(to: cast.ids.patients[3])
            await cast.addFault(FaultRule(.resetBeforeHandler, method: "POST", path: "/chat", times: 1))
            let held = try await world.submit(.sendChatMessage, first.parameters)
            let behind = try await world.submit(.sendChatMessage, second.parameters)
            let neighbour = try await world.submit(.sendChatMessage, other.parameters)
            var policy = Self.policy(settle: .seconds(3))
            policy.concurrency = 1  // the fault meets the first entry, not its neighbour
            try await world.impatient(readTimeout: Self.readTimeout, policy: policy) { replayer in
                let events = await world.run(replayer, timeout: .seconds(30)) { seen in
                    seen.contains { if case .settling(held.id, _) = $0 { true } else { false } }
                        && seen.contains(.entry(id: neighbour.id, state: .applied))
                }
                #expect(events.contains { if case .settling(held.id, _) = $0 { true } else { false } })
                #expect(try await world.stored(neighbour).state == .applied, "another chain is not held")
                let waiting = try await world.stored(held)
                #expect(waiting.state == .unknown)
                #expect(waiting.settlesAt != nil, "shown as waiting to settle, with until when")
                #expect(try await world.stored(behind).state == .queued, "its own chain waits, in order")
                let settling = try await world.store.settlingOutboxEntries()
                #expect(settling.count == 1 && settling.until == waiting.settlesAt)
                _ = await world.run(replayer, until: behind, timeout: .seconds(30))
            }
            #expect(try await world.stored(held).state == .applied)
            #expect(try await world.stored(behind).state == .applied)
            for text in [first.text, second.text, other.text] {
                #expect(try await world.upstreamCount("chat_message", where: "content = ?", [text]) == 1)
            }
        }
    }

    @Test("a copy that lands after the settle time anyway is found by the next read-back: claimed, reported, never hidden")
    func lateCopyIsReported() async throws {
        try await OutboxScenario.withCast([.doctor]) { cast in
            let world = cast.worlds[0]
            let (parameters, text) = Self.chat(to: cast.ids.patients[4])
            // The one assumption broken on purpose: a settle time of zero, shorter than the delay.
            await cast.addFault(FaultRule(.delay, method: "POST", path: "/chat", times: 1, delayMilliseconds: 2500))
            let entry = try await world.submit(.sendChatMessage, parameters)
            try await world.impatient(readTimeout: Self.readTimeout, policy: Self.policy(settle: .zero)) { replayer in
                let events = await replayer.events()
                #expect(await replayer.drainReady() == 1)
                #expect(try await world.stored(entry).state == .unknown, "timed out")
                #expect(await replayer.drainReady() == 1)
                #expect(try await world.stored(entry).state == .queued, "not found, and no settle time: sent again")
                // The resend commits but its answer is lost: the entry must be read back.
                await cast.addFault(FaultRule(.resetAfterCommit, method: "POST", path: "/chat", times: 1))
                #expect(await replayer.drainReady() == 1)
                #expect(try await world.stored(entry).state == .unknown)
                let landed = try await world.waitUntil(timeout: .seconds(10)) {
                    try await world.upstreamCount("chat_message", where: "content = ?", [text]) == 2
                }
                #expect(landed, "the first send landed late")
                #expect(await replayer.drainReady() == 1)
                let stored = try await world.stored(entry)
                #expect(stored.state == .applied)
                guard case .array(let copies)? = stored.result?["late_copies"] else {
                    Issue.record("the entry's record names the late copy: \(String(describing: stored.result))")
                    return
                }
                #expect(copies.count == 1)
                #expect(stored.lastError?.contains("1 more copy found upstream") == true, "\(stored.lastError ?? "")")
                var told = false
                for await event in events {
                    if case .lateCopies(entry.id, _, 1) = event { told = true }
                    if case .entry(entry.id, .applied) = event { break }
                }
                #expect(told, "listeners (status's last errors) are told")
                // Both messages are claimed: no later identical message takes one for its own.
                guard case .integer(let claimed)? = stored.result?["id"], case .integer(let copy) = copies[0] else { return }
                #expect(try await world.store.isClaimed(RecordClaim(.chatMessages, claimed), byOtherThan: entry.id + 1_000))
                #expect(try await world.store.isClaimed(RecordClaim(.chatMessages, copy), byOtherThan: entry.id + 1_000))
            }
        }
    }

    @Test("the agent shows a late copy among status's last errors, by entry and kind only")
    func lateCopyInStatus() async throws {
        let directory = OutboxScenario.scratchDirectory.appendingPathComponent("agent-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try MirrorStore(path: directory.appendingPathComponent("mirror.sqlite").path)
        var logger = Logger(label: "late-copy")
        logger.logLevel = .critical
        let client = UpstreamClient(configuration: UpstreamConfiguration(baseURL: URL(string: "http://127.0.0.1:9")!), logger: logger)
        let agent = SyncAgent(store: store, client: client, logger: logger)
        await agent.handle(.lateCopies(id: 7, kind: "chat.send", count: 1))
        let errors = await agent.status().lastErrors
        #expect(errors == ["outbox entry 7 (chat.send): 1 late copy of an earlier send found upstream after its settle time"])
        try await client.shutdown()
    }
}
