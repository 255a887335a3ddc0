import Foundation
import GRDB
import MirrorStore
import ReferenceServer
import SyncEngine
import Testing
import VolunteerAPI

@testable import LocalAPI
@testable import LocalRPC
@testable import SocketClient

/// The local API through the real socket, against vdapi: login, reads of the mirror, mutations
/// answered when durable and applied upstream, the outbox, subscriptions, errors and access.
@Suite("Local API")
struct LocalAPITests {
    static let doctor: JSONValue = ["phone": "13800000001", "password": "demo123", "role": "doctor"]

    /// Subscribes to changes, logs the doctor in and waits until its projects are mirrored.
    static func loggedInDoctor(_ world: AgentWorld) async throws -> APIClient {
        let client = try await world.client()
        _ = try await client.result("changes.subscribe", ["collections": ["projects", "diagnoses", "outbox"]])
        let session = try await client.result("session.login", doctor, id: 2)
        #expect(session["role"] == "doctor")
        _ = try await client.notification { $0["params"]?["collection"] == "projects" }
        return client
    }

    @Test("after a login the mirror fills, and projects.list shows the doctor's projects as vdapi has them")
    func loginAndRead() async throws {
        try await AgentWorld.with { world in
            let client = try await Self.loggedInDoctor(world)
            let status = try await client.result("status")
            #expect(status["session"] == "active" && status["role"] == "doctor")
            let page = try await client.result("projects.list", ["scope": "mine", "limit": 100])
            guard case .array(let items)? = page["items"] else { throw UnexpectedReply(reply: page) }
            let mirrored = Set(items.compactMap { item -> Int? in if case .integer(let id)? = item["id"] { id } else { nil } })
            let upstream = try await world.upstream("SELECT id FROM project WHERE doctor_id = (SELECT id FROM user WHERE phone = '13800000001' AND type = 2)")
            #expect(!upstream.isEmpty && mirrored == upstream)
            #expect(page["total"] == .integer(upstream.count))
            await client.close()
        }
    }

