import Foundation
import HTTPTypes
import HummingbirdTesting
import SyncEngine
import Testing
import VolunteerAPI

@testable import Kiosk

/// The screens over the real socket: login, a doctor's clinic day from the mirror, refused
/// fields, mutations pending then applied, rejections where the user acted, and the page
/// states for a daemon that is not there.
@Suite("vdkiosk screens")
struct KioskScreenTests {
    @Test("logging in through the form lands on the doctor's home, which lists the doctor's clinics from the mirror")
    func loginAndHome() async throws {
        try await KioskWorld.with { world in
            let session = try await world.openSession()
            let before = try await world.get("/doctor", cookie: session.cookie)
            #expect(before.status == .seeOther && before.headers[.location] == "/login")
            let login = try await world.post("/login", [("phone", "13800000001"), ("password", "demo123"), ("role", "doctor")], session: session)
            #expect(login.status == .seeOther && login.headers[.location] == "/doctor")
            let api = try await world.agent.client()
            let clinics = try await waitFor("the first pull of the doctor's clinics") {
                let page = try await api.result("projects.list", ["scope": "mine", "from_date": .string(Views.today()), "status": 1])
                return (page["items"]?.arrayValue?.count ?? 0) > 0 ? page : nil
            }
            // Online once the first pull reached vdapi; the page reads the strip from `status`.
            let home = try await waitFor("the strip online") {
                let page = String(buffer: try await world.get("/doctor", cookie: session.cookie).body)
                return page.contains("class=\"badge online\"") ? page : nil
            }
            for item in clinics["items"]?.arrayValue ?? [] {
                #expect(home.contains("href=\"/doctor/clinics/\(item["id"]?.intValue ?? 0)\""))
            }
            #expect(home.contains(KioskStrings.text("clinics_today")) && home.contains("id=\"status-strip\""))
            // Another role's screen leads to this role's home, not to an error.
            for other in ["/patient", "/assistant/patients", "/patient/bookings"] {
                let moved = try await world.get(other, cookie: session.cookie)
                #expect(moved.status == .seeOther && moved.headers[.location] == "/doctor", "\(other)")
            }
            await api.close()
        }
    }

    @Test("a patient logs in with an SMS code, and lands on the patient's home")
    func codeLogin() async throws {
        try await KioskWorld.with { world in
            let session = try await world.openSession()
            let sent = try await world.post("/login/code/send", [("phone", "13800000021")], session: session)
            #expect(sent.status == .ok)
            let page = String(buffer: sent.body)
            #expect(page.contains(KioskStrings.text("code_sent")))
            // The code form carries the phone on to the next step.
            #expect(page.contains("<input type=\"hidden\" name=\"phone\" value=\"13800000021\">"))
            let wrong = try await world.post("/login/code", [("phone", "13800000021"), ("verify_code", "000000")], session: session)
            #expect(wrong.status == .unprocessableContent)
            // vdapi's development SMS code (docs/reference-server.md).
            let login = try await world.post("/login/code", [("phone", "13800000021"), ("verify_code", "123456")], session: session)
            #expect(login.status == .seeOther && login.headers[.location] == "/patient")
            let api = try await world.agent.client()
            let status = try await api.result("status")
            #expect(status["role"] == "patient" && status["session"] == "active")
            await api.close()
        }
    }

    @Test("a doctor's chat lists the dialogs, shows a dialog's messages, and sends one that shows at once and reaches the upstream")
    func chat() async throws {
        try await KioskWorld.with { world in
            let api = try await world.agent.client()
            _ = try await api.result("session.login", KioskWorld.doctor)
            let dialog = try await waitFor("the doctor's dialogs") {
                let page = try await api.result("dialogs.list")
                return page["items"]?.arrayValue?.first { $0["record"]?["patient_user"]?["real_name"] == "赵明" }?["id"]?.intValue
            }
            _ = try await waitFor("the dialog's messages") {
                let page = try await api.result("dialogs.messages", ["dialog_id": .integer(dialog)])
                return (page["items"]?.arrayValue?.count ?? 0) > 0 ? true : nil
            }
            let session = try await world.openSession()
            let list = String(buffer: try await world.get("/chats", cookie: session.cookie).body)
            #expect(list.contains("href=\"/chats/\(dialog)\"") && list.contains("赵明"))
            let before = String(buffer: try await world.get("/chats/\(dialog)", cookie: session.cookie).body)
            #expect(before.contains("与赵明的聊天") && before.contains("先不要自行加药"))
            let sent = try await world.post("/chats/\(dialog)", [("content", "请按时复诊")], session: session)
            #expect(sent.status == .seeOther && sent.headers[.location] == "/chats/\(dialog)")
            let after = String(buffer: try await world.get("/chats/\(dialog)", cookie: session.cookie).body)
            #expect(after.contains("<span class=\"content\">请按时复诊</span>"))
            _ = try await waitFor("the message upstream") {
                try await world.agent.upstream("SELECT id FROM chat_message WHERE content = '请按时复诊'").first
            }
            let empty = try await world.post("/chats/\(dialog)", [("content", "")], session: session)
            #expect(empty.status == .unprocessableContent)
            #expect(String(buffer: empty.body).contains("id=\"content-error\">\(KioskStrings.text("field_required"))</p>"))
            await api.close()
        }
    }

