import Logging
import Testing
import VolunteerAPI

@testable import Kiosk
@testable import SocketClient

/// The live-update stream's two sources, over the real socket: journal changes with their seq
/// (and the resume from a seq after a reconnect), and the status strip's facts, which are not
/// journalled.
@Suite("vdkiosk live updates")
struct LiveUpdatesTests {
    @Test("each change arrives with its journal seq, and a stream resumed from a seq gets what came after it")
    func changesAndResume() async throws {
        try await AgentWorld.with { world in
            let api = try await world.client()
            _ = try await api.result("session.login", KioskWorld.doctor)
            let subscriber = try await LocalRPCClient.connect(socketPath: world.path)
            _ = try await subscriber.call("changes.subscribe", ["collections": ["outbox"]])
            let (events, continuation) = AsyncStream.makeStream(of: LiveUpdates.Event.self)
            let forwarding = Task { await LiveUpdates.forwardChanges(from: subscriber, to: continuation) }
            let queued = try await api.result("diagnosis.markDone", ["diagnosis_id": 15])
            var iterator = events.makeAsyncIterator()
            guard case .change(let seq?)? = await iterator.next() else {
                Issue.record("no change event")
                return
            }
            #expect(seq > 0)

            // A browser that reconnects sends the last seq it saw; the stream resumes after it.
            let resumed = try await LocalRPCClient.connect(socketPath: world.path)
            _ = try await resumed.call("changes.subscribe", ["collections": ["outbox"], "since_seq": .integer(seq - 1)])
            let (replayed, replay) = AsyncStream.makeStream(of: LiveUpdates.Event.self)
            let replaying = Task { await LiveUpdates.forwardChanges(from: resumed, to: replay) }
            var again = replayed.makeAsyncIterator()
            guard case .change(let first?)? = await again.next() else {
                Issue.record("no replayed change")
                return
            }
            #expect(first == seq)
            #expect(queued["mutation_id"] != nil)
            // The stream ends when the daemon's connection does.
            await subscriber.close()
            guard case .ended? = await iterator.next() else {
                Issue.record("the stream did not end with its connection")
                return
            }
            await resumed.close()
            forwarding.cancel()
            replaying.cancel()
            await api.close()
        }
    }

    @Test("a change of what the status strip shows becomes a status event; no change, no event")
    func statusEvents() async throws {
        try await AgentWorld.with { world in
            let link = DaemonLink(socketPath: world.path, logger: Logger(label: "live-test"))
            let (events, continuation) = AsyncStream.makeStream(of: LiveUpdates.Event.self)
            let watching = Task { await LiveUpdates.watchStatus(link: link, every: .milliseconds(20), to: continuation) }
            let api = try await world.client()
            _ = try await api.result("session.login", KioskWorld.doctor)
            var iterator = events.makeAsyncIterator()
            guard case .status? = await iterator.next() else {
                Issue.record("no status event after the login")
                return
            }
            watching.cancel()
            await link.close()
            await api.close()
        }
    }
}
