import Foundation
import GRDB
import MirrorStore
import ReferenceServer
import SyncEngine
import Testing
import VolunteerAPI

@testable import LocalAPI
@testable import LocalRPC

/// The account flows through the socket alone, against vdapi (whose development codes are fixed:
/// SMS `123456`, captcha `1234`): codes with and without a captcha, registering, the login by
/// code, a new password, an assistant binding a patient; refusals and a lost link told apart;
/// passwords never kept.
@Suite("Account flows")
struct AccountFlowTests {
    static let newPhone = "13900000077"

    @Test("a new patient registers with an SMS code, logs out, and signs in again by phone and code")
    func registerAndSignInByCode() async throws {
        try await AgentWorld.with { world in
            let client = try await world.client()
            #expect(try await client.result("account.send_code", ["phone": .string(Self.newPhone)], id: 1) == true)
            let password = "Kiosk-pw-8c41"
            let registered = try await client.result(
                "account.register", ["phone": .string(Self.newPhone), "verify_code": "123456", "password": .string(password), "role": "patient"],
                id: 2)
            #expect(registered["role"] == "patient")
            let userID = try #require(try await world.upstream("SELECT id FROM user WHERE phone = ? AND type = 1", [Self.newPhone]).first)
            #expect(registered["user_id"] == .integer(userID))
            let status = try await client.result("status", id: 3)
            #expect(status["session"] == "active" && status["user_id"] == .integer(userID))
            _ = try await client.result("session.logout", id: 4)

            // A used code is refused with the server's reason; a fresh one signs the same account in.
            let reused = try await client.call("session.login_by_code", ["phone": .string(Self.newPhone), "verify_code": "123456"], id: 5)
            #expect(reused["error"]?["code"] == -32010)
            #expect(reused["error"]?["data"]?["upstream_error_code"] != nil)
            _ = try await client.result("account.send_code", ["phone": .string(Self.newPhone)], id: 6)
            let signedIn = try await client.result("session.login_by_code", ["phone": .string(Self.newPhone), "verify_code": "123456"], id: 7)
            #expect(signedIn["user_id"] == .integer(userID))
            #expect(signedIn["is_new"] == false)
            #expect(try await client.result("status", id: 8)["role"] == "patient")

            // Neither the password nor the code was kept.
            let stored = SharedKioskTests.databaseText(world.databasePath)
            #expect(!stored.contains(password))
            await client.close()
        }
    }

    @Test("a new password with an SMS code: the old one stops working, the new one logs in")
    func resetPassword() async throws {
        try await AgentWorld.with { world in
            let client = try await world.client()
            _ = try await client.result("account.send_code", ["phone": "13800000022"], id: 1)
            let reset = try await client.result(
                "account.reset_password", ["phone": "13800000022", "verify_code": "123456", "password": "new-pass-22", "role": "patient"], id: 2)
            #expect(reset == true)
            let old = try await client.call("session.login", ["phone": "13800000022", "password": "demo123", "role": "patient"], id: 3)
            #expect(old["error"]?["code"] == -32010)
            let new = try await client.result("session.login", ["phone": "13800000022", "password": "new-pass-22", "role": "patient"], id: 4)
            #expect(new["role"] == "patient")
            // A wrong code is the upstream's refusal, with its reason.
            let wrong = try await client.call(
                "account.reset_password", ["phone": "13800000022", "verify_code": "000000", "password": "another-22", "role": "patient"], id: 5)
            #expect(wrong["error"]?["code"] == -32014)
            #expect(wrong["error"]?["data"]?["kind"] == "account_refused")
            await client.close()
        }
    }

    @Test("the captcha variant: the image reaches the front end, its answer sends the code, a wrong answer is refused")
    func captcha() async throws {
        try await AgentWorld.with { world in
            let client = try await world.client()
            let captcha = try await client.result("account.captcha", id: 1)
            guard case .string(let image)? = captcha["image"], let bytes = Data(base64Encoded: image), case .string(let id)? = captcha["captcha_id"] else {
                throw UnexpectedReply(reply: captcha)
            }
            #expect(captcha["content_type"] == "image/svg+xml")
            #expect(String(decoding: bytes, as: UTF8.self).contains("<svg"))
            let wrong = try await client.call("account.send_code", ["phone": "13800000023", "captcha_id": .string(id), "captcha_code": "9999"], id: 2)
            #expect(wrong["error"]?["code"] == -32014)
            let fresh = try await client.result("account.captcha", id: 3)
            let sent = try await client.result(
                "account.send_code", ["phone": "13800000023", "captcha_id": fresh["captcha_id"] ?? .null, "captcha_code": "1234"], id: 4)
            #expect(sent == true)
            #expect(try await world.running.database.count("verify_code", where: "phone = ?", ["13800000023"]) == 1)
            let half = try await client.call("account.send_code", ["phone": "13800000023", "captcha_id": .string(id)], id: 5)
            #expect(half["error"]?["code"] == -32602)
            await client.close()
        }
    }

    @Test("an assistant binds an existing patient with the SMS code the patient received")
    func assistantBindsPatient() async throws {
        try await AgentWorld.with { world in
            let client = try await world.client()
            try await SharedKioskTests.logIn(client, SharedKioskTests.assistant, until: "users")
            let assistantID = try #require(try await world.upstream("SELECT id FROM user WHERE phone = '13800000011' AND type = 3").first)
            let phone = try #require(
                try await world.running.database.read { db in
                    try String.fetchOne(
                        db,
                        sql:
                            "SELECT phone FROM user WHERE type = 1 AND id NOT IN (SELECT patient_id FROM assistant_patient WHERE assistant_id = ?) ORDER BY id",
                        arguments: [assistantID])
                })
            #expect(try await client.result("account.send_code", ["phone": .string(phone)], id: 2) == true)
            let bind = try await client.result("patient.bind", ["phone": .string(phone), "verify_code": "123456"], id: 3)
            let entry = try SharedKioskTests.mutationID(bind)
            try await SharedKioskTests.waitUntil(client, entry: entry, is: "applied")
            #expect(
                try await world.running.database.count(
                    "assistant_patient", where: "assistant_id = ? AND patient_id = (SELECT id FROM user WHERE phone = ? AND type = 1)", [assistantID, phone])
                    == 1)
            await client.close()
        }
    }

    @Test("without the upstream an account flow answers unreachable, which is retryable; bad input names the field")
    func offlineAndBadInput() async throws {
        try await AgentWorld.with { world in
            let client = try await world.client()
            await world.running.server.faults.add(FaultRule(.resetBeforeHandler, method: "POST", path: "/phone/verifycode", times: 1))
            let lost = try await client.call("account.send_code", ["phone": "13800000024"], id: 1)
            #expect(lost["error"]?["code"] == -32013)
            #expect(lost["error"]?["data"]?["retryable"] == true)
            #expect(try await client.result("account.send_code", ["phone": "13800000024"], id: 2) == true, "and a retry succeeds")
            let badPhone = try await client.call("account.send_code", ["phone": "12345"], id: 3)
            #expect(badPhone["error"]?["code"] == -32602)
            let shortPassword = try await client.call(
                "account.register", ["phone": "13900000078", "verify_code": "123456", "password": "12345", "role": "patient"], id: 4)
            #expect(shortPassword["error"]?["code"] == -32602)
            await client.close()
        }
    }
}
