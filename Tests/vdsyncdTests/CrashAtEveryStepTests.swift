import Foundation
import Glibc
import ReferenceServer
import Testing
import VolunteerAPI

/// Issue #9, item 1 (CI size): the daemon ends abruptly (`VDSYNCD_CRASH_AT`, `_exit` as a power
/// cut would) right before or after the n-th outbox state change or upstream send, for every n
/// of a small workload; a restart on the same state directory must then leave every
/// acknowledged mutation applied exactly once upstream, and a second drain must change nothing.
/// A mutation whose reply the crash cut off was either not committed (then it has no effect) or
/// committed just before (then it is applied once, like any entry): never twice.
/// `VDSYNCD_CRASH_MAX_N` widens the sweep.
@Suite("vdsyncd process: crash at every durable step", .tags(.process), .timeLimit(.minutes(10)))
struct CrashAtEveryStepTests {
    static let messages = 3

    /// The sweep's steps and how far each goes.
    static var sweep: [(step: String, upTo: Int)] {
        let environment = ProcessInfo.processInfo.environment
        let wide = Int(environment["VDSYNCD_CRASH_MAX_N"] ?? "") ?? 0
        let only = environment["VDSYNCD_CRASH_STEPS"].map { Set($0.split(separator: ",").map(String.init)) }
        return [
            ("before-state", max(wide, 8)), ("after-state", max(wide, 8)),
            ("before-send", max(wide, 3)), ("after-send", max(wide, 3)),
        ].filter { only?.contains($0.0) ?? true }
    }

    @Test("every acknowledged mutation exactly once, no unacknowledged one, whatever step the crash hits")
    func crashSweep() async throws {
        try await DaemonWorld.with { world in
            let doctor = try await world.userID(phone: DaemonWorld.doctorPhone, role: .doctor)
            let patient = try await world.userID(phone: DaemonWorld.patientPhone, role: .patient)
            var runs = 0
            var checked = 0
            var doubled = 0
            for (step, upTo) in Self.sweep {
                for n in 1...upTo {
                    let marker = "crash \(step) \(n) #"
                    let state = world.directory.file("state-\(step)-\(n)")
                    let crashing = try world.start(environment: [
                        "VDSYNCD_CRASH_AT": "\(step):\(n)", "VDSYNC_STATE_DIRECTORY": state, "VDSYNC_LOG_LEVEL": "debug",
                    ])
                    defer { crashing.kill() }
                    try await world.ready(crashing, from: world.notify.messages.count)
                    // The crash may come before the login is seen (start-up's own state change):
                    // then every send below fails and counts as unacknowledged.
                    try? await world.loggedIn(crashing, timeout: .seconds(10))
                    var acknowledged: [String] = []
                    var unacknowledged: [String] = []
                    for number in 1...Self.messages {
                        let content = "\(marker)\(number)"
                        if let reply = try? await world.call("chat.send", ["to_user_id": .integer(patient), "content": .string(content)]),
                            reply["state"] == "queued"
                        {
                            acknowledged.append(content)
                        } else {
                            unacknowledged.append(content)
                        }
                    }
                    // It crashes at step n, or finishes the workload if it has fewer steps.
                    _ = await crashing.waitForExit(timeout: .seconds(8))
                    crashing.kill()
                    _ = await crashing.waitForExit(timeout: .seconds(5))

                    let resumed = try world.start(environment: ["VDSYNC_STATE_DIRECTORY": state, "VDSYNC_LOG_LEVEL": "debug"])
                    defer { resumed.kill() }
                    try await world.ready(resumed, from: world.notify.messages.count)
                    try await Self.drained(world, atLeast: acknowledged.count, resumed)
                    resumed.send(SIGTERM)
                    #expect(await resumed.waitForExit(timeout: .seconds(15)) == .exited(0))
                    // A second run on the same state changes nothing upstream.
                    let again = try world.start(environment: ["VDSYNC_STATE_DIRECTORY": state])
                    defer { again.kill() }
                    try await world.ready(again, from: world.notify.messages.count)
                    try await Self.drained(world, atLeast: acknowledged.count, again)
                    again.send(SIGTERM)
                    _ = await again.waitForExit(timeout: .seconds(15))

                    for content in acknowledged {
                        let count = try await world.running.database.count("chat_message", where: "from_user_id = ? AND content = ?", [doctor, content])
                        #expect(
                            count == 1,
                            "\(step):\(n) acknowledged \(content) is upstream \(count) times: \(DaemonFailure("crashed", crashing)) \(DaemonFailure("resumed", resumed))"
                        )
                        if count != 1 { doubled += 1 }
                    }
                    for content in unacknowledged {
                        let count = try await world.running.database.count("chat_message", where: "from_user_id = ? AND content = ?", [doctor, content])
                        #expect(count <= 1, "\(step):\(n) unacknowledged \(content) is upstream \(count) times")
                        if count > 1 { doubled += 1 }
                    }
                    runs += 1
                    checked += acknowledged.count + unacknowledged.count
                }
            }
            #expect(runs > 0)
            print("crash sweep: \(runs) crashes and restarts, \(checked) mutations checked: doubled or lost \(doubled)")
        }
    }

    /// Waits until the outbox holds at least `count` entries and every one is applied.
    static func drained(_ world: DaemonWorld, atLeast count: Int, _ daemon: ChildProcess) async throws {
        var entries: [JSONValue] = []
        let done = await eventually(timeout: .seconds(60), every: .milliseconds(200)) {
            guard case .array(let list)? = try? await world.call("outbox.list", ["limit": 1000]) else { return false }
            entries = list
            return list.count >= count && list.allSatisfy { $0["state"] == "applied" }
        }
        guard done else { throw DaemonFailure("the outbox did not drain: \(entries)", daemon) }
    }
}