    @Test("a mutation answers at once with its id, shows pending, and is applied upstream exactly once")
    func mutationApplied() async throws {
        try await AgentWorld.with { world in
            let client = try await Self.loggedInDoctor(world)
            let booking = try #require(
                try await world.running.database.read { db in
                    try Int.fetchOne(
                        db,
                        sql: """
                            SELECT d.id FROM diagnosis d JOIN project p ON p.id = d.project_id JOIN user u ON u.id = d.doctor_user_id
                            WHERE u.phone = '13800000001' AND d.verify_status = 1 AND d.status = 1 AND p.status = 1
                              AND p.date = date('now', '+8 hours') ORDER BY d.id LIMIT 1
                            """)
                })
            _ = try await client.notification { $0["params"]?["collection"] == "diagnoses" && $0["params"]?["id"] == .integer(booking) }
            let mutation = try await client.result("diagnosis.markDone", ["diagnosis_id": .integer(booking)], id: 3)
            #expect(mutation["state"] == "queued")
            guard case .integer(let id)? = mutation["mutation_id"] else { throw UnexpectedReply(reply: mutation) }
            let shown = try await client.result("diagnoses.get", ["diagnosis_id": .integer(booking)], id: 4)
            #expect(shown["record"]?["status"] == 3)
            // Applied: the outbox entry's change arrives as a notification.
            _ = try await client.notification {
                $0["params"]?["collection"] == "outbox" && $0["params"]?["id"] == .integer(id) && $0["params"]?["operation"] == "update"
            }
            let entry = try await client.result("outbox.get", ["mutation_id": .integer(id)], id: 5)
            #expect(entry["state"] == "applied")
            #expect(try await world.running.database.count("diagnosis", where: "id = ? AND status = 3", [booking]) == 1)
            await client.close()
        }
    }

    @Test("a repeated read is served from the reply cache until a mutation commits; after a logout nothing is served")
    func replyCache() async throws {
        try await AgentWorld.with { world in
            let client = try await Self.loggedInDoctor(world)
            let cache = try #require(world.server.dispatcher.replyCache)
            let page = try await client.result("projects.list", ["scope": "mine", "limit": 500], id: 3)
            guard case .array(let items)? = page["items"], let first = items.first, case .integer(let project)? = first["id"] else {
                throw UnexpectedReply(reply: page)
            }
            // The first pull may still be committing: asked twice with no commit in between, the
            // second read must come from the cache (tried until a pair of reads saw no commit).
            var before: JSONValue = .null
            var servedFromCache: Bool?
            for _ in 0..<2000 where servedFromCache == nil {
                let generation = world.agent.store.generation
                before = try await client.result("projects.get", ["project_id": .integer(project)], id: 4)
                let hits = cache.counts.hits
                let again = try await client.result("projects.get", ["project_id": .integer(project)], id: 5)
                if world.agent.store.generation == generation { servedFromCache = cache.counts.hits == hits + 1 && again == before }
            }
            #expect(servedFromCache == true, "the same read, nothing committed: from the cache, the same reply")
            #expect(before["pending"] == false)

            _ = try await client.result("project.cancel", ["project_id": .integer(project)], id: 6)
            let after = try await client.result("projects.get", ["project_id": .integer(project)], id: 7)
            #expect(after["pending"] == true, "the enqueue committed: read again, with the pending change")

            _ = try await client.result("session.logout", id: 8)
            let refused = try await client.call("projects.get", ["project_id": .integer(project)], id: 9)
            #expect(refused["error"]?["code"] == .integer(-32011), "a logged-out kiosk serves nothing, cached or not")
            await client.close()
        }
    }

    @Test("bad params name the field and queue nothing; mutations need a login; unknown ids are not found")
    func errors() async throws {
        try await AgentWorld.with { world in
            let client = try await world.client()
            let anonymous = try await client.call("chat.send", ["to_user_id": 5, "content": "hello"])
            #expect(anonymous["error"]?["code"] == -32011)
            _ = try await client.result("session.login", Self.doctor, id: 2)
            let invalid = try await client.call("diagnosis.reject", ["diagnosis_id": "abc", "reason": "x"], id: 3)
            #expect(invalid["error"]?["code"] == -32602)
            #expect(invalid["error"]?["data"]?["field"] == "diagnosis_id")
            let tooLong = try await client.call("chat.send", ["to_user_id": 5, "content": .string(String(repeating: "字", count: 257))], id: 4)
            #expect(tooLong["error"]?["data"]?["field"] == "content")
            let wrongRole = try await client.call("booking.join", ["project_id": 1, "description": "头痛"], id: 5)
            #expect(wrongRole["error"]?["code"] == -32012)
            #expect(try await client.result("outbox.list", id: 6) == [])
            let missing = try await client.call("projects.get", ["project_id": 999_999], id: 7)
            #expect(missing["error"]?["code"] == -32020)
            await client.close()
        }
    }

    @Test("a batch mixes reads and mutations, each answered by id")
    func batch() async throws {
        try await AgentWorld.with { world in
            let client = try await Self.loggedInDoctor(world)
            let patient = try #require(try await world.upstream("SELECT id FROM user WHERE phone = '13800000021' AND type = 1").first)
            let replies = try await client.call(
                line:
                    #"[{"jsonrpc":"2.0","method":"status","id":"a"},{"jsonrpc":"2.0","method":"chat.send","params":{"to_user_id":\#(patient),"content":"请按时复诊"},"id":"b"},{"jsonrpc":"2.0","method":"projects.list","params":{"limit":1},"id":"c"},{"jsonrpc":"2.0","method":"outbox.list","id":"d"}]"#
            )
            guard case .array(let answers) = replies else { throw UnexpectedReply(reply: replies) }
            let byID = Dictionary(
                uniqueKeysWithValues: answers.compactMap { answer -> (String, JSONValue)? in
                    if case .string(let id)? = answer["id"] { (id, answer) } else { nil }
                })
            #expect(byID["a"]?["result"]?["session"] == "active")
            #expect(byID["b"]?["result"]?["state"] == "queued")
            #expect(byID["c"]?["result"]?["total"] != nil)
            guard case .array(let entries)? = byID["d"]?["result"] else { throw UnexpectedReply(reply: replies) }
            #expect(entries.contains { $0["kind"] == "chat.send" })
            await client.close()
        }
    }

    @Test("a read-only peer may read but not mutate")
    func readOnlyPeer() async throws {
        try await AgentWorld.with(configure: { $0.peerPolicy = PeerPolicy(writerUIDs: [], readOnlyUIDs: [getuid()]) }) { world in
            let client = try await world.client()
            let refused = try await client.call("session.login", Self.doctor)
            #expect(refused["error"]?["code"] == -32001)
            #expect(try await client.result("status", id: 2)["session"] == "logged_out")
            await client.close()
        }
    }

    @Test("64 clients read at once while mutations are queued and a sync runs; every reply is right")
    func concurrentClients() async throws {
        try await AgentWorld.with { world in
            let writer = try await Self.loggedInDoctor(world)
            let patient = try #require(try await world.upstream("SELECT id FROM user WHERE phone = '13800000021' AND type = 1").first)
            let expected = try await writer.result("projects.list", ["scope": "mine", "limit": 500], id: 10)["total"]
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for n in 0..<20 {
                        let queued = try await writer.result(
                            "chat.send", ["to_user_id": .integer(patient), "content": .string("消息 \(n)")], id: .integer(100 + n))
                        #expect(queued["state"] == "queued")
                    }
                    _ = try await writer.result("sync.now", id: 200)
                }
                for n in 0..<64 {
                    group.addTask {
                        let reader = try await world.client()
                        for call in 0..<5 {
                            let id = JSONValue.integer(n * 10 + call)
                            let reply = try await reader.call("projects.list", ["scope": "mine", "limit": 500], id: id)
                            #expect(reply["id"] == id)
                            #expect(reply["result"]?["total"] == expected)
                        }
                        await reader.close()
                    }
                }
                try await group.waitForAll()
            }
            await writer.close()
        }
    }

    @Test("role-bound lists check the role")
    func roleBoundLists() async throws {
        try await AgentWorld.with { world in
            let client = try await Self.loggedInDoctor(world)
            let refusedList = try await client.call("patients.list", id: 3)
            #expect(refusedList["error"]?["code"] == -32012)
            await client.close()
        }
    }

    @Test("rpc.discover describes exactly the methods dispatched, one per mutation kind")
    func discover() async throws {
        try await AgentWorld.with { world in
            let client = try await world.client()
            let document = try await client.result("rpc.discover")
            guard case .array(let methods)? = document["methods"] else { throw UnexpectedReply(reply: document) }
            let names = Set(methods.compactMap { method -> String? in if case .string(let name)? = method["name"] { name } else { nil } })
            let registry = try LocalAPI(agent: world.agent).registry()
            #expect(names == Set(registry.names).union(["rpc.discover", "rpc.unsubscribe"]))
            #expect(Set(MutationKind.allCases.map(\.rawValue)).isSubset(of: names))
            for name in names where name != "rpc.discover" && name != "rpc.unsubscribe" {
                let reply = try await client.call(name, ["__probe": true], id: 9)
                #expect(reply["error"]?["code"] != -32601, "\(name) is described but not dispatched")
            }
            await client.close()
        }
    }
}
