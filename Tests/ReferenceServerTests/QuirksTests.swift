import AsyncHTTPClient
import Foundation
import GRDB
import NIOCore
import Testing
import VolunteerAPI

@testable import ReferenceServer

/// Quirks mode: the rewriter varies representations only losslessly and deterministically per
/// record and field, and a running server in quirks mode answers what the models decode to the
/// same values as without it.
@Suite("Quirks")
struct QuirksTests {
    // MARK: - The rewriter

    /// An answer holding one of everything the rewriter varies.
    static let sample: JSONValue = [
        "error_code": 0,
        "error_message": "",
        "data": [
            "list": [
                [
                    "id": 13, "people_count": 12, "lng": "116.397128", "lat": "39.9", "amount": "127.000000",
                    "score": "4.5", "is_join": 0, "op_cancel": 1, "jump_mode": 1, "begin": "09:00:00", "end": "09:30:15",
                    "date": "2025-03-14", "created_at": "2025-03-14 10:00:00", "updated_at": "2025-03-14 10:00:07",
                    "reject_msg": nil, "diag_result": nil, "abstract": "义诊 4.5", "service_target": ["儿童"],
                    "plan_time": ["15:23:00 - 15:53:00": 2, "15:53:00 - 16:23:00": 0],
                    "work_time": [["morning": 1, "afternoon": 0]],
                    "hospital_info": [:],
                ],
                [
                    "id": 14, "people_count": 3, "lng": "116.4", "lat": "-0.25", "amount": "50.000000", "score": nil,
                    "is_join": 1, "op_cancel": 0, "jump_mode": 0, "begin": "14:00:00", "end": "15:00:00", "date": "2025-03-15",
                    "created_at": "2025-03-14 11:00:00", "updated_at": "2025-03-14 11:00:00", "reject_msg": nil, "diag_result": "好",
                    "abstract": "", "service_target": [], "plan_time": [:], "work_time": [["morning": 0, "afternoon": 1]],
                    "hospital_info": ["id": 2, "name": "协和", "logo": nil],
                ],
            ],
            "page": ["current_page": 1, "total_page": 1, "count": 2, "page_size": 10],
        ],
    ]

    func rewrite(_ value: JSONValue = sample, seed: UInt64, perAnswer: Bool = false, answer: UInt64 = 1) -> (value: JSONValue, census: QuirkCensus) {
        QuirkRewriter(settings: QuirkSettings(seed: seed, perAnswer: perAnswer)).rewrite(value, answer: answer)
    }

    @Test("every kind of variation happens for some seed, and each leaves the value as it was")
    func everyVariationLossless() throws {
        var census = QuirkCensus()
        for seed in UInt64(0)..<40 {
            let (varied, applied) = rewrite(seed: seed)
            census.add(applied)
            let problems = Self.differences(Self.sample, varied, field: nil, path: "$")
            #expect(problems.isEmpty, "seed \(seed): \(problems)")
        }
        for kind in QuirkKind.allCases {
            #expect(census.count(kind) > 0, "\(kind.rawValue) never happened")
        }
        #expect(census.answers == 40)
    }

    @Test("the same seed reads the same record the same way in every answer")
    func deterministicPerRecord() {
        for seed in UInt64(0)..<10 {
            let first = rewrite(seed: seed, answer: 1)
            let second = rewrite(seed: seed, answer: 99)
            #expect(first.value == second.value && first.census == second.census)
        }
        #expect((0..<10).contains { rewrite(seed: $0).value != rewrite(seed: $0 + 10).value }, "seeds choose differently")
    }

