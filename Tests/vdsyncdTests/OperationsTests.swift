import Foundation
import GRDB
import Testing
import VolunteerAPI

/// Issue #23: what an operator reads of a kiosk. The metrics, from node_exporter's textfile and
/// from `metrics.get`, parsed by prometheus_client's own text-format parser and moving with
/// activity; and the support report of a populated kiosk, free of every seeded personal value.
@Suite("vdsyncd process: operations", .tags(.process), .timeLimit(.minutes(2)))
struct OperationsTests {
    /// Samples of a Prometheus text, parsed by the `prometheus_client` package (PyPI): sample
    /// name with its labels sorted (`name{k=v,...}`) → value.
    static func parse(_ text: String) throws -> [String: Double] {
        let script = """
            import sys, json
            from prometheus_client.parser import text_string_to_metric_families
            out = {}
            for family in text_string_to_metric_families(open(sys.argv[1], encoding="utf-8").read()):
                for s in family.samples:
                    out[s.name + "{" + ",".join(k + "=" + v for k, v in sorted(s.labels.items())) + "}"] = s.value
            print(json.dumps(out))
            """
        // The text goes in a file, not down a pipe: a parser that fails to start (prometheus_client
        // missing) is then a clear failure, not a write into a closed pipe.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-\(UUID().uuidString).prom")
        try Data(text.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, file.path]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let problems = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ParseFailure(problems) }
        return try JSONDecoder().decode([String: Double].self, from: data)
    }

    struct ParseFailure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static func socketMetrics(_ world: DaemonWorld) async throws -> [String: Double] {
        let result = try await world.call("metrics.get")
        #expect(result["format"] == "text/plain; version=0.0.4")
        guard case .string(let text)? = result["text"] else { throw ParseFailure("metrics.get answered no text: \(result)") }
        return try parse(text)
    }

    /// A daemon started with `settings`, logged in as the demo doctor, its first pull done.
    static func pulled(_ world: DaemonWorld, _ settings: [String: String?]) async throws -> ChildProcess {
        try world.writeConfiguration(settings)
        let daemon = try world.start()
        do {
            try await world.ready(daemon)
            try await world.loggedIn(daemon)
            guard await eventually(timeout: .seconds(30), { (try? await world.status())?["last_pull"]?.isString == true }) else {
                throw DaemonFailure("no pull within 30 s", daemon)
            }
        } catch {
            daemon.kill()
            throw error
        }
        return daemon
    }

    @Test("the textfile and metrics.get are Prometheus text, and their figures move with activity")
    func metricsMove() async throws {
        try await DaemonWorld.with { world in
            let file = world.directory.file("vdsyncd.prom")
            let daemon = try await Self.pulled(world, ["VDSYNC_METRICS_FILE": file, "VDSYNC_METRICS_INTERVAL": "1"])
            defer { daemon.kill() }
            let patient = try await world.userID(phone: DaemonWorld.patientPhone, role: .patient)

            let before = try await Self.socketMetrics(world)
            let sendOK = "vdsync_socket_requests_total{method=chat.send,result=ok}"
            let chatApplied = "vdsync_upstream_requests_total{endpoint=POST /chat,outcome=applied}"
            let appliedEntries = "vdsync_outbox_entries{state=applied}"
            #expect(before[sendOK] == 0, "every served method is counted from 0: \(before.keys.filter { $0.contains("chat.send") })")
            #expect(before["vdsync_socket_connections{}"] ?? 0 >= 1, "the connection asking is counted")
            #expect(before.keys.contains { $0.hasPrefix("vdsync_pull_age_seconds{list=") }, "the pull ages are there")
            #expect((before["vdsync_database_bytes{file=database}"] ?? 0) > 0)
            #expect(before["vdsync_session_active{}"] == 1)

            _ = try await world.call("chat.send", ["to_user_id": .integer(patient), "content": "明天上午九点复诊"])
            _ = try await world.allApplied(1, daemon)

            let after = try await Self.socketMetrics(world)
            #expect(after[sendOK] == 1)
            #expect((after[chatApplied] ?? 0) == (before[chatApplied] ?? 0) + 1)
            #expect(after[appliedEntries] == (before[appliedEntries] ?? 0) + 1)
            #expect(
                (after["vdsync_upstream_request_duration_seconds_count{endpoint=POST /chat}"] ?? 0)
                    > (before["vdsync_upstream_request_duration_seconds_count{endpoint=POST /chat}"] ?? 0))
            #expect((after["vdsync_upstream_body_bytes_sent_total{}"] ?? 0) > (before["vdsync_upstream_body_bytes_sent_total{}"] ?? 0))
            #expect(
                (after["vdsync_socket_request_duration_seconds_count{method=chat.send}"] ?? 0)
                    == (before["vdsync_socket_request_duration_seconds_count{method=chat.send}"] ?? 0) + 1)

            // The textfile catches up within its interval, written whole (no temporary left).
            var written: [String: Double] = [:]
            let caughtUp = await eventually(timeout: .seconds(15), every: .milliseconds(200)) {
                guard let text = try? String(contentsOfFile: file, encoding: .utf8), let samples = try? Self.parse(text) else { return false }
                written = samples
                return samples[sendOK] == 1 && samples[appliedEntries] == after[appliedEntries]
            }
            #expect(caughtUp, "the textfile: \(written.filter { $0.key.contains("chat") || $0.key.contains("outbox_entries") })")
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: world.directory.path).filter { $0.hasSuffix(".tmp") }
            #expect(leftovers.isEmpty)
            let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
            #expect(mode == 0o644, "node_exporter reads it as its own user")
        }
    }

    @Test("the support report of a populated kiosk holds no token, password, phone, ID-card number, name or message text")
    func reportHoldsNoPersonalData() async throws {
        try await DaemonWorld.with { world in
            let daemon = try await Self.pulled(world, ["VDSYNC_METRICS_INTERVAL": "5"])
            defer { daemon.kill() }
            let patient = try await world.userID(phone: DaemonWorld.patientPhone, role: .patient)
            let typed = "化验单请带上，电话 13912345678"
            _ = try await world.call("chat.send", ["to_user_id": .integer(patient), "content": .string(typed)])
            // One the upstream refuses: its message is the server's, in Chinese.
            _ = try await world.call("chat.send", ["to_user_id": 999_999, "content": "转告家属"])
            #expect(
                await eventually(timeout: .seconds(30), every: .milliseconds(200)) {
                    guard case .array(let list)? = try? await world.call("outbox.list", ["limit": 100]) else { return false }
                    return list.count == 2 && list.allSatisfy { $0["state"] == "applied" || $0["state"] == "rejected" }
                })

            let report = try await world.call("support.report")
            let text = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
            #expect(report["versions"]?["schema"] != nil && report["integrity_check"] == ["ok"])
            #expect(report["status"]?["session"] == "active")
            guard case .array(let entries)? = report["outbox"] else { throw ParseFailure("no outbox in \(text)") }
            #expect(entries.count == 2 && entries.contains { $0["state"] == "rejected" && $0["upstream_error_code"] != .null })
            #expect(report["configuration"]?["VDSYNC_ROLE"] == "doctor")
            #expect(report["configuration"]?["VDSYNC_PASSWORD_FILE"] != nil)
            guard case .string(let metrics)? = report["metrics"] else { throw ParseFailure("no metrics in the report") }
            #expect(try Self.parse(metrics)["vdsync_outbox_entries{state=applied}"] == 1)

            // The seeded and typed personal values, none of which may appear.
            let seeded = try await world.running.database.read { db in
                try String.fetchAll(
                    db,
                    sql: """
                        SELECT phone FROM user UNION SELECT idno FROM user WHERE idno IS NOT NULL AND idno != ''
                        UNION SELECT real_name FROM user WHERE real_name IS NOT NULL AND real_name != ''
                        UNION SELECT content FROM chat_message UNION SELECT token FROM session
                        """)
            }
            #expect(seeded.count > 30, "the seeded values were read: \(seeded.count)")
            var leaks = seeded.filter { text.contains($0) }
            for secret in [DaemonWorld.password, typed, "13912345678", "转告家属"] where text.contains(secret) { leaks.append(secret) }
            #expect(leaks.isEmpty, "the report holds personal values: \(leaks)")
        }
    }
}