    @Test("a refused field shows its message beside the field, and the form keeps what was typed")
    func refusedField() async throws {
        try await KioskWorld.with { world in
            let session = try await world.openSession()
            let login = try await world.post("/login", [("phone", "13800000001"), ("role", "assistant")], session: session)
            #expect(login.status == .unprocessableContent)
            let page = String(buffer: login.body)
            #expect(page.contains("<p class=\"field-error\" id=\"password-error\">\(KioskStrings.text("field_required"))</p>"))
            #expect(page.contains("value=\"13800000001\""))
            #expect(page.contains("value=\"assistant\" checked"))

            let api = try await world.agent.client()
            _ = try await api.result("session.login", KioskWorld.doctor)
            try await world.waitForBooking(15, api)
            let reject = try await world.post("/doctor/bookings/15/reject", [("reason", "  ")], session: session)
            #expect(reject.status == .unprocessableContent)
            #expect(String(buffer: reject.body).contains("id=\"reason-error\">\(KioskStrings.text("field_required"))</p>"))
            #expect(try await api.result("outbox.list").arrayValue?.isEmpty == true)
            await api.close()
        }
    }

    @Test("a mutation made on a screen shows there as pending, then as applied, and its record as changed")
    func pendingThenApplied() async throws {
        try await KioskWorld.with { world in
            let api = try await world.agent.client()
            _ = try await api.result("session.login", KioskWorld.doctor)
            let session = try await world.openSession()
            let done = try await world.post("/doctor/bookings/15/seen", [], session: session)
            #expect(done.status == .seeOther && done.headers[.location] == "/doctor/bookings/15")
            let applied = try await waitFor("the entry applied") {
                let page = String(buffer: try await world.get("/doctor/bookings/15", cookie: session.cookie).body)
                return page.contains("class=\"action action-applied\"") ? page : nil
            }
            #expect(applied.contains("\(KioskStrings.text("kind_diagnosis.markDone"))：\(KioskStrings.text("state_applied"))"))
            #expect(applied.contains("<span id=\"visit-status\">\(KioskStrings.text("visit_seen"))</span>"))
            #expect(try await world.agent.upstream("SELECT id FROM diagnosis WHERE id = 15 AND status = 3") == [15])
            await api.close()
        }
    }

    @Test("a rejection shows the server's message where the user acted and on the outbox screen, with retry and discard")
    func rejection() async throws {
        try await KioskWorld.with { world in
            let api = try await world.agent.client()
            _ = try await api.result("session.login", KioskWorld.doctor)
            let session = try await world.openSession()
            // Booking 17 was cancelled by its patient: the upstream refuses to mark it seen.
            _ = try await world.post("/doctor/bookings/17/seen", [], session: session)
            let page = try await waitFor("the rejection") {
                let page = String(buffer: try await world.get("/doctor/bookings/17", cookie: session.cookie).body)
                return page.contains("action-rejected") ? page : nil
            }
            let entry = try #require(try await api.result("outbox.list", ["states": ["rejected"]]).arrayValue?.first)
            let message = try #require(entry["upstream_error_message"]?.stringValue)
            #expect(page.contains("<span class=\"server-message\">\(message)</span>"))
            let outbox = String(buffer: try await world.get("/outbox", cookie: session.cookie).body)
            let id = try #require(entry["mutation_id"]?.intValue)
            #expect(outbox.contains("action=\"/outbox/\(id)/retry\"") && outbox.contains("action=\"/outbox/\(id)/discard\""))
            #expect(outbox.contains(message))
            let discard = try await world.post("/outbox/\(id)/discard", [], session: session)
            #expect(discard.status == .seeOther)
            #expect(!String(buffer: try await world.get("/outbox", cookie: session.cookie).body).contains("data-mutation=\"\(id)\""))
            await api.close()
        }
    }

    @Test("a kiosk user the daemon serves read-only gets the screens, and every write says so beside the form; nothing is queued")
    func readOnlyPeer() async throws {
        try await KioskWorld.with(
            configure: { $0.peerPolicy.readOnlyUIDs = [getuid()] },
            credentials: SyncAgent.Credentials(phone: "13800000001", password: "demo123", role: .doctor)
        ) { world in
            let session = try await world.openSession()
            let home = try await waitFor("the doctor's home") {
                let page = try await world.get("/doctor", cookie: session.cookie)
                return page.status == .ok ? String(buffer: page.body) : nil
            }
            #expect(home.contains(KioskStrings.text("clinics_today")))
            let api = try await world.agent.client()
            try await world.waitForBooking(15, api)
            await api.close()
            let refused = try await world.post("/doctor/bookings/15/seen", [], session: session)
            #expect(refused.status == .unprocessableContent)
            #expect(String(buffer: refused.body).contains(KioskStrings.text("forbidden_body")))
            let counts = try await world.agent.agent.store.outboxCounts()
            #expect(counts.values.reduce(0, +) == 0)
        }
    }

    @Test("with the daemon unreachable a screen is a clear page that retries by itself, never a blank page")
    func daemonUnreachable() async throws {
        try await KioskWorld.with(socketPath: { $0.path + ".missing" }) { world in
            let session = try await world.openSession(readingCSRF: false)
            let page = try await world.get("/doctor", cookie: session.cookie)
            #expect(page.status == .serviceUnavailable)
            let text = String(buffer: page.body)
            #expect(text.contains(KioskStrings.text("daemon_unreachable_title")) && text.contains("data-retry=\"1\""))
            #expect(page.headers[.retryAfter] == "3")
        }
    }
}

/// Polls `probe` until it gives a value, for at most `timeout`; the wait is for an event, not a
/// fixed time.
func waitFor<Value>(_ what: String, timeout: Duration = .seconds(30), _ probe: () async throws -> Value?) async throws -> Value {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if let value = try await probe() { return value }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw KioskTestFailure("timed out waiting for \(what)")
}