    @Test("per-answer mode varies a record from one answer to the next, and repeats an answer number exactly")
    func perAnswerVaries() {
        let answers = (UInt64(1)...8).map { rewrite(seed: 3, perAnswer: true, answer: $0).value }
        #expect(Set(answers).count > 1)
        #expect(rewrite(seed: 3, perAnswer: true, answer: 5).value == answers[4])
        for value in answers { #expect(Self.differences(Self.sample, value, field: nil, path: "$").isEmpty) }
    }

    @Test("object keys are never touched, and seconds that are not 00 stay")
    func keysAndSecondsKept() throws {
        for seed in UInt64(0)..<40 {
            let (varied, _) = rewrite(seed: seed)
            guard case .array(let records)? = varied["data"]?["list"], case .object(let plan)? = records.first?["plan_time"] else {
                Issue.record("seed \(seed): no list or plan_time")
                continue
            }
            #expect(Set(plan.keys) == ["15:23:00 - 15:53:00", "15:53:00 - 16:23:00"])
            #expect(records.first?["end"] == "09:30:15")
            #expect(records.first?["updated_at"] == "2025-03-14 10:00:07")
            #expect(records.first?["amount"] == "127.000000")
            let jumpModes = records.compactMap { $0["jump_mode"] }
            #expect(jumpModes.allSatisfy { if case .bool = $0 { false } else { true } }, "jump_mode is not a flag")
        }
    }

    @Test("decimal text becomes a number only when the number writes the same digits")
    func losslessNumbers() throws {
        for text in ["4.5", "116.397128", "39.9", "-0.25", "0.1"] {
            let number = try #require(QuirkRewriter.losslessNumber(text), "\(text)")
            let written = String(decoding: try JSONEncoder().encode(JSONValue.number(number)), as: UTF8.self)
            #expect(written == text)
        }
        for text in ["127.000000", "4.50", "3", "1e5", "05.5", ".5", "5.", "-", "1.2.3", "12345678901234567.5", "abc"] {
            #expect(QuirkRewriter.losslessNumber(text) == nil, "\(text)")
        }
        #expect(QuirkRewriter.withoutZeroSeconds("09:00:00") == "09:00")
        #expect(QuirkRewriter.withoutZeroSeconds("2025-03-14 10:00:00") == "2025-03-14 10:00")
        #expect(QuirkRewriter.withoutZeroSeconds("09:00:01") == nil)
        #expect(QuirkRewriter.withoutZeroSeconds("15:23:00 - 15:53:00") == nil)
        #expect(QuirkRewriter.withoutZeroSeconds("2025-03-14") == nil)
    }

    @Test("objects are named after the documented structure that covers them, else the field they sit under")
    func structureNames() {
        let names = QuirkStructures.standard
        let project = Self.sample["data"]?["list"].flatMap { if case .array(let list) = $0 { list.first } else { nil } }
        guard case .object(let members)? = project else {
            Issue.record("no project")
            return
        }
        #expect(names.name(of: members, under: "list") == "project")
        #expect(names.name(of: ["15:23:00 - 15:53:00": 2], under: "plan_time") == "plan_time")
        #expect(names.name(of: ["current_page": 1, "total_page": 1, "count": 2, "page_size": 10], under: "page") == "page")
        #expect(names.name(of: ["id": 1, "name": "协和", "logo": "x", "level": "三甲"], under: "hospital_info") == "hospital")
        #expect(names.name(of: ["x": 1], under: nil) == "other")
        #expect(QuirkSettings(text: "7") == QuirkSettings(seed: 7))
        #expect(QuirkSettings(text: "7/answer") == QuirkSettings(seed: 7, perAnswer: true))
        #expect(QuirkSettings(text: "x") == nil && QuirkSettings(text: "7/other") == nil)
        #expect(QuirkSettings.fromEnvironment([:]) == nil)
        #expect(QuirkSettings.fromEnvironment(["VDAPI_QUIRKS": "9/answer"]) == QuirkSettings(seed: 9, perAnswer: true))
    }

    /// Where `varied` says something other than `original`, read as a tolerant client reads a
    /// legacy server; empty when every difference is one of the lossless variations.
    static func differences(_ original: JSONValue, _ varied: JSONValue?, field: String?, path: String) -> [String] {
        switch (original, varied) {
        case (.object(let members), .object(let others)?):
            var problems: [String] = []
            for (key, value) in members {
                problems += differences(value, others[key], field: key, path: "\(path).\(key)")
            }
            let extras = Set(others.keys).subtracting(members.keys)
            if !extras.isSubset(of: QuirkFields.extras.map { $0.name }) { problems.append("\(path): unexpected \(extras)") }
            return problems
        case (.object(let members), .array(let elements)?) where members.isEmpty && elements.isEmpty:
            return []
        case (.array(let elements), .array(let others)?) where elements.count == others.count:
            return zip(elements, others).enumerated().flatMap { differences($1.0, $1.1, field: field, path: "\(path)[\($0)]") }
        case (.null, .none), (.null, .string("")?):
            return field == "error_code" || field == "data" || field == "error_message" ? ["\(path): envelope member varied"] : []
        case (.integer(let number), .string(let text)?) where text == "\(number)":
            return []
        case (.integer(let number), .bool(let flag)?) where QuirkFields.flags.contains(field ?? "") && (number == 1) == flag && number <= 1:
            return []
        case (.string(let text), .number(let number)?) where QuirkFields.decimals.contains(field ?? "") && "\(number)" == text:
            return []
        case (.string(let text), .string(let shorter)?) where text == shorter + ":00" && text.count != shorter.count:
            return []
        default:
            return original == varied ? [] : ["\(path): \(original) became \(varied.map { "\($0)" } ?? "nothing")"]
        }
    }

    // MARK: - A running server

    /// Reads every GET endpoint that answers records, as every demo role, from one server:
    /// in quirks mode twice (the same bytes), and plainly; the models decode both to the same values.
    @Test("a demo server in quirks mode answers the same bytes twice, and the models read the same values as without quirks")
    func endToEnd() async throws {
        let settings = QuirkSettings(seed: 7)
        try await TestServer.withRunning(configure: {
            $0.clock = { SeedTests.morning }
            $0.quirks = settings
        }) { server in
            _ = try await Seed.demo(into: server.database, configuration: server.server.state.configuration)
            #expect(server.server.quirks == settings)
            let ids = try await DemoIDs(server.database)
            var tokens: [UserRole: String] = [:]
            for (role, phone) in [(UserRole.patient, "13800000021"), (.doctor, "13800000001"), (.assistant, "13800000011")] {
                let answer = try await server.call(.login, [:], ["phono": .string(phone), "pwd": "demo123", "type": .integer(role.rawValue)])
                let profile = try Self.decode(answer, shape: .userByType, role: role)
                guard let user = profile.value as? Envelope<UserProfile>, let token = try user.payload().token else {
                    Issue.record("\(role) did not log in through quirks: \(String(buffer: answer.body))")
                    continue
                }
                tokens[role] = token
            }
            var failures: [String] = []
            var compared = 0
            for endpoint in Endpoint.all where endpoint.method == .get && endpoint.kind == .read {
                if case .image = endpoint.response { continue }
                if case .empty = endpoint.response { continue }
                for role in UserRole.allCases where endpoint.roles.contains(role) {
                    let path = ids.path(for: endpoint, role: role)
                    let parameters: [String: JSONValue] = endpoint == .areasOfCity ? ["name": "北京"] : [:]
                    // A first plain read marks chat messages read, so that the reads compared see one state.
                    server.server.setQuirks(nil)
                    _ = try await server.call(endpoint, path, parameters, token: tokens[role])
                    server.server.setQuirks(settings)
                    let first = try await server.call(endpoint, path, parameters, token: tokens[role])
                    let second = try await server.call(endpoint, path, parameters, token: tokens[role])
                    server.server.setQuirks(nil)
                    let plain = try await server.call(endpoint, path, parameters, token: tokens[role])
                    server.server.setQuirks(settings)
                    #expect(first.body == second.body, "\(endpoint.path.template) as \(role): two reads differ")
                    do {
                        let truth = try Self.decode(plain, shape: endpoint.response, role: role)
                        do {
                            let quirky = try Self.decode(first, shape: endpoint.response, role: role)
                            if quirky.value != truth.value {
                                let differences = Self.modelDifferences(truth.encoded, quirky.encoded, path: "$")
                                failures.append("\(endpoint.path.template) as \(role): \(differences.prefix(4))")
                            }
                        } catch {
                            failures.append("\(endpoint.path.template) as \(role): \(error)")
                        }
                        compared += 1
                    } catch {
                        Issue.record("\(endpoint.path.template) as \(role): the plain answer does not decode: \(error)")
                    }
                }
            }
            #expect(compared > 40)
            #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
            let census = server.server.quirkCensus
            #expect(census.answers > 0 && census.count(.intAsString) > 0 && census.count(.timeWithoutSeconds) > 0)
            #expect(census.count(.intAsString, in: "project") > 0)
        }
    }

    @Test("the admin listener reports the census")
    func adminCensus() async throws {
        try await TestServer.withRunning(configure: {
            $0.adminPort = 0
            $0.quirks = QuirkSettings(seed: 2, perAnswer: true)
        }) { server in
            _ = try await Seed.demo(into: server.database, configuration: server.server.state.configuration)
            _ = try await server.call(.projects)
            let admin = try #require(server.admin)
            let response = try await server.client.execute(HTTPClientRequest(url: admin.absoluteString + "/admin/quirks"), timeout: .seconds(10))
            let report = try JSONValue.parse(Data(try await response.body.collect(upTo: 1 << 20).readableBytesView))
            #expect(report["quirks"] == "2/answer")
            #expect(report["answers"] == 1)
            guard case .object(let counts)? = report["counts"] else {
                Issue.record("no counts: \(report)")
                return
            }
            #expect(!counts.isEmpty)
            server.server.resetQuirkCensus()
            #expect(server.server.quirkCensus == QuirkCensus())
        }
    }

    /// The envelope of `answer` decoded with the models, as the values they hold and as they encode.
    static func decode(_ answer: APIAnswer, shape: ResponseShape, role: UserRole) throws -> (value: AnyHashable, encoded: JSONValue) {
        let value = try JSONValue.parse(Data(answer.body.readableBytesView))
        var decoder = JSONValueDecoder()
        decoder.userInfo[UserProfile.expectedRoleKey] = role
        func envelope<Payload: Codable & Hashable & Sendable>(_ type: Payload.Type) throws -> (value: AnyHashable, encoded: JSONValue) {
            let decoded = try decoder.decode(Envelope<Payload>.self, from: value)
            return (decoded, try JSONValue.parse(try JSONEncoder().encode(decoded)))
        }
        func model<Model: Codable & Hashable & Sendable>(_ type: Model.Type) throws -> (value: AnyHashable, encoded: JSONValue) {
            switch shape {
            case .record, .optionalRecord: try envelope(Model.self)
            case .list, .page: try envelope(RecordList<Model>.self)
            case .bareArray: try envelope([Model].self)
            default: try envelope(EmptyPayload.self)
            }
        }
        switch shape {
        case .userByType, .userByTypeWithIsNew: return try envelope(UserProfile.self)
        case .record(let kind), .optionalRecord(let kind), .list(let kind), .page(let kind), .bareArray(let kind):
            return try model(kind.modelType)
        default: return try envelope(EmptyPayload.self)
        }
    }

    /// The paths where two encoded model values differ.
    static func modelDifferences(_ truth: JSONValue, _ quirky: JSONValue, path: String) -> [String] {
        switch (truth, quirky) {
        case (.object(let members), .object(let others)):
            return Set(members.keys).union(others.keys).sorted().flatMap { key in
                modelDifferences(members[key] ?? .null, others[key] ?? .null, path: "\(path).\(key)")
            }
        case (.array(let elements), .array(let others)) where elements.count == others.count:
            return zip(elements, others).enumerated().flatMap { modelDifferences($1.0, $1.1, path: "\(path)[\($0)]") }
        default:
            return truth == quirky ? [] : ["\(path): \(truth) → \(quirky)"]
        }
    }
}

/// Ids of the demo world to fill the paths of read endpoints with.
struct DemoIDs {
    let values: [String: String]

