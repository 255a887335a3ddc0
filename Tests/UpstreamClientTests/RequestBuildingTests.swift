import Foundation
import NIOCore
import Testing
import UpstreamClient
import VolunteerAPI

/// Building a request for an endpoint of the catalogue: path, query, JSON body and headers.
@Suite("Request building")
struct RequestBuildingTests {
    private let base = URL(string: "http://127.0.0.1:8080")!

    @Test("the path comes from the catalogue, appended to the base URL (and its prefix)")
    func path() throws {
        let request = try UpstreamRequest(endpoint: .projectJoin, path: ["id": "7"], baseURL: base)
        #expect(request.url == "http://127.0.0.1:8080/project/7/join")
        let prefixed = try UpstreamRequest(endpoint: .chatMessages, path: ["id": "a b"], baseURL: URL(string: "https://api.example.org/v1/")!)
        #expect(prefixed.url == "https://api.example.org/v1/chat/a%20b")
    }

    @Test("a path placeholder without a value cannot be built")
    func missingPathValue() {
        #expect(throws: UpstreamRequestError.missingPathValue(endpoint: "GET /project/{id}", name: "id")) {
            try UpstreamRequest(endpoint: .project, baseURL: base)
        }
    }

    @Test("GET parameters go in the query: sorted, percent-encoded, lists as name[]")
    func query() throws {
        let request = try UpstreamRequest(
            endpoint: .projects,
            parameters: ["sort": 1, "keyword": "老人 & +", "service_target": ["儿童", "老人"], "org_id": nil, "empty": []],
            baseURL: base)
        #expect(
            request.url
                == "http://127.0.0.1:8080/project?keyword=%E8%80%81%E4%BA%BA%20%26%20%2B&service_target%5B%5D=%E5%84%BF%E7%AB%A5&service_target%5B%5D=%E8%80%81%E4%BA%BA&sort=1"
        )
        #expect(request.body == nil)
        #expect(URL(string: request.url)?.query(percentEncoded: true) == String(request.url.split(separator: "?")[1]))
    }

    @Test("query values: booleans as 1/0, numbers as text")
    func queryValues() {
        #expect(UpstreamRequest.queryString(["a": true, "b": false, "c": 2.0, "d": 2.5, "e": 12]) == "a=1&b=0&c=2&d=2.5&e=12")
        #expect(UpstreamRequest.queryString(["x": [1, 2]]) == "x%5B%5D=1&x%5B%5D=2")
    }

    @Test("DELETE parameters go in the query too")
    func delete() throws {
        let request = try UpstreamRequest(endpoint: .unfollow, path: ["id": "3"], parameters: ["type": 2], baseURL: base)
        #expect(request.url == "http://127.0.0.1:8080/follow/user/3?type=2")
        #expect(request.body == nil)
    }

    @Test("POST and PUT parameters are a JSON object body, lists as arrays")
    func body() throws {
        let request = try UpstreamRequest(
            endpoint: .sendChatMessage,
            parameters: ["content": "你好", "photo": ["http://img.example/a.jpg"], "type": 1, "to_user_id": 5],
            baseURL: base)
        #expect(request.url == "http://127.0.0.1:8080/chat")
        let body = try #require(request.body)
        #expect(String(buffer: body) == #"{"content":"你好","photo":["http://img.example/a.jpg"],"to_user_id":5,"type":1}"#)
        #expect(request.headers.first(name: "Content-Type") == "application/json; charset=utf-8")
        let empty = try UpstreamRequest(endpoint: .completeProfile, baseURL: base)
        #expect(empty.body.map { String(buffer: $0) } == "{}")
    }

    @Test("headers: Accept always; the token and X-location only when given")
    func headers() throws {
        let anonymous = try UpstreamRequest(endpoint: .currentUser, baseURL: base)
        #expect(anonymous.headers.first(name: "Accept") == "application/json")
        #expect(!anonymous.headers.contains(name: "X-auth-token"))
        #expect(!anonymous.headers.contains(name: "X-location"))
        #expect(!anonymous.headers.contains(name: "Content-Type"))

        let request = try UpstreamRequest(endpoint: .currentUser, baseURL: base, token: "t0k3n", location: "116.4-39.9")
        #expect(request.headers.first(name: "X-auth-token") == "t0k3n")
        #expect(request.headers.first(name: "X-location") == "116.4-39.9")
        #expect(UpstreamConfiguration.location(longitude: 116.4, latitude: 39.9) == "116.4-39.9")
    }

    @Test("a request describes itself by method and template only")
    func description() throws {
        let request = try UpstreamRequest(endpoint: .projectJoin, path: ["id": "7"], parameters: ["plan_time": "secret"], baseURL: base, token: "t0k3n")
        #expect(request.description == "POST /project/{id}/join")
    }

    @Test("a session describes itself without its token")
    func session() throws {
        let session = UpstreamSession(token: "t0k3n", role: .doctor, userID: 12)
        #expect("\(session)" == "doctor #12")
        #expect(!String(reflecting: session).contains("t0k3n"))
        let decoded = try JSONDecoder().decode(UpstreamSession.self, from: JSONEncoder().encode(session))
        #expect(decoded == session)
    }
}
