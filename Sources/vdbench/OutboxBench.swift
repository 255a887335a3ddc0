import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SyncEngine
import VolunteerAPI

/// Part 3: enqueue latency of `chat.send` through the socket, and the drain of the queue
/// against vdapi beside the same requests sent directly.
struct OutboxFigures: Codable, Sendable {
    var kind = "chat.send"
    var entries: Int
    var recipients: Int
    var enqueue: Latencies
    /// Whether the replayer was paused (session expired) while the queue filled, as planned.
    var queuedWhilePaused: Bool
    /// From the login that resumed sending to the last entry applied.
    var drainSeconds: Double
    /// From that login to the first entry applied.
    var drainFirstAppliedSeconds: Double
    var drainPerSecond: Double
    var drainStates: [String: Int]
    var policy: String
    var floorSeconds: Double
    var floorPerSecond: Double
    var floorConcurrency: Int
    var floorFailures: Int
    /// drain / floor time (target: at most 1.5).
    var ratioToFloor: Double
}

enum OutboxBench {
    /// The doctor daemon is logged in and has pulled; `recipients` are patients of the doctor.
    static func run(
        world: World, daemon: Daemon, doctor: (phone: String, userID: Int), recipients: [Int], entries: Int, log: (String) -> Void
    ) async throws -> OutboxFigures {
        let socket = try daemon.connect()
        // The first send meets an expired token: the replayer pauses (nothing is sent, dropped or
        // counted) and every entry waits, queued, for the next login, which starts the drain.
        try await world.addFault(["action": "expire_token", "method": "POST", "path": "/chat", "times": 1])
        var samples: [UInt64] = []
        samples.reserveCapacity(entries)
        for index in 0..<entries {
            let line = LineSocket.request(
                "chat.send", ["to_user_id": recipients[index % recipients.count], "content": "bench message \(index)"], id: index + 1)
            let started = monotonicNanoseconds()
            let reply = try socket.exchange(line)
            samples.append(monotonicNanoseconds() - started)
            if index < 3 || index == entries - 1 {
                let object = try JSONSerialization.jsonObject(with: Data(reply)) as? [String: Any]
                guard object?["result"] != nil else { throw BenchError("chat.send failed: \(String(decoding: reply, as: UTF8.self).prefix(300))") }
            }
        }
        let enqueue = Latencies(nanoseconds: samples)
        log(
            "    enqueue: \(entries) chat.send, p50 \(String(format: "%.2f", enqueue.p50Milliseconds)) ms, p99 \(String(format: "%.2f", enqueue.p99Milliseconds)) ms"
        )
        let status = try socket.call("status") as? [String: Any] ?? [:]
        let outbox = status["outbox"] as? [String: Int] ?? [:]
        let paused = status["session"] as? String == "expired" && (outbox["queued"] ?? 0) == entries
        if !paused { log("    note: the queue was not held as planned: session \(status["session"] ?? "?"), outbox \(outbox)") }
        try await world.clearFaults()

        // The drain: a login resumes sending.
        let started = ContinuousClock.now
        try socket.call("session.login", ["phone": doctor.phone, "password": World.password, "role": "doctor"])
        var firstApplied: ContinuousClock.Instant?
        var states: [String: Int] = [:]
        let deadline = started + .seconds(max(120, Double(entries) * 0.2))
        var finished: ContinuousClock.Instant?
        let before = outbox["applied"] ?? 0
        // Counted from the daemon's database (read-only, beside it), so that watching costs the
        // daemon nothing.
        let watch = try daemon.watch()
        while ContinuousClock.now < deadline {
            states = try watch.outboxStates()
            let applied = (states["applied"] ?? 0) - before
            if applied > 0, firstApplied == nil { firstApplied = .now }
            let settled = applied + (states["rejected"] ?? 0) + (states["parked"] ?? 0)
            if settled >= entries {
                finished = .now
                break
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        let end = finished ?? .now
        let drainSeconds = (end - started).seconds
        log("    drain: \(states) in \(String(format: "%.2f", drainSeconds)) s\(finished == nil ? " (timed out)" : "")")

        // The floor: the same requests sent directly, as many at once as the replayer sends.
        let policy = OutboxPolicy()
        let floor = try await floorSend(base: world.base, phone: doctor.phone, recipients: recipients, count: entries, concurrency: policy.concurrency)
        log("    floor: \(entries) POST /chat in \(String(format: "%.2f", floor.seconds)) s (\(floor.failures) failed)")

        return OutboxFigures(
            entries: entries, recipients: recipients.count, enqueue: enqueue, queuedWhilePaused: paused, drainSeconds: drainSeconds,
            drainFirstAppliedSeconds: ((firstApplied ?? end) - started).seconds, drainPerSecond: Double(entries) / drainSeconds, drainStates: states,
            policy: "VDSYNC_OUTBOX_RATE=10000 (burst \(policy.burst)), concurrency \(policy.concurrency)",
            floorSeconds: floor.seconds, floorPerSecond: Double(entries) / floor.seconds, floorConcurrency: policy.concurrency,
            floorFailures: floor.failures, ratioToFloor: drainSeconds / floor.seconds)
    }

    static func floorSend(base: String, phone: String, recipients: [Int], count: Int, concurrency: Int) async throws -> (seconds: Double, failures: Int) {
        let (token, _) = try await BenchHTTP.login(base, phone: phone, password: World.password, type: UserRole.doctor.rawValue)
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.connectionPool.retryConnectionEstablishment = false
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        let bodies = (0..<count).map { index in
            ByteBuffer(
                bytes: (try? JSONSerialization.data(withJSONObject: [
                    "content": "bench floor \(index)", "photo": [String](), "type": UserRole.doctor.rawValue,
                    "to_user_id": recipients[index % recipients.count],
                ])) ?? Data())
        }
        let started = ContinuousClock.now
        let failures = try await withThrowingTaskGroup(of: Bool.self) { group in
            var next = 0
            var failed = 0
            func add() {
                guard next < bodies.count else { return }
                let body = bodies[next]
                next += 1
                group.addTask {
                    var request = HTTPClientRequest(url: base + "/chat")
                    request.method = .POST
                    request.headers.add(name: "X-auth-token", value: token)
                    request.headers.add(name: "Content-Type", value: "application/json")
                    request.body = .bytes(body)
                    let response = try await http.execute(request, timeout: .seconds(60))
                    let bytes = try await response.body.collect(upTo: 16 << 20)
                    return response.status == .ok && String(buffer: bytes).contains("\"error_code\":0")
                }
            }
            for _ in 0..<concurrency { add() }
            while let ok = try await group.next() {
                if !ok { failed += 1 }
                add()
            }
            return failed
        }
        let seconds = (ContinuousClock.now - started).seconds
        try await http.shutdown()
        return (seconds, failures)
    }
}
