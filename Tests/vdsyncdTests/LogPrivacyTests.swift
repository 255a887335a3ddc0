import Foundation
import GRDB
import Glibc
import Testing
import VolunteerAPI

/// Issue #7, item 3: at debug level, through a full sync, a login, a mixed mutation workload and
/// the account flows (#18), no log line carries a password, an SMS code, a token, an ID-card
/// number or a phone number.
@Suite("vdsyncd process: log privacy", .tags(.process), .timeLimit(.minutes(2)))
struct LogPrivacyTests {
    static let mobile = try! NSRegularExpression(pattern: #"(?<![0-9])1[3-9][0-9]{9}(?![0-9])"#)
    static let idCard = try! NSRegularExpression(pattern: #"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])"#)

    static let newPassword = "Registered-pw-5513"

    static func matches(_ regex: NSRegularExpression, _ line: String) -> Bool {
        regex.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) != nil
    }

    @Test("every stderr line of a debug-level run is free of passwords, tokens, ID-card and phone numbers")
    func noSecretsInLogs() async throws {
        try await DaemonWorld.with { world in
            let patient = try await world.userID(phone: DaemonWorld.patientPhone, role: .patient)
            let doctor = try await world.userID(phone: DaemonWorld.doctorPhone, role: .doctor)
            let booking = try #require(
                try await world.upstreamInt(
                    """
                    SELECT d.id FROM diagnosis d JOIN project p ON p.id = d.project_id
                    WHERE d.doctor_user_id = ? AND d.verify_status = 1 AND d.status = 1 AND p.status = 1
                      AND p.date = date('now', '+8 hours') ORDER BY d.id LIMIT 1
                    """, [doctor]), "a booking in progress today to mark done")
            let phoneInText = "13912345678"
            let idInText = "110101199003074578"

            try world.writeConfiguration(["VDSYNC_LOG_LEVEL": "debug", "VDSYNC_OUTBOX_RATE": "50"])
            let daemon = try world.start()
            defer { daemon.kill() }
            try await world.ready(daemon)
            try await world.loggedIn(daemon)
            // The full sync at start.
            #expect(await eventually(timeout: .seconds(30)) { (try? await world.status())?["last_pull"]?.isString == true })

            // A login over the socket, with the password in its params.
            let login = try await world.call(
                "session.login", ["phone": .string(DaemonWorld.doctorPhone), "password": .string(DaemonWorld.password), "role": "doctor"])
            #expect(login["role"] == "doctor")
            // The mixed workload: chat messages with personal numbers in their text, a booking marked done.
            let contents = [
                "请回电 \(phoneInText)",
                "身份证 \(idInText) 已核对",
                "电话 +86 \(phoneInText)，身份证号\(idInText)",
            ]
            for content in contents {
                _ = try await world.call("chat.send", ["to_user_id": .integer(patient), "content": .string(content)])
            }
            _ = try await world.call("diagnosis.markDone", ["diagnosis_id": .integer(booking)])
            // One the upstream refuses (no such user), so its refusal is logged too.
            let refusedSend = try await world.call("chat.send", ["to_user_id": 999_999, "content": .string("转告 \(phoneInText) \(idInText)")])
            var entries: [JSONValue] = []
            let final = await eventually(timeout: .seconds(30), every: .milliseconds(200)) {
                guard case .array(let list)? = try? await world.call("outbox.list", ["limit": 1000]) else { return false }
                entries = list
                return list.count == contents.count + 2 && list.allSatisfy { $0["state"] == "applied" || $0["state"] == "rejected" }
            }
            #expect(final, "\(DaemonFailure("the outbox did not settle: \(entries)", daemon))")
            #expect(entries.filter { $0["state"] == "applied" }.count == contents.count + 1)
            #expect(entries.first { $0["mutation_id"] == refusedSend["mutation_id"] }?["state"] == "rejected")
            // And a pull that reads them back.
            let pulls = { daemon.standardErrorLines.filter { $0.contains("vdsyncd: pulled") }.count }
            let pullsBefore = pulls()
            _ = try await world.call("sync.now")
            #expect(await eventually(timeout: .seconds(20)) { pulls() > pullsBefore }, "no pull after sync.now")
            // The account flows: a code sent to a phone, an account registered with it (which signs
            // it in); neither the code nor the new password may reach a line.
            #expect(try await world.call("account.send_code", ["phone": .string(phoneInText)]) == true)
            let registered = try await world.call(
                "account.register", ["phone": .string(phoneInText), "verify_code": "123456", "password": .string(Self.newPassword), "role": "patient"])
            #expect(registered["role"] == "patient")
            // Last, as it may leave the agent without a session: a refused login, whose params
            // and the upstream's refusal are logged.
            let refused = try await SocketRPC.reply(
                path: world.socketPath, "session.login", ["phone": .string(phoneInText), "password": "demo123x", "role": "doctor"])
            #expect(refused["error"] != nil)
            let stopping = world.notify.messages.count
            daemon.send(SIGTERM)
            #expect(await daemon.waitForExit(timeout: .seconds(15)) == .exited(0))
            #expect(await world.notify.first("STOPPING", from: stopping, timeout: .seconds(1)) != nil)

            let tokens = try await world.running.database.read { db in try String.fetchAll(db, sql: "SELECT token FROM session") }
            #expect(!tokens.isEmpty)
            let lines = daemon.standardErrorLines
            #expect(lines.count > 20, "a debug-level run logs: \(lines.count) lines")
            #expect(lines.contains { $0.contains(" debug ") }, "debug lines are written")
            var leaks: [String] = []
            for line in lines {
                var found: [String] = []
                if line.contains(DaemonWorld.password) || line.contains(Self.newPassword) { found.append("password") }
                if line.contains("123456") { found.append("SMS code") }
                if Self.matches(Self.mobile, line) { found.append("mobile number") }
                if Self.matches(Self.idCard, line) { found.append("ID-card number") }
                for token in tokens where line.contains(token) || line.contains(token.prefix(16)) { found.append("token") }
                for number in [phoneInText, idInText, DaemonWorld.doctorPhone, DaemonWorld.patientPhone] where line.contains(number) {
                    found.append(number)
                }
                if !found.isEmpty { leaks.append("\(found.joined(separator: ", ")): \(line)") }
            }
            #expect(leaks.isEmpty, "lines with secrets:\n\(leaks.joined(separator: "\n"))")
            let masked = lines.filter { $0.contains("***") }
            print("vdsyncd log privacy: \(lines.count) stderr lines checked, \(masked.count) with masked values, \(tokens.count) tokens")
            if ProcessInfo.processInfo.environment["VDSYNCD_TESTS_PRINT_LOG"] != nil { for line in lines { print("  \(line)") } }
        }
    }
}
