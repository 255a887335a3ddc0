import Foundation
import Logging
import ReferenceServer
import ServiceLifecycle

/// A `vdapi` running in-process on loopback port 0 with an in-memory database, for the
/// duration of a test: `RunningReferenceServer.withRunning { server in ... }` starts it, runs
/// the body, and stops it cleanly whatever the body does.
///
/// It is how every test target reaches "the upstream": the reference server's own tests, the
/// upstream client's and the sync engine's. With `VDAPI_QUIRKS=SEED` (or `SEED/answer`) in the
/// environment the server runs in quirks mode (``QuirkSettings``), so a whole suite can be rerun
/// against the variations of legacy servers; `configure` may still set `quirks` itself.
public struct RunningReferenceServer: Sendable {
    public let server: ReferenceServer
    /// The API's base URL, e.g. `http://127.0.0.1:40123`.
    public let api: URL
    /// The admin listener's base URL, when the configuration asked for one.
    public let admin: URL?

    public var database: ReferenceDatabase { server.database }

    public static func withRunning<T: Sendable>(
        configure: (inout ReferenceServerConfiguration) -> Void = { _ in },
        _ body: (RunningReferenceServer) async throws -> T
    ) async throws -> T {
        var configuration = ReferenceServerConfiguration()
        configuration.port = 0
        // VDAPI_QUIRKS=SEED (or SEED/answer) reruns whole suites against a quirks server.
        configuration.quirks = QuirkSettings.fromEnvironment()
        configure(&configuration)
        var logger = Logger(label: "vdapi-test")
        logger.logLevel = .warning
        let (addresses, continuation) = AsyncStream.makeStream(of: ReferenceServer.Addresses.self)
        let server = ReferenceServer(
            configuration: configuration, database: try ReferenceDatabase(.memory), logger: logger,
            onListening: { continuation.yield($0) })
        let group = ServiceGroup(configuration: .init(services: [server], logger: logger))

        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                defer { continuation.finish() }
                try await group.run()
            }
            var iterator = addresses.makeAsyncIterator()
            guard let listening = await iterator.next() else {
                try await tasks.waitForAll()
                throw RunningReferenceServerError.didNotStart
            }
            let running = RunningReferenceServer(server: server, api: listening.api, admin: listening.admin)
            let result: Result<T, any Error>
            do {
                result = .success(try await body(running))
            } catch {
                result = .failure(error)
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return try result.get()
        }
    }
}

/// The reference server stopped before it listened (its error is thrown by `withRunning`
/// when it has one).
public enum RunningReferenceServerError: Error {
    case didNotStart
}
