import Foundation
import Glibc
import ReferenceServer
import Testing
import VolunteerAPI

/// Issue 15 as a user meets it: vdsyncd against a vdapi slower than the daemon's patience. A
/// send that got no answer may still take effect upstream, so the read-back that finds nothing
/// within the settle time reads again and never sends again: one message upstream, the entry
/// applied, whether the daemon was killed while the request was held or its read timed out.
/// (Delays and settle times are whole seconds here: the daemon's settings are.)
@Suite("vdsyncd process: a slow server", .tags(.process), .timeLimit(.minutes(2)))
struct SlowServerTests {
    static let marker = "vdsyncd slow server"

    /// Starts vdsyncd with `settings` added to the base configuration, logged in.
    static func start(_ world: DaemonWorld, _ settings: [String: String?]) async throws -> ChildProcess {
        try world.writeConfiguration(settings)
        let daemon = try world.start()
        try await world.ready(daemon, from: world.notify.messages.count)
        try await world.loggedIn(daemon)
        return daemon
    }

    static func messagesUpstream(_ world: DaemonWorld, _ text: String) async throws -> Int {
        try await world.running.database.count("chat_message", where: "content = ?", [text])
    }

    @Test("SIGKILL while vdapi holds the send, restarted at once: the read-back at start-up does not resend; one message, applied")
    func crashWhileTheServerIsSlow() async throws {
        try await DaemonWorld.with { world in
            let patient = try await world.userID(phone: DaemonWorld.patientPhone, role: .patient)
            let text = "\(Self.marker): crash"
            await world.running.server.faults.add(FaultRule(.delay, method: "POST", path: "/chat", times: 1, delayMilliseconds: 1500))
            let first = try await Self.start(world, ["VDSYNC_OUTBOX_SETTLE_TIME": "10"])
            defer { first.kill() }
            let mutation = try await world.call("chat.send", ["to_user_id": .integer(patient), "content": .string(text)])
            #expect(mutation["state"] == "queued")
            // In flight, and vdapi holds it: the one-shot delay rule fired (a send still waiting for
            // a connection behind the first pull never reached vdapi, and would rightly be sent
            // again once its settle time is over).
            let inFlight = await eventually(timeout: .seconds(15), every: .milliseconds(20)) {
                let held = await world.running.server.faults.rules.isEmpty
                let status = try? await world.status()
                return held && status?["outbox"]?["in_flight"] == 1
            }
            #expect(inFlight, "the send is in flight: \(DaemonFailure("", first))")
            first.kill()
            #expect(try await Self.messagesUpstream(world, text) == 0, "killed while vdapi still held the request")

            let second = try world.start()
            defer { second.kill() }
            try await world.ready(second, from: world.notify.messages.count)
            #expect(await second.stderrLine(containing: "outbox entries found in flight at start-up", timeout: .seconds(10)) != nil)
            let entries = try await world.allApplied(1, second, timeout: .seconds(40))
            #expect(entries.first?["attempts"] == 1, "never sent again: \(entries)")
            #expect(try await Self.messagesUpstream(world, text) == 1, "one message upstream")
        }
    }

    @Test("the daemon's read times out while vdapi holds the send: read again within the settle time, never resent; one message, applied")
    func readTimeoutWhileTheServerIsSlow() async throws {
        try await DaemonWorld.with { world in
            let patient = try await world.userID(phone: DaemonWorld.patientPhone, role: .patient)
            let text = "\(Self.marker): timeout"
            let daemon = try await Self.start(world, ["VDSYNC_READ_TIMEOUT": "2", "VDSYNC_OUTBOX_SETTLE_TIME": "10"])
            defer { daemon.kill() }
            await world.running.server.faults.add(FaultRule(.delay, method: "POST", path: "/chat", times: 1, delayMilliseconds: 4000))
            _ = try await world.call("chat.send", ["to_user_id": .integer(patient), "content": .string(text)])
            let entries = try await world.allApplied(1, daemon, timeout: .seconds(40))
            #expect(entries.first?["attempts"] == 1, "never sent again: \(entries)")
            #expect(try await Self.messagesUpstream(world, text) == 1, "one message upstream")
            #expect(daemon.standardError.contains("waiting for its last send to settle"), "the wait is logged")
        }
    }

    @Test("an entry whose send never arrived waits out the settle time, shown by status, outbox.list and the systemd status line; then it is sent once")
    func settlingIsShown() async throws {
        try await DaemonWorld.with { world in
            let patient = try await world.userID(phone: DaemonWorld.patientPhone, role: .patient)
            let text = "\(Self.marker): reset"
            let daemon = try await Self.start(world, ["VDSYNC_OUTBOX_SETTLE_TIME": "6"])
            defer { daemon.kill() }
            await world.running.server.faults.add(FaultRule(.resetBeforeHandler, method: "POST", path: "/chat", times: 1))
            _ = try await world.call("chat.send", ["to_user_id": .integer(patient), "content": .string(text)])
            var status: JSONValue?
            let settling = await eventually(timeout: .seconds(10), every: .milliseconds(50)) {
                status = try? await world.status()
                return status?["outbox_settling"]?["count"] == 1
            }
            #expect(settling, "status shows the entry waiting to settle: \(String(describing: status))")
            guard case .string(let until)? = status?["outbox_settling"]?["until"] else {
                Issue.record("status says until when: \(String(describing: status))")
                return
            }
            let listed = try await world.call("outbox.list")
            #expect(listed[0]?["state"] == "unknown")
            #expect(listed[0]?["settles_at"] == .string(until), "outbox.list says until when")
            #expect(
                await world.notify.first(timeout: .seconds(10), where: { $0["STATUS"]?.contains("(1 settling)") == true }) != nil, "\(world.notify.messages)")
            let entries = try await world.allApplied(1, daemon, timeout: .seconds(30))
            #expect(entries.first?["attempts"] == 2, "sent again once the first send had settled")
            #expect(entries.first?["settles_at"] == .null)
            if case .string(let resent)? = entries.first?["sent_at"] {
                #expect(resent >= until, "not sent again before \(until) (sent \(resent))")
            }
            #expect(try await Self.messagesUpstream(world, text) == 1)
        }
    }
}

extension JSONValue {
    /// The element at `index` of an array.
    subscript(index: Int) -> JSONValue? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }
}
