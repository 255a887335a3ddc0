import Foundation
import NIOCore
import Testing
import UpstreamClient
import VolunteerAPI

/// Calls against vdapi: X-location, query strings, JSON bodies with lists, raw answers, and
/// calls the client refuses to make.
@Suite("Calls against vdapi")
struct CallTests {
    /// Chaoyang, Beijing and Wuhou, Chengdu: the demo world has upcoming projects in both.
    private static let beijing = UpstreamConfiguration.location(longitude: 116.44, latitude: 39.92)
    private static let chengdu = UpstreamConfiguration.location(longitude: 104.04, latitude: 30.64)

    @Test("X-location reaches the server: the nearest project first depends on where the client is")
    func location() async throws {
        try await TestUpstream.withRunning(configure: { $0.location = Self.beijing }) { upstream in
            let fromBeijing = await upstream.client.call(.projects, parameters: ["sort": 1], as: RecordList<Project>.self)
            let nearBeijing = try #require(fromBeijing.payload?.records.first?.longitude?.value)
            let fromChengdu = try await upstream.withClient(configure: { $0.location = Self.chengdu }) { client in
                await client.call(.projects, parameters: ["sort": 1], as: RecordList<Project>.self)
            }
            let nearChengdu = try #require(fromChengdu.payload?.records.first?.longitude?.value)
            #expect(nearBeijing > 110)
            #expect(nearChengdu < 110)
        }
    }

    @Test("query parameters are percent-encoded: non-ASCII text and reserved characters arrive as sent")
    func queryEncoding() async throws {
        try await TestUpstream.withRunning { upstream in
            let found = await upstream.client.call(.projects, parameters: ["keyword": "门诊楼一层"], as: RecordList<Project>.self)
            let matching = try #require(found.payload)
            #expect(matching.records.count > 0)
            let none = await upstream.client.call(.projects, parameters: ["keyword": "a+b&sort=2 门诊楼"], as: RecordList<Project>.self)
            let literal = try #require(none.payload)
            #expect(literal.records.isEmpty)
        }
    }

    @Test("a list in a query reaches the server as a list (name[]=a&name[]=b)")
    func queryList() async throws {
        try await TestUpstream.withRunning { upstream in
            // No GET endpoint of the document takes a list; vdapi reads `keyword[]` as a list and
            // refuses it where one value is expected — which shows how it arrived.
            let outcome = await upstream.client.call(.projects, parameters: ["keyword": ["门诊", "义诊"]], as: RecordList<Project>.self)
            #expect(outcome.rejection?.errorCode == 1001)
            #expect(outcome.rejection?.message?.contains("应为单个值") == true)
        }
    }

    @Test("a JSON body with a list: a chat message with photos, from the demo patient to the demo doctor")
    func jsonBody() async throws {
        try await TestUpstream.withRunning { upstream in
            let doctor = try await upstream.withClient(configure: { _ in }) { client in
                try await TestUpstream.login(client, TestUpstream.doctorPhone, .doctor)
            }
            try await TestUpstream.login(upstream.client, TestUpstream.patientPhone, .patient)
            let photos: [JSONValue] = ["http://img.example/a.jpg", "https://img.example/b.png"]
            let outcome = await upstream.client.call(
                .sendChatMessage,
                parameters: ["content": "医生您好，请看化验单", "photo": .array(photos), "type": 1, "to_user_id": .integer(doctor.id)],
                as: RecordList<ChatMessage>.self)
            let last = try #require(outcome.payload?.records.last)
            #expect(last.content == "医生您好，请看化验单")
            #expect(last.photos == ["http://img.example/a.jpg", "https://img.example/b.png"])
            #expect(last.toUserID == doctor.id)
            let stored = try await upstream.database.count("chat_message", where: "content = ?", ["医生您好，请看化验单"])
            #expect(stored == 1)
        }
    }

    @Test("callRaw gives the whole body of an applied answer, for the engine to decode with raw records")
    func raw() async throws {
        try await TestUpstream.withRunning { upstream in
            let outcome = await upstream.client.callRaw(.projects, parameters: ["page_size": 3])
            let body = try #require(outcome.payload)
            let envelope = try JSONDecoder().decode(Envelope<RecordList<RawRecord<Project>>>.self, from: Data(body.readableBytesView))
            let page = try envelope.payload()
            #expect(page.records.count == 3)
            #expect(page.records.allSatisfy { $0.raw["id"] != nil })
        }
    }

    @Test("a refusal of the API is a rejection with its code, and changes nothing")
    func rejection() async throws {
        try await TestUpstream.withRunning { upstream in
            try await TestUpstream.login(upstream.client, TestUpstream.patientPhone, .patient)
            let outcome = await upstream.client.call(
                .sendChatMessage, parameters: ["content": "", "photo": [], "type": 1, "to_user_id": 1], as: EmptyPayload.self)
            #expect(outcome.rejection?.errorCode == 1001)
            #expect(outcome.rejection?.httpStatus == 400)
            let missing = await upstream.client.call(.project, path: ["id": "999999"], as: Project.self)
            #expect(missing.rejection?.errorCode == 4004)
        }
    }

    @Test("a path without its value is refused locally, before anything is sent")
    func localRejection() async throws {
        try await TestUpstream.withRunning(seeded: false) { upstream in
            let outcome = await upstream.client.call(.project, as: Project.self)
            #expect(outcome.rejection?.isLocal == true)
            #expect(outcome.rejection?.message == "GET /project/{id}: path parameter 'id' has no value")
        }
    }

    @Test("shutdown is idempotent; a call after it is retryable, never a rejection")
    func afterShutdown() async throws {
        try await TestUpstream.withRunning(seeded: false) { upstream in
            try await upstream.client.shutdown()
            try await upstream.client.shutdown()
            let outcome = await upstream.client.call(.projects, as: RecordList<Project>.self)
            #expect(outcome.retry == UpstreamRetry(.notSent(.clientShutDown)))
        }
    }
}