    init(_ database: ReferenceDatabase) async throws {
        values = try await database.read { db in
            func first(_ sql: String) throws -> String { try String.fetchOne(db, sql: sql) ?? "1" }
            return [
                "project": try first("SELECT project_id FROM diagnosis ORDER BY id LIMIT 1"),
                "diagnosis": try first("SELECT id FROM diagnosis ORDER BY id LIMIT 1"),
                "sn": try first("SELECT sn FROM diagnosis WHERE sn IS NOT NULL ORDER BY id LIMIT 1"),
                "patient": try first("SELECT id FROM user WHERE phone = '13800000021'"),
                "doctor": try first("SELECT id FROM user WHERE phone = '13800000001' AND type = 2"),
                "news": try first("SELECT id FROM news ORDER BY id LIMIT 1"),
                "special": try first("SELECT id FROM special_project ORDER BY id LIMIT 1"),
                "dialog": try first("SELECT id FROM chat_dialog ORDER BY id LIMIT 1"),
            ]
        }
    }

    func path(for endpoint: Endpoint, role: UserRole) -> [String: String] {
        let template = endpoint.path.template
        let id: String? =
            switch template {
            case "/user/{id}", "/all_diagnoses/{id}": values["patient"]
            case "/doctor/{id}/comment", "/custom/doctor/{id}/project": values["doctor"]
            case "/diagnoses/{id}": values["diagnosis"]
            case "/news/{id}": values["news"]
            case "/sp_project/{id}": values["special"]
            case "/chat/{id}": values["dialog"]
            default: values["project"]
            }
        return ["id": id ?? "1", "type": "1", "sn": values["sn"] ?? "VD1"]
    }
}
