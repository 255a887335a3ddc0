import Foundation
import Glibc
import ReferenceServer
import Testing
import VolunteerAPI

/// SIGTERM while the daemon pulls and sends: exit 0 in bounded time, and a restart on the same
/// state directory finishes the outbox with every mutation applied exactly once.
@Suite("vdsyncd process: stop and resume", .tags(.process), .timeLimit(.minutes(2)))
struct StopAndResumeTests {
    @Test("SIGTERM with a send in flight and a pull running exits 0 within 15 s; a restart applies every queued message exactly once")
    func stopDuringSyncAndResume() async throws {
        try await DaemonWorld.with { world in
            let doctor = try await world.userID(phone: DaemonWorld.doctorPhone, role: .doctor)
            let patient = try await world.userID(phone: DaemonWorld.patientPhone, role: .patient)
            let marker = "vdsyncd stop test"
            let countSent = { try await world.running.database.count("chat_message", where: "from_user_id = ? AND content LIKE ?", [doctor, "\(marker)%"]) }
            #expect(try await countSent() == 0)
            // The first message sent is held by vdapi, unanswered and never committed, for longer
            // than VDSYNC_STOP_TIMEOUT (5 s): it is in flight when SIGTERM comes.
            await world.running.server.faults.add(FaultRule(.hang, method: "POST", path: "/chat", times: 1, delayMilliseconds: 7_000))

            let first = try world.start()
            defer { first.kill() }
            try await world.ready(first)
            try await world.loggedIn(first)
            let queued = 8
            for number in 1...queued {
                let mutation = try await world.call("chat.send", ["to_user_id": .integer(patient), "content": .string("\(marker) \(number)")])
                #expect(mutation["state"] == "queued")
            }
            let inFlight = await eventually(timeout: .seconds(15)) {
                guard case .array(let entries)? = try? await world.call("outbox.list", ["states": ["in_flight"]]) else { return false }
                return !entries.isEmpty
            }
            #expect(inFlight, "no send in flight: \(DaemonFailure("", first))")
            // And a pull running too.
            _ = try await world.call("sync.now")

            let beforeStop = world.notify.messages.count
            let stopSent = ContinuousClock.now
            first.send(SIGTERM)
            let ended = await first.waitForExit(timeout: .seconds(15))
            let took = ContinuousClock.now - stopSent
            let sentBeforeRestart = try await countSent()
            print(
                "vdsyncd stop: \(ended.map { "\($0)" } ?? "still running") after \(took.formatted(.units(allowed: [.milliseconds]))); \(sentBeforeRestart) of \(queued) messages upstream"
            )
            #expect(ended == .exited(0), "\(DaemonFailure("stop", first))")
            #expect(took < .seconds(15))
            #expect(await world.notify.first("STOPPING", from: beforeStop, timeout: .seconds(1)) != nil, "\(world.notify.messages)")
            #expect(sentBeforeRestart < queued, "the stop came before the outbox was drained")

            // Same state directory: the session is restored, the entry left in flight is
            // resolved by reading, and the outbox carries on.
            let second = try world.start()
            defer { second.kill() }
            try await world.ready(second, from: world.notify.messages.count)
            let entries = try await world.allApplied(queued, second)
            #expect(entries.allSatisfy { $0["kind"] == "chat.send" })
            #expect(try await countSent() == queued, "each message exactly once upstream")
            for number in 1...queued {
                #expect(
                    try await world.running.database.count("chat_message", where: "from_user_id = ? AND content = ?", [doctor, "\(marker) \(number)"]) == 1,
                    "message \(number)")
            }
            let stopping = world.notify.messages.count
            second.send(SIGTERM)
            #expect(await second.waitForExit(timeout: .seconds(15)) == .exited(0))
            #expect(await world.notify.first("STOPPING", from: stopping, timeout: .seconds(1)) != nil)
        }
    }
}
