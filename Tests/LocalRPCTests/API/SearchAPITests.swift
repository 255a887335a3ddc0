import Foundation
import MirrorStore
import Testing
import VolunteerAPI

@testable import LocalAPI
@testable import LocalRPC

/// `search` through the real socket, against vdapi's demo world: what a doctor's pull mirrored is
/// found by a name's characters, a message queued offline is found at once, and bad queries get
/// clear invalid-params errors.
@Suite("Search over the socket")
struct SearchAPITests {
    static func items(_ page: JSONValue) throws -> [JSONValue] {
        guard case .array(let items)? = page["items"] else { throw UnexpectedReply(reply: page) }
        return items
    }

    static func text(_ value: JSONValue?) -> String? {
        if case .string(let text)? = value { text } else { nil }
    }

    @Test("a mirrored patient's name and a project's hospital are found, ranked hits carry their kind and record")
    func findsMirroredRecords() async throws {
        try await AgentWorld.with { world in
            let client = try await world.client()
            let anonymous = try await client.call("search", ["query": "医院"])
            #expect(anonymous["error"]?["code"] == -32011)
            _ = try await client.result("changes.subscribe", ["collections": ["projects", "diagnoses"]])
            _ = try await client.result("session.login", LocalAPITests.doctor, id: 2)
            _ = try await client.notification { $0["params"]?["collection"] == "projects" }
            _ = try await client.notification { $0["params"]?["collection"] == "diagnoses" }
            let diagnoses = try Self.items(try await client.result("diagnoses.list", ["limit": 500], id: 4))
            let booked = try #require(diagnoses.first { (Self.text($0["record"]?["user_info"]?["real_name"])?.count ?? 0) >= 2 })
            let name = try #require(Self.text(booked["record"]?["user_info"]?["real_name"]))
            let page = try await client.result("search", ["query": .string(name), "kinds": ["diagnoses"], "limit": 500], id: 5)
            let hits = try Self.items(page)
            #expect(hits.contains { $0["id"] == booked["id"] })
            #expect(page["total"] == .integer(hits.count))
            for hit in hits {
                #expect(hit["kind"] == "diagnoses" && hit["collection"] == "diagnoses" && hit["pending"] != nil)
                #expect(Self.text(hit["record"]?["user_info"]?["real_name"])?.contains(name) == true)
            }

            let projects = try Self.items(try await client.result("projects.list", ["limit": 500], id: 6))
            let project = try #require(projects.first { (Self.text($0["record"]?["hospital_info"]?["name"])?.count ?? 0) >= 4 })
            let hospital = try #require(Self.text(project["record"]?["hospital_info"]?["name"]))
            let middle = String(hospital.dropFirst().prefix(3))
            let found = try Self.items(try await client.result("search", ["query": .string(middle), "kinds": ["projects"], "limit": 500], id: 7))
            #expect(found.contains { $0["id"] == project["id"] && $0["kind"] == "projects" })
            await client.close()
        }
    }

    @Test("a message queued offline is found at once; bad queries are invalid params, never a failure")
    func pendingAndErrors() async throws {
        try await AgentWorld.with { world in
            let client = try await world.client()
            _ = try await client.result("session.login", LocalAPITests.doctor, id: 2)
            let patient = try #require(try await world.upstream("SELECT id FROM user WHERE phone = '13800000021' AND type = 1").first)
            _ = try await client.result("chat.send", ["to_user_id": .integer(patient), "content": "请带上检查单复诊乙七"], id: 3)
            let hits = try Self.items(try await client.result("search", ["query": "复诊乙七", "kinds": ["messages"]], id: 4))
            #expect(hits.count == 1)
            #expect(hits.first?["kind"] == "messages" && hits.first?["record"]?["content"] == "请带上检查单复诊乙七")

            for (params, field) in [
                (["query": "复"], "query"), (["query": "  "], "query"), ([:], "query"), (["query": 5], "query"),
                (["query": "复诊乙", "kinds": ["nope"]], "kinds"), (["query": "复诊乙", "kinds": "messages"], "kinds"),
                (["query": .string(String(repeating: "字", count: 101))], "query"), (["query": "复诊乙", "limit": 0], "limit"),
            ] as [(JSONValue, String)] {
                let reply = try await client.call("search", params, id: 5)
                #expect(reply["error"]?["code"] == -32602, "\(params)")
                #expect(reply["error"]?["data"]?["field"] == .string(field), "\(params): \(reply)")
            }
            for hostile in ["\"复诊", "复诊*", "AND OR NOT", "NEAR(复诊 乙七)", "复\" OR \"诊", "%_%"] {
                let reply = try await client.call("search", ["query": .string(hostile)], id: 6)
                #expect(reply["result"]?["total"] != nil, "\(hostile): \(reply)")
            }
            await client.close()
        }
    }
}
