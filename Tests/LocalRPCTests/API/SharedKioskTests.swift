import Foundation
import GRDB
import MirrorStore
import ReferenceServer
import Testing
import VolunteerAPI

@testable import LocalAPI
@testable import LocalRPC
@testable import SyncEngine

/// One kiosk, several people in turn (docs/configuration.md, "Shared kiosks"): an account's
/// unsent work waits for its own login and is never sent under another; nothing of one account
/// is readable over the socket while another is logged in or after a logout; a logout with a
/// wipe leaves no personal number in the database file or its write-ahead log.
@Suite("Shared kiosks")
struct SharedKioskTests {
    static let doctor: JSONValue = ["phone": "13800000001", "password": "demo123", "role": "doctor"]
    static let assistant: JSONValue = ["phone": "13800000011", "password": "demo123", "role": "assistant"]
    static let patient: JSONValue = ["phone": "13800000021", "password": "demo123", "role": "patient"]

    /// Logs `account` in over `client` and waits until `collection` has been mirrored for it.
    static func logIn(_ client: APIClient, _ account: JSONValue, until collection: String) async throws {
        _ = try await client.result("changes.subscribe", ["collections": .array([.string(collection), "outbox"])], id: 90)
        let session = try await client.result("session.login", account, id: 91)
        #expect(session["role"] == account["role"])
        _ = try await client.notification { $0["params"]?["collection"] == .string(collection) }
    }

    /// The local id of a mutation's answer.
    static func mutationID(_ answer: JSONValue) throws -> Int {
        guard case .integer(let id)? = answer["mutation_id"] else { throw UnexpectedReply(reply: answer) }
        return id
    }

    @Test("a doctor and an assistant take turns with queued work: each account's entries wait for its login, and nothing of one is read by the other")
    func takingTurns() async throws {
        // The doctor's message fails while the doctor is logged in; it must not be parked before
        // the logout, and must be due soon after the doctor's next login.
        try await AgentWorld.with(policy: { policy in
            policy.maximumAttempts = 1000
            policy.backoffBase = .milliseconds(200)
            policy.backoffCap = .seconds(1)
        }) { world in
            let doctorClient = try await world.client()
            try await Self.logIn(doctorClient, Self.doctor, until: "projects")
            // The doctor's message cannot be sent yet: every POST /chat fails before its handler.
            await world.running.server.faults.add(FaultRule(.serverErrorBeforeHandler, method: "POST", path: "/chat", times: 10_000))
            let patientID = try #require(try await world.upstream("SELECT id FROM user WHERE phone = '13800000021' AND type = 1").first)
            let doctorID = try #require(try await world.upstream("SELECT id FROM user WHERE phone = '13800000001' AND type = 2").first)
            let sent = try await doctorClient.result("chat.send", ["to_user_id": .integer(patientID), "content": "明天上午来复诊"], id: 2)
            let message = try Self.mutationID(sent)
            let messagesBefore = try await world.running.database.count("chat_message", where: "from_user_id = ?", [doctorID])
            let logout = try await doctorClient.result("session.logout", id: 3)
            #expect(logout == true)

            // Logged out: the mirror is the doctor's, and nobody reads it or its outbox.
            for method in ["projects.list", "dialogs.list", "outbox.list"] {
                let refused = try await doctorClient.call(method, id: 4)
                #expect(refused["error"]?["code"] == -32011, "\(method) while logged out: \(refused)")
            }
            await doctorClient.close()

            // The assistant's turn: the doctor's message is waiting, invisible, and never sent.
            let assistantClient = try await world.client()
            try await Self.logIn(assistantClient, Self.assistant, until: "projects")
            let status = try await assistantClient.result("status", id: 5)
            #expect(status["role"] == "assistant")
            #expect(status["outbox_other_accounts"] == 1)
            #expect(status["outbox"]?["queued"] == 0)
            let list = try await assistantClient.result("outbox.list", id: 6)
            #expect(list == .array([]), "another account's entries are not listed")
            let hidden = try await assistantClient.call("outbox.get", ["mutation_id": .integer(message)], id: 7)
            #expect(hidden["error"]?["code"] == -32020)
            let discard = try await assistantClient.call("outbox.discard", ["mutation_id": .integer(message)], id: 8)
            #expect(discard["error"]?["code"] == -32020, "nor discarded by another account")
            let doctorProjects = try await assistantClient.result("projects.list", ["scope": "mine"], id: 9)
            #expect(doctorProjects["total"] == 0, "the doctor's own projects left with the doctor's mirror")

            // The link returns while the assistant works: the assistant's mutation is applied, the
            // doctor's message is still not sent (it is the doctor's, to send with the doctor's session).
            await world.running.server.faults.removeAll()
            let doctorToFollow = try #require(try await world.upstream("SELECT id FROM user WHERE phone = '13800000002' AND type = 2").first)
            let follow = try await assistantClient.result("doctor.follow", ["doctor_id": .integer(doctorToFollow)], id: 10)
            let followID = try Self.mutationID(follow)
            _ = try await assistantClient.notification {
                $0["params"]?["collection"] == "outbox" && $0["params"]?["id"] == .integer(followID) && $0["params"]?["operation"] == "update"
            }
            #expect(try await assistantClient.result("outbox.get", ["mutation_id": .integer(followID)], id: 11)["state"] == "applied")
            #expect(try await world.running.database.count("chat_message", where: "from_user_id = ?", [doctorID]) == messagesBefore)
            _ = try await assistantClient.result("session.logout", id: 12)
            await assistantClient.close()

            // The doctor again: the message goes out with the doctor's session, exactly once.
            let again = try await world.client()
            _ = try await again.result("changes.subscribe", ["collections": ["outbox"]], id: 13)
            _ = try await again.result("session.login", Self.doctor, id: 14)
            let applied = try await again.notification(timeout: .seconds(60)) {
                $0["params"]?["collection"] == "outbox" && $0["params"]?["id"] == .integer(message) && $0["params"]?["operation"] == "update"
            }
            _ = applied
            try await Self.waitUntil(again, entry: message, is: "applied")
            #expect(try await world.running.database.count("chat_message", where: "from_user_id = ?", [doctorID]) == messagesBefore + 1)
            let doctorStatus = try await again.result("status", id: 15)
            #expect(doctorStatus["outbox_other_accounts"] == 0)
            await again.close()
        }
    }

