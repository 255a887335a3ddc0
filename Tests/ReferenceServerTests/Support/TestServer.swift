import AsyncHTTPClient
import Foundation
import GRDB
import Logging
import NIOCore
import ReferenceServerTestKit
import Testing
import VolunteerAPI

@testable import ReferenceServer

/// A real `vdapi` on loopback port 0 with an in-memory database (`RunningReferenceServer`),
/// for one test, and an HTTP client to call it. `withRunning` starts it, runs the test body, and stops it.
struct TestServer {
    let server: ReferenceServer
    let api: URL
    let admin: URL?
    let client: HTTPClient

    var database: ReferenceDatabase { server.database }

    static func withRunning<T: Sendable>(
        configure: (inout ReferenceServerConfiguration) -> Void = { _ in },
        _ body: (TestServer) async throws -> T
    ) async throws -> T {
        try await RunningReferenceServer.withRunning(configure: configure) { running in
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            let server = TestServer(server: running.server, api: running.api, admin: running.admin, client: client)
            let result: Result<T, any Error>
            do {
                result = .success(try await body(server))
            } catch {
                result = .failure(error)
            }
            try await client.shutdown()
            return try result.get()
        }
    }
}

/// How a test sends an endpoint's parameters in the body.
enum BodyEncoding: Sendable {
    case json, form, multipart
}

/// One answer of the API: the HTTP status and the envelope.
struct APIAnswer: Sendable {
    let status: Int
    let headers: [(String, String)]
    let body: ByteBuffer

    var json: JSONValue {
        get throws { try JSONDecoder().decode(JSONValue.self, from: Data(body.readableBytesView)) }
    }

    var errorCode: Int {
        get throws { try #require(json["error_code"].flatMap { if case .integer(let code) = $0 { code } else { nil } }) }
    }

    var errorMessage: String {
        get throws { if case .string(let text)? = try json["error_message"] { text } else { "" } }
    }

    /// The payload of a successful answer; fails the test with the server's message otherwise.
    func payload<Payload: Decodable & Sendable>(_ type: Payload.Type, role: UserRole? = nil) throws -> Payload {
        let decoder = JSONDecoder()
        if let role { decoder.userInfo[UserProfile.expectedRoleKey] = role }
        let envelope = try decoder.decode(Envelope<Payload>.self, from: Data(body.readableBytesView))
        #expect(envelope.errorCode == 0, "error \(envelope.errorCode): \(envelope.errorMessage ?? "")")
        return try envelope.payload()
    }

    /// Expects a refusal with `code`, answered with the HTTP status of its class and a message.
    func expectFailure(_ code: ErrorCode, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let received = try errorCode
        let message = try errorMessage
        #expect(status == code.httpStatus, "\(code) is sent with HTTP \(code.httpStatus), got \(status)", sourceLocation: sourceLocation)
        #expect(received == code.rawValue, "expected \(code), got \(received): \(message)", sourceLocation: sourceLocation)
        #expect(!message.isEmpty, sourceLocation: sourceLocation)
    }

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
}

extension TestServer {
    /// Calls `endpoint` with path values and parameters, as a client of the documented API would.
    func call(
        _ endpoint: Endpoint, _ path: [String: String] = [:], _ parameters: [String: JSONValue] = [:],
        token: String? = nil, encoding: BodyEncoding = .json, headers extra: [(String, String)] = []
    ) async throws -> APIAnswer {
        var url = api.absoluteString + (try endpoint.path.render(path))
        let sendsBody = endpoint.method == .post || endpoint.method == .put
        var request: HTTPClientRequest
        if !sendsBody, !parameters.isEmpty {
            url += "?" + Self.formEncoded(parameters)
        }
        request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: endpoint.method.rawValue)
        if let token { request.headers.add(name: "X-auth-token", value: token) }
        request.headers.add(name: "X-location", value: "116.40-39.90")
        for (name, value) in extra { request.headers.add(name: name, value: value) }
        if sendsBody {
            switch encoding {
            case .json:
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(JSONValue.object(parameters))))
            case .form:
                request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
                request.body = .bytes(ByteBuffer(string: Self.formEncoded(parameters)))
            case .multipart:
                let boundary = "vdapi-test-boundary"
                request.headers.add(name: "Content-Type", value: "multipart/form-data; boundary=\(boundary)")
                request.body = .bytes(ByteBuffer(string: Self.multipart(parameters, boundary: boundary)))
            }
        }
        return try await send(request)
    }

    func send(_ request: HTTPClientRequest) async throws -> APIAnswer {
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 16 << 20)
        return APIAnswer(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: body)
    }

    static func formEncoded(_ parameters: [String: JSONValue]) -> String {
        var items: [URLQueryItem] = []
        for (name, value) in parameters.sorted(by: { $0.key < $1.key }) {
            switch value {
            case .array(let elements): items += elements.map { URLQueryItem(name: "\(name)[]", value: text($0)) }
            default: items.append(URLQueryItem(name: name, value: text(value)))
            }
        }
        var components = URLComponents()
        components.queryItems = items
        return (components.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B")
    }

    static func multipart(_ parameters: [String: JSONValue], boundary: String) -> String {
        var body = ""
        for (name, value) in parameters.sorted(by: { $0.key < $1.key }) {
            let values: [JSONValue] = if case .array(let elements) = value { elements } else { [value] }
            for element in values {
                body +=
                    "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\(values.count > 1 || value.isArray ? "[]" : "")\"\r\n\r\n\(text(element))\r\n"
            }
        }
        return body + "--\(boundary)--\r\n"
    }

    private static func text(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): text
        case .integer(let number): String(number)
        case .number(let number): String(number)
        case .bool(let flag): flag ? "1" : "0"
        case .null: ""
        case .array, .object: String(decoding: (try? JSONEncoder().encode(value)) ?? Data(), as: UTF8.self)
        }
    }
}

extension JSONValue {
    var isArray: Bool {
        if case .array = self { return true }
        return false
    }
}
