import Foundation
import GRDB
import Hummingbird
import NIOCore
import VolunteerAPI

/// The admin listener, on loopback only: fault rules, the server clock, and read-only SQL
/// over the server's state, for tests and benchmarks that run `vdapi` as a separate process.
///
/// - `GET /admin/faults`, `POST /admin/faults` (a ``FaultRule`` as JSON), `DELETE /admin/faults`
/// - `POST /admin/clock` `{"advance_seconds": N}`
/// - `POST /admin/query` `{"sql": "SELECT ...", "arguments": [...]}`: rows as JSON objects,
///   in a read-only transaction
/// - `GET /admin/quirks`: the quirks census (``QuirkCensus``) and the settings in force;
///   `DELETE /admin/quirks` starts the census again
struct AdminRouter {
    let state: ServerState

    struct Query: Decodable {
        let sql: String
        var arguments: [JSONValue]?
    }

    struct Clock: Decodable {
        let advanceSeconds: Double

        enum CodingKeys: String, CodingKey {
            case advanceSeconds = "advance_seconds"
        }
    }

    func buildRouter() -> Router<BasicRequestContext> {
        let router = Router()
        let state = self.state
        router.get("/admin/faults") { _, _ in
            try Self.json(await state.faults.rules)
        }
        router.post("/admin/faults") { request, context in
            let rule = try await request.decode(as: FaultRule.self, context: context)
            await state.faults.add(rule)
            return try Self.json(await state.faults.rules)
        }
        router.delete("/admin/faults") { _, _ in
            await state.faults.removeAll()
            return try Self.json([FaultRule]())
        }
        router.post("/admin/clock") { request, context in
            let clock = try await request.decode(as: Clock.self, context: context)
            state.clockOffset.withLock { $0 += clock.advanceSeconds }
            return try Self.json(["now": APIClock.timestamp(state.now)])
        }
        router.get("/admin/quirks") { _, _ in
            try Self.json(QuirksReport(settings: state.quirks.settings, census: state.quirks.census))
        }
        router.delete("/admin/quirks") { _, _ in
            state.quirks.resetCensus()
            return try Self.json(QuirksReport(settings: state.quirks.settings, census: state.quirks.census))
        }
        router.post("/admin/query") { request, context in
            let query = try await request.decode(as: Query.self, context: context)
            let arguments = StatementArguments((query.arguments ?? []).map(Self.databaseValue))
            do {
                let rows = try await state.database.read { db in
                    try Row.fetchAll(db, sql: query.sql, arguments: arguments).map(Self.jsonObject)
                }
                return try Self.json(rows)
            } catch let error as DatabaseError {
                throw HTTPError(.badRequest, message: error.message ?? "query failed")
            }
        }
        return router
    }

    /// `GET /admin/quirks`: `{"quirks": "SEED" | "SEED/answer" | null, "answers": N, "counts": {...}}`.
    struct QuirksReport: Encodable {
        let quirks: String?
        let answers: Int
        let counts: [String: [String: Int]]

        init(settings: QuirkSettings?, census: QuirkCensus) {
            quirks = settings?.description
            answers = census.answers
            counts = census.counts.mapValues { kinds in Dictionary(uniqueKeysWithValues: kinds.map { ($0.key.rawValue, $0.value) }) }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(quirks, forKey: .quirks)
            try container.encode(answers, forKey: .answers)
            try container.encode(counts, forKey: .counts)
        }

        enum CodingKeys: String, CodingKey {
            case quirks, answers, counts
        }
    }

    static func json(_ value: some Encodable) throws -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: try JSONEncoder().encode(value))))
    }

    static func databaseValue(_ value: JSONValue) -> DatabaseValue {
        switch value {
        case .null, .array, .object: .null
        case .bool(let flag): (flag ? 1 : 0).databaseValue
        case .integer(let number): number.databaseValue
        case .number(let number): number.databaseValue
        case .string(let text): text.databaseValue
        }
    }

    static func jsonObject(_ row: Row) -> JSONValue {
        var members: [String: JSONValue] = [:]
        for (column, value) in row {
            switch value.storage {
            case .null: members[column] = .null
            case .int64(let number): members[column] = .integer(Int(number))
            case .double(let number): members[column] = .number(number)
            case .string(let text): members[column] = .string(text)
            case .blob(let data): members[column] = .string(data.base64EncodedString())
            }
        }
        return .object(members)
    }
}
