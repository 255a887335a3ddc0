import Foundation
import GRDB
import Logging
import MirrorStore
import ReferenceServer
import ReferenceServerTestKit
import SyncEngine
import Synchronization
import UpstreamClient
import VolunteerAPI

@testable import LocalAPI
@testable import LocalRPC
@testable import SocketClient

/// vdapi with its demo world, a SyncAgent on a real mirror file, and the local API served on a
/// real Unix socket: the setting of every test of the methods.
struct AgentWorld {
    let running: RunningReferenceServer
    let agent: SyncAgent
    let server: RPCServer
    let path: String
    /// The mirror's SQLite file (its write-ahead log is beside it, `-wal`).
    let databasePath: String
    /// The image cache's directory (used when the world was made with `imageCacheBytes`).
    let imageDirectory: String

    func client() async throws -> APIClient {
        APIClient(try await TestClient.connect(path))
    }

    /// Runs `body` with everything started; stops everything whatever `body` does.
    static func with(
        configure: (inout RPCServerConfiguration) -> Void = { _ in }, credentials: SyncAgent.Credentials? = nil, logoutWipes: Bool = false,
        policy: (inout OutboxPolicy) -> Void = { _ in }, imageCacheBytes: Int? = nil,
        _ body: (AgentWorld) async throws -> Void
    ) async throws {
        try await RunningReferenceServer.withRunning { running in
            _ = try await Seed.demo(into: running.database, configuration: ReferenceServerConfiguration())
            let directory = try makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            var logger = Logger(label: "agent-test")
            logger.logLevel = .warning
            let databasePath = directory + "/mirror.sqlite"
            let store = try MirrorStore(path: databasePath)
            let client = UpstreamClient(configuration: UpstreamConfiguration(baseURL: running.api), logger: logger)
            var configuration = SyncAgent.Configuration()
            configuration.policy.backoffBase = .milliseconds(10)
            configuration.policy.backoffCap = .milliseconds(50)
            configuration.policy.reconnectJitter = .zero
            configuration.policy.requestsPerSecond = 1000
            configuration.policy.burst = 1000
            policy(&configuration.policy)
            configuration.credentials = credentials
            let imageDirectory = directory + "/images"
            configuration.images = imageCacheBytes.map { ImageFetcher.Configuration(directory: URL(fileURLWithPath: imageDirectory), maximumBytes: $0) }
            let agent = SyncAgent(store: store, client: client, configuration: configuration, logger: logger)
            await agent.start()
            var serverConfiguration = RPCServerConfiguration()
            configure(&serverConfiguration)
            let server = RPCServer(
                dispatcher: try LocalAPI(agent: agent, logoutWipes: logoutWipes).dispatcher(logger: logger), configuration: serverConfiguration, logger: logger)
            let path = directory + "/vdsyncd.sock"
            try await server.start(RPCListener(socketPath: path))
            let world = AgentWorld(
                running: running, agent: agent, server: server, path: path, databasePath: databasePath, imageDirectory: imageDirectory)
            var failure: (any Error)?
            do { try await body(world) } catch { failure = error }
            await server.stop()
            await agent.stop()
            try await client.shutdown()
            if let failure { throw failure }
        }
    }

    /// vdapi rows as ids.
    func upstream(_ sql: String, _ arguments: StatementArguments = []) async throws -> Set<Int> {
        Set(try await running.database.read { db in try Int.fetchAll(db, sql: sql, arguments: arguments) })
    }
}

/// A client of the local API that keeps notifications aside while it waits for replies, so a
/// test reads replies and notifications in whatever order the server interleaves them.
final class APIClient: Sendable {
    let connection: TestClient
    private let stash = Mutex<[JSONValue]>([])

    init(_ connection: TestClient) {
        self.connection = connection
    }

    /// Sends one request line and returns its reply (an object, or an array for a batch).
    func call(line: String) async throws -> JSONValue {
        try await connection.send(line)
        while true {
            let message = try await connection.nextJSON()
            if case .object = message, message["method"] != nil {
                stash.withLock { $0.append(message) }
                continue
            }
            return message
        }
    }

    func call(_ method: String, _ params: JSONValue = [:], id: JSONValue = 1) async throws -> JSONValue {
        let request: JSONValue = ["jsonrpc": "2.0", "method": .string(method), "params": params, "id": id]
        return try await call(line: String(decoding: try JSONEncoder().encode(request), as: UTF8.self))
    }

    /// The `result` of a call, or the test fails with the error it got.
    func result(_ method: String, _ params: JSONValue = [:], id: JSONValue = 1) async throws -> JSONValue {
        let reply = try await call(method, params, id: id)
        guard let result = reply["result"] else { throw UnexpectedReply(reply: reply) }
        return result
    }

    /// The first notification (kept or arriving) that matches, or fails after `timeout`.
    func notification(timeout: Duration = .seconds(30), where matches: (JSONValue) -> Bool) async throws -> JSONValue {
        let kept = stash.withLock { kept -> JSONValue? in
            guard let index = kept.firstIndex(where: matches) else { return nil }
            return kept.remove(at: index)
        }
        if let kept { return kept }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let message = try await connection.nextJSON(timeout: deadline - ContinuousClock.now)
            if message["method"] != nil, matches(message) { return message }
        }
        throw UnexpectedReply(reply: "no matching notification")
    }

    func close() async {
        await connection.close()
    }
}

struct UnexpectedReply: Error, CustomStringConvertible {
    let reply: JSONValue
    var description: String { "unexpected reply: \(reply)" }
}
