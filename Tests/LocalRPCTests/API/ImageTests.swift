import Foundation
import GRDB
import ReferenceServer
import ReferenceServerTestKit
import Testing
import VolunteerAPI

@testable import LocalAPI
@testable import LocalRPC
@testable import SyncEngine

/// Pictures offline over the real socket: vdapi as the API, a second HTTP server on another
/// loopback port as the image host the records name, the agent with its image cache on a real
/// mirror file and directory.
@Suite("Pictures offline (images.get)", .serialized)
struct ImageTests {
    static let doctor = SharedKioskTests.doctor

    /// Makes the demo doctor's own avatar a picture of the image host, the only picture of the
    /// demo world (its others name a host that does not exist, and would only wait and fail).
    static func setDoctorAvatar(_ world: AgentWorld, _ url: String) async throws {
        try await world.running.database.write { db in
            try db.execute(
                sql: """
                    UPDATE user SET avatars = NULL; UPDATE casebook SET photo = '[]'; UPDATE diagnosis SET diag_photo = '[]';
                    UPDATE chat_message SET photo = '[]';
                    """)
            try db.execute(sql: "UPDATE user SET avatars = ? WHERE phone = '13800000001' AND type = 2", arguments: [url])
        }
    }

    /// The image cache's index as the mirror file holds it: URL → priority.
    static func index(_ world: AgentWorld) async throws -> [String: Int] {
        try await DatabaseQueue(path: world.databasePath).read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT url, priority FROM image_cache")
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["url"] as String, $0["priority"] as Int) })
        }
    }

    /// Waits until `condition` holds, asking again every few milliseconds, or fails after `timeout`.
    static func eventually(_ what: String, timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("timed out waiting for \(what)")
        throw CancellationError()
    }

    /// One picture cached: its file on disk *and* named by the index. The file alone is not
    /// enough: it is renamed into place before the index records it, and a logout in between
    /// cancels the record and removes the file, as a stop should.
    static func isCached(_ world: AgentWorld) async throws -> Bool {
        let named = try await DatabaseQueue(path: world.databasePath).read { db in
            try String.fetchAll(db, sql: "SELECT file FROM image_cache WHERE state = 'cached' AND file IS NOT NULL")
        }
        return named.count == 1 && files(world.imageDirectory) == named
    }

    static func files(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { !$0.hasPrefix(".") }
    }

    @Test("images.get: not cached with its URL at first, the bytes once downloaded; status shows the cache; bad input is -32602")
    func getAndStatus() async throws {
        try await RunningImageHost.withRunning { host in
            try await AgentWorld.with(imageCacheBytes: 1 << 20) { world in
                let avatar = host.url("/img/doctor-avatar")
                try await Self.setDoctorAvatar(world, avatar)
                let client = try await world.client()
                let early = try await client.call("images.get", ["url": .string(avatar)], id: 1)
                #expect(early["error"]?["code"] == -32011, "not logged in: \(early)")
                try await SharedKioskTests.logIn(client, Self.doctor, until: "projects")

                for bad: JSONValue in [[:], ["url": ""], ["url": "ftp://oss.example.com/a.jpg"], ["url": "/uploads/a.png"], ["url": 7]] {
                    let refused = try await client.call("images.get", bad, id: 2)
                    #expect(refused["error"]?["code"] == -32602, "\(bad): \(refused)")
                    #expect(refused["error"]?["data"]?["field"] == "url")
                }

                // The own avatar is planned from the mirror: it arrives without being asked for.
                try await Self.eventually("the planned avatar cached") { try await client.result("status", id: 3)["image_cache"]?["files"] == 1 }
                let cachedAvatar = try await client.result("images.get", ["url": .string(avatar)], id: 4)
                #expect(cachedAvatar["cached"] == true)
                #expect(cachedAvatar["content_type"] == "image/png")
                #expect(cachedAvatar["size"] == 1000)
                guard case .string(let base64)? = cachedAvatar["bytes_base64"] else { throw UnexpectedReply(reply: cachedAvatar) }
                #expect(Data(base64Encoded: base64) == RunningImageHost.png("doctor-avatar", bytes: 1000))

                // A picture nobody planned: not cached, its URL given back; asking fetches it.
                let asked = host.url("/img/chat-photo?bytes=700")
                let first = try await client.result("images.get", ["url": .string(asked)], id: 5)
                #expect(first == ["cached": false, "url": .string(asked)])
                try await Self.eventually("the asked picture cached") {
                    try await client.result("images.get", ["url": .string(asked)], id: 6)["cached"] == true
                }

                let status = try await client.result("status", id: 7)
                #expect(status["image_cache"] == ["files": 2, "bytes": 1700, "cap": .integer(1 << 20), "waiting": 0, "failed": 0])
                #expect(!host.requests.isEmpty && host.requests.allSatisfy { $0.authToken == nil }, "the image host saw the API's token")
                await client.close()
            }
        }
    }

    @Test("the demo doctor's plan, read from the mirror: today's booking photos first, none of past projects")
    func planFromTheMirror() async throws {
        try await AgentWorld.with(imageCacheBytes: 1 << 20) { world in
            let client = try await world.client()
            try await SharedKioskTests.logIn(client, Self.doctor, until: "projects")
            let photos = """
                SELECT j.value FROM diagnosis d JOIN project p ON p.id = d.project_id JOIN user u ON u.id = p.doctor_id
                JOIN casebook c ON c.id = d.casebook_id, json_each(c.photo) j
                WHERE u.phone = '13800000001' AND u.type = 2 AND p.date
                """
            // Result photos (diag_photo) are today's pictures too.
            let results = """
                SELECT j.value FROM diagnosis d JOIN project p ON p.id = d.project_id JOIN user u ON u.id = p.doctor_id, json_each(d.diag_photo) j
                WHERE d.diag_photo IS NOT NULL AND u.phone = '13800000001' AND u.type = 2 AND p.date
                """
            let (today, past) = try await world.running.database.read { db in
                (
                    Set(try String.fetchAll(db, sql: photos + " = date('now', '+8 hours')") + String.fetchAll(db, sql: results + " = date('now', '+8 hours')")),
                    Set(try String.fetchAll(db, sql: photos + " < date('now', '+8 hours')") + String.fetchAll(db, sql: results + " < date('now', '+8 hours')"))
                )
            }
            try #require(!today.isEmpty && !past.isEmpty, "the demo world has photos of today's and of past bookings")
            try await Self.eventually("today's photos planned") { try await Self.index(world).filter { $0.value == 40 }.isEmpty == false }
            let index = try await Self.index(world)
            let planned = Set(index.filter { $0.value == ImagePlan.Priority.today.rawValue }.keys)
            #expect(planned.isSubset(of: today) && !planned.isEmpty, "today's priority: \(planned.subtracting(today))")
            #expect(Set(index.keys).isDisjoint(with: past), "a past booking's photo was planned")
            await client.close()
        }
    }

    @Test("a logout with a wipe removes the account's pictures: files and index")
    func wipedOnLogout() async throws {
        try await RunningImageHost.withRunning { host in
            try await AgentWorld.with(imageCacheBytes: 1 << 20) { world in
                let avatar = host.url("/img/wiped")
                try await Self.setDoctorAvatar(world, avatar)
                let client = try await world.client()
                try await SharedKioskTests.logIn(client, Self.doctor, until: "projects")
                try await Self.eventually("the avatar cached") { try await Self.isCached(world) }
                #expect(try await client.result("session.logout", ["wipe": true], id: 2) == true)
                #expect(Self.files(world.imageDirectory).isEmpty, "a picture's file survived the wipe")
                #expect(try await Self.index(world).isEmpty, "the index survived the wipe")
                await client.close()
            }
        }
    }

    @Test("another account signing in finds none of the previous account's pictures")
    func accountChange() async throws {
        try await RunningImageHost.withRunning { host in
            try await AgentWorld.with(imageCacheBytes: 1 << 20) { world in
                let avatar = host.url("/img/previous")
                try await Self.setDoctorAvatar(world, avatar)
                let client = try await world.client()
                try await SharedKioskTests.logIn(client, Self.doctor, until: "projects")
                try await Self.eventually("the avatar cached") { try await Self.isCached(world) }
                #expect(try await client.result("session.logout", ["wipe": false], id: 2) == true)
                #expect(Self.files(world.imageDirectory).count == 1, "a logout without a wipe keeps the pictures, like the mirror")
                await client.close()
                let next = try await world.client()
                try await SharedKioskTests.logIn(next, SharedKioskTests.assistant, until: "projects")
                #expect(Self.files(world.imageDirectory).isEmpty, "the previous account's picture is still on disk")
                let answer = try await next.result("images.get", ["url": .string(avatar)], id: 3)
                #expect(answer["cached"] == false)
                await next.close()
            }
        }
    }

    @Test("an image host that never answers delays neither a pull nor an outbox entry")
    func silentHostDelaysNothing() async throws {
        try await RunningImageHost.withRunning { host in
            try await AgentWorld.with(imageCacheBytes: 1 << 20) { world in
                try await Self.setDoctorAvatar(world, host.url("/hang/avatar"))
                let client = try await world.client()
                try await SharedKioskTests.logIn(client, Self.doctor, until: "projects")
                _ = try await client.result("images.get", ["url": .string(host.url("/hang/asked"))], id: 2)
                // Both download slots are taken by requests the host holds without answering.
                try await Self.eventually("two downloads hanging") { Set(host.requests.map(\.path)) == ["/hang/avatar", "/hang/asked"] }

                let before = try #require(await world.agent.status().lastPull)
                _ = try await client.result("sync.now", id: 3)
                try await Self.eventually("a pull after sync.now", timeout: .seconds(10)) { (await world.agent.status().lastPull ?? before) > before }

                let patient = try #require(try await world.upstream("SELECT id FROM user WHERE phone = '13800000021' AND type = 1").first)
                let sent = try await client.result("chat.send", ["to_user_id": .integer(patient), "content": "图片之外"], id: 4)
                let mutation = try SharedKioskTests.mutationID(sent)
                try await Self.eventually("the message applied", timeout: .seconds(10)) {
                    try await client.result("outbox.get", ["mutation_id": .integer(mutation)], id: 5)["state"] == "applied"
                }
                let status = try await client.result("status", id: 6)
                #expect(status["image_cache"]?["files"] == 0)
                #expect(status["image_cache"]?["waiting"] == 2, "both pictures still wait: \(status)")
                await client.close()
            }
        }
    }
}