    /// Reads `outbox.get` until the entry is in `state` (each read answers at once; notifications
    /// say when to look again).
    static func waitUntil(_ client: APIClient, entry: Int, is state: JSONValue, timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await client.result("outbox.get", ["mutation_id": .integer(entry)], id: 50)["state"] == state { return }
            _ = try? await client.notification(timeout: .seconds(2)) { $0["params"]?["collection"] == "outbox" }
        }
        Issue.record("outbox entry \(entry) never became \(state)")
    }

    /// The bytes of the database file and its write-ahead log, as a Latin-1 text to search.
    static func databaseText(_ path: String) -> String {
        ["", "-wal"].compactMap { FileManager.default.contents(atPath: path + $0) }.map { String(decoding: $0, as: Unicode.ASCII.self) }
            .joined()
    }

    @Test("a patient's logout with a wipe leaves neither their ID-card number nor their phone in the database file or its WAL")
    func wipeLeavesNoTrace() async throws {
        try await AgentWorld.with(logoutWipes: true) { world in
            let idNumber = try #require(
                try await world.running.database.read { db in
                    try String.fetchOne(db, sql: "SELECT idno FROM user WHERE phone = '13800000021' AND type = 1")
                })
            #expect(idNumber.count >= 15)
            let client = try await world.client()
            try await Self.logIn(client, Self.patient, until: "users")
            // The check can fail: before the wipe, the mirror holds both numbers.
            let before = Self.databaseText(world.databasePath)
            #expect(before.contains(idNumber) && before.contains("13800000021"), "the mirror held the patient's numbers before the logout")

            #expect(try await client.result("session.logout", id: 3) == true)  // the deployment's default: wipe
            let after = Self.databaseText(world.databasePath)
            #expect(!after.contains(idNumber), "the ID-card number is gone from the file and its WAL")
            #expect(!after.contains("13800000021"), "the phone is gone from the file and its WAL")
            let status = try await client.result("status", id: 4)
            #expect(status["session"] == "logged_out")
            let refused = try await client.call("diagnoses.list", id: 5)
            #expect(refused["error"]?["code"] == -32011)
            await client.close()
        }
    }

    @Test("a logout that keeps the mirror (wipe: false) leaves it for the account's next login")
    func logoutKeeps() async throws {
        try await AgentWorld.with(logoutWipes: true) { world in
            let client = try await world.client()
            try await Self.logIn(client, Self.patient, until: "diagnoses")
            #expect(try await client.result("session.logout", ["wipe": false], id: 2) == true)
            #expect(Self.databaseText(world.databasePath).contains("13800000021"), "kept: the mirror is still in the file")
            await client.close()
        }
    }

    /// Polls `status` (each call answers at once) until `holds`, or fails after `timeout`.
    static func status(_ client: APIClient, timeout: Duration = .seconds(30), until holds: (JSONValue) -> Bool) async throws -> JSONValue {
        let deadline = ContinuousClock.now + timeout
        var last: JSONValue = .null
        while ContinuousClock.now < deadline {
            last = try await client.result("status", id: 70)
            if holds(last) { return last }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw UnexpectedReply(reply: last)
    }

    @Test("only the configured account's own expired session is signed in again: a session opened over the socket waits for its person")
    func expiredSessionNeverSwitchesAccount() async throws {
        #expect(SyncAgent.signsInAgain(origin: .configured, role: .doctor, credentials: Self.configuredDoctor))
        #expect(!SyncAgent.signsInAgain(origin: .socket, role: .doctor, credentials: Self.configuredDoctor))
        #expect(!SyncAgent.signsInAgain(origin: .socket, role: .patient, credentials: Self.configuredDoctor))
        #expect(SyncAgent.signsInAgain(origin: nil, role: .doctor, credentials: Self.configuredDoctor))
        #expect(!SyncAgent.signsInAgain(origin: nil, role: .patient, credentials: Self.configuredDoctor))

        try await AgentWorld.with(credentials: Self.configuredDoctor) { world in
            let client = try await world.client()
            let doctorSessions = "user_id = (SELECT id FROM user WHERE phone = '13800000001' AND type = 2)"
            _ = try await Self.status(client) { $0["role"] == "doctor" && $0["session"] == "active" }
            #expect(try await world.running.database.count("session", where: doctorSessions) == 1)
            // The configured account's session expires: the daemon signs it in again by itself.
            await world.running.server.faults.add(FaultRule(.expireToken, times: 1))
            _ = try await client.result("sync.now", id: 2)
            _ = try await Self.status(client) { _ in true }
            try await Self.until { try await world.running.database.count("session", where: doctorSessions) == 2 }
            _ = try await Self.status(client) { $0["role"] == "doctor" && $0["session"] == "active" }

            // A patient logs in at the kiosk, and that session expires: it waits for the patient.
            _ = try await client.result("session.login", Self.patient, id: 3)
            await world.running.server.faults.add(FaultRule(.expireToken, times: 1))
            _ = try await client.result("sync.now", id: 4)
            let expired = try await Self.status(client) { $0["session"] == "expired" }
            #expect(expired["role"] == "patient")
            // sync.now is refused while the session is expired; one more upstream round trip (a
            // sign-in of the doctor, had it started, would be answered before it) changes nothing.
            #expect(try await client.call("sync.now", id: 5)["error"]?["data"]?["kind"] == "session_expired")
            _ = try await client.result("account.send_code", ["phone": "13800000026"], id: 7)
            #expect(try await world.running.database.count("session", where: doctorSessions) == 2)
            #expect(try await client.result("status", id: 6)["role"] == "patient")
            await client.close()
        }
    }

    @Test("a logout lets a send under way get its answer: the entry is applied, not left unknown to settle")
    func logoutWaitsForASendUnderWay() async throws {
        try await AgentWorld.with { world in
            let client = try await world.client()
            try await Self.logIn(client, Self.doctor, until: "projects")
            await world.running.server.faults.add(FaultRule(.delay, method: "POST", path: "/chat", times: 1, delayMilliseconds: 1500))
            let patientID = try #require(try await world.upstream("SELECT id FROM user WHERE phone = '13800000021' AND type = 1").first)
            let message = try Self.mutationID(try await client.result("chat.send", ["to_user_id": .integer(patientID), "content": "慢一点的回复"], id: 2))
            try await Self.until { try await client.result("outbox.get", ["mutation_id": .integer(message)], id: 3)["state"] == "in_flight" }
            #expect(try await client.result("session.logout", id: 4) == true)
            #expect(try await world.agent.store.outboxEntry(message)?.state == .applied)
            #expect(try await world.running.database.count("chat_message", where: "content = '慢一点的回复'") == 1)
            await client.close()
        }
    }

    static let configuredDoctor = SyncAgent.Credentials(phone: "13800000001", password: "demo123", role: .doctor)

    /// Waits until `holds`, checking every 20 ms, or fails after `timeout`.
    static func until(timeout: Duration = .seconds(30), _ holds: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await holds() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("the condition did not hold within \(timeout)")
    }

    @Test("a subscriber asking for changes older than the journal keeps gets one resync_required")
    func resyncBelowTheHorizon() async throws {
        try await AgentWorld.with { world in
            let client = try await world.client()
            try await Self.logIn(client, Self.doctor, until: "projects")
            let trimmed = try await world.agent.store.trimJournal(maxEntries: 1, maxAge: 86_400)
            #expect(trimmed > 0, "the pull wrote journal entries to trim")
            let horizon = try await world.agent.store.journalHorizon()
            let late = try await world.client()
            let subscribed = try await late.result("changes.subscribe", ["since_seq": .integer(horizon - 1)], id: 2)
            let notice = try await late.notification(timeout: .seconds(10)) { $0["method"] == "resync_required" }
            #expect(notice["params"]?["subscription"] == subscribed["subscription"])
            // From the horizon itself, nothing is missing: no resync.
            let current = try await late.result("changes.subscribe", ["since_seq": .integer(horizon)], id: 3)
            #expect(current["subscription"] != nil)
            let patient = try #require(try await world.upstream("SELECT id FROM user WHERE phone = '13800000021' AND type = 1").first)
            _ = try await client.result("chat.send", ["to_user_id": .integer(patient), "content": "下午两点见"], id: 4)
            let next = try await late.notification(timeout: .seconds(30)) {
                $0["params"]?["subscription"] == current["subscription"]
            }
            #expect(next["method"] == "changes", "a subscriber within the journal is caught up, not resynced: \(next)")
            await late.close()
            await client.close()
        }
    }
}
