import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LocalRPC
import Logging
import NIOCore
import SyncEngine
import VolunteerAPI

@testable import Kiosk

/// vdkiosk's routes served live (HummingbirdTesting's `.live` framework: a real HTTP/1 server on
/// a free port) over the real socket of an ``AgentWorld``: the daemon's local API, its mirror
/// file and vdapi behind it.
struct KioskWorld {
    let agent: AgentWorld
    let client: any TestClientProtocol
    let token: StartupToken

    static let doctor: JSONValue = ["phone": "13800000001", "password": "demo123", "role": "doctor"]

    /// Runs `body` with vdkiosk in front of a fresh AgentWorld's socket.
    static func with(
        socketPath: ((AgentWorld) -> String)? = nil, configure: (inout RPCServerConfiguration) -> Void = { _ in },
        credentials: SyncAgent.Credentials? = nil, _ body: @escaping @Sendable (KioskWorld) async throws -> Void
    ) async throws {
        try await AgentWorld.with(configure: configure, credentials: credentials) { agent in
            var logger = Logger(label: "kiosk-test")
            logger.logLevel = .warning
            let token = StartupToken.random()
            let configuration = KioskConfiguration(socketPath: socketPath?(agent) ?? agent.path, startupToken: token, statusRefresh: .milliseconds(200))
            let link = DaemonLink(socketPath: configuration.socketPath, logger: logger)
            let server = KioskServer(configuration: configuration, logger: logger)
            let application = Application(router: try server.buildRouter(link: link), logger: logger)
            try await application.test(.live) { client in
                try await body(KioskWorld(agent: agent, client: client, token: token))
            }
            await link.close()
        }
    }

    /// A browser session: the token exchanged for the cookie, and the page's CSRF token.
    struct Session {
        let cookie: String
        let csrf: String
    }

    func openSession(readingCSRF: Bool = true) async throws -> Session {
        let exchange = try await get("/?token=\(token.value)")
        guard exchange.status == .seeOther, let setCookie = exchange.headers[.setCookie],
            let pair = setCookie.split(separator: ";").first
        else { throw KioskTestFailure("no session cookie: \(exchange.status) \(exchange.headers)") }
        let cookie = String(pair)
        guard readingCSRF else { return Session(cookie: cookie, csrf: "") }
        let page = try await get("/login", cookie: cookie)
        guard let csrf = Self.csrf(in: String(buffer: page.body)) else { throw KioskTestFailure("no CSRF token on /login") }
        return Session(cookie: cookie, csrf: csrf)
    }

    func get(_ uri: String, cookie: String? = nil, headers: HTTPFields = [:]) async throws -> TestResponse {
        var headers = headers
        if let cookie { headers[.cookie] = cookie }
        return try await client.executeRequest(uri: uri, method: .get, headers: headers, body: nil)
    }

    /// A form post, url-encoded, with the session's cookie and (unless told otherwise) its CSRF token.
    func post(_ uri: String, _ fields: [(String, String)], session: Session?, csrf: String? = nil, headers: HTTPFields = [:]) async throws -> TestResponse {
        var headers = headers
        headers[.contentType] = "application/x-www-form-urlencoded"
        if let session { headers[.cookie] = session.cookie }
        var all = fields
        if let token = csrf ?? session?.csrf { all.append(("_csrf", token)) }
        var components = URLComponents()
        components.queryItems = all.map { URLQueryItem(name: $0.0, value: $0.1) }
        let body = (components.percentEncodedQuery ?? "").replacingOccurrences(of: "%20", with: "+")
        return try await client.executeRequest(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    /// Waits until the mirror holds booking `id` (the doctor's first pull).
    func waitForBooking(_ id: Int, _ api: APIClient) async throws {
        _ = try await waitFor("booking \(id) in the mirror") {
            let reply = try await api.call("diagnoses.get", ["diagnosis_id": .integer(id)])
            return reply["result"] != nil ? true : nil
        }
    }

    static func csrf(in html: String) -> String? {
        guard let range = html.range(of: "name=\"_csrf\" value=\"") else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }
}

struct KioskTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
