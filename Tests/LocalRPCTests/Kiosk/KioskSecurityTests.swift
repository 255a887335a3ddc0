import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
import VolunteerAPI

@testable import Kiosk

/// vdkiosk's guards on a live server: the start-up token and its cookie, the Host and Origin
/// allow-lists, the CSRF token, and the headers every answer carries.
@Suite("vdkiosk security")
struct KioskSecurityTests {
    @Test("without the token or a session every page is 401; the token opens a session with a strict cookie and leaves the address bar")
    func token() async throws {
        try await KioskWorld.with { world in
            let refused = try await world.get("/doctor")
            #expect(refused.status == .unauthorized)
            #expect(String(buffer: refused.body).contains(KioskStrings.text("token_needed_title")))
            #expect(try await world.get("/?token=not-the-token").status == .unauthorized)
            #expect(try await world.get("/", cookie: "\(KioskSessions.cookieName)=forged").status == .unauthorized)
            // The stylesheet and script hold no patient data: served to the token page too.
            #expect(try await world.get("/static/kiosk.css").status == .ok)

            let exchange = try await world.get("/outbox?token=\(world.token.value)&view=all")
            #expect(exchange.status == .seeOther)
            #expect(exchange.headers[.location] == "/outbox?view=all")
            let cookie = try #require(exchange.headers[.setCookie])
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"))
            #expect(!cookie.contains(world.token.value))
            let session = String(try #require(cookie.split(separator: ";").first))
            #expect(try await world.get("/login", cookie: session).status == .ok)
        }
    }

    @Test("a foreign Host or Origin is refused before anything else happens")
    func allowLists() async throws {
        try await KioskWorld.with { world in
            let session = try await world.openSession()
            let port = try #require(world.client.port)
            // DNS rebinding: the browser sends the attacker's name as Host.
            let foreignHost = try await HummingbirdTesting.TestClient.withClient(host: "127.0.0.1", port: port) { client in
                try await client.execute(
                    HummingbirdTesting.TestClient.Request("/doctor?token=\(world.token.value)", method: .get, authority: "evil.example:\(port)", headers: [:]))
            }
            #expect(foreignHost.status == .forbidden)
            #expect(foreignHost.headers[.setCookie] == nil)
            // A cross-site form post, even with a valid session and CSRF token.
            let crossSite = try await world.post(
                "/doctor/bookings/15/seen", [], session: session, headers: [.origin: "http://evil.example"])
            #expect(crossSite.status == .forbidden)
            let nullOrigin = try await world.post("/doctor/bookings/15/seen", [], session: session, headers: [.origin: "null"])
            #expect(nullOrigin.status == .forbidden)
            // The kiosk's own origin passes (the login form, refused for its empty fields).
            let sameSite = try await world.post("/login", [("phone", "13800000001")], session: session, headers: [.origin: "http://localhost:\(port)"])
            #expect(sameSite.status == .unprocessableContent)
            let api = try await world.agent.client()
            _ = try await api.result("session.login", KioskWorld.doctor)
            let outbox = try await api.result("outbox.list")
            #expect(outbox.arrayValue?.isEmpty == true)
            await api.close()
        }
    }

    @Test("a state change without the session's CSRF token is refused and queues nothing")
    func csrf() async throws {
        try await KioskWorld.with { world in
            let api = try await world.agent.client()
            _ = try await api.result("session.login", KioskWorld.doctor)
            let session = try await world.openSession()
            let missing = try await world.post("/doctor/bookings/15/seen", [], session: session, csrf: "")
            #expect(missing.status == .forbidden)
            let wrong = try await world.post("/doctor/bookings/15/seen", [], session: session, csrf: String(repeating: "0", count: 64))
            #expect(wrong.status == .forbidden)
            let other = try await world.openSession()
            let foreignToken = try await world.post("/doctor/bookings/15/seen", [], session: session, csrf: other.csrf)
            #expect(foreignToken.status == .forbidden)
            #expect(try await api.result("outbox.list").arrayValue?.isEmpty == true)
            let accepted = try await world.post("/doctor/bookings/15/seen", [], session: session)
            #expect(accepted.status == .seeOther)
            #expect(try await api.result("outbox.list").arrayValue?.count == 1)
            await api.close()
        }
    }

    @Test("every answer, a refusal too, forbids inline script, framing and caching")
    func headers() async throws {
        try await KioskWorld.with { world in
            let session = try await world.openSession()
            let answers = [
                try await world.get("/login", cookie: session.cookie), try await world.get("/doctor"),
                try await world.get("/no-such-screen", cookie: session.cookie), try await world.get("/doctor/bookings/abc", cookie: session.cookie),
            ]
            #expect(answers.map(\.status) == [.ok, .unauthorized, .notFound, .badRequest])
            for response in answers {
                let policy = try #require(response.headers[.contentSecurityPolicy])
                #expect(policy.contains("script-src 'self'") && policy.contains("default-src 'none'") && policy.contains("frame-ancestors 'none'"))
                #expect(!policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"))
                #expect(response.headers[.cacheControl] == "no-store")
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
                // Not no-referrer: under it Chromium sends `Origin: null` with the kiosk's own
                // form posts, which the allow-list refuses (found by the browser scenarios).
                #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "same-origin")
            }
            // No inline script or style attribute: the policy would block it, so none is sent.
            let page = String(buffer: try await world.get("/login", cookie: session.cookie).body)
            #expect(!page.contains("<script>") && !page.contains(" onclick=") && !page.contains(" style="))
        }
    }
}
