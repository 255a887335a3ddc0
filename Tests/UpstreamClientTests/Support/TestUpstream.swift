import Foundation
import Logging
import NIOCore
import NIOPosix
import ReferenceServer
import ReferenceServerTestKit
import Synchronization
import Testing
import UpstreamClient
import VolunteerAPI

/// A seeded vdapi on loopback port 0 (``RunningReferenceServer``) and an ``UpstreamClient`` for
/// it, for one test: the client is always shut down, whatever the body does.
struct TestUpstream {
    let running: RunningReferenceServer
    let client: UpstreamClient
    let logs: LogRecorder

    var server: ReferenceServer { running.server }
    var database: ReferenceDatabase { running.database }

    /// The demo world's password.
    static let password = "demo123"
    static let doctorPhone = "13800000001"
    static let assistantPhone = "13800000011"
    static let patientPhone = "13800000021"

    static func withRunning<T: Sendable>(
        seeded: Bool = true,
        configure: @Sendable (inout UpstreamConfiguration) -> Void = { _ in },
        _ body: (TestUpstream) async throws -> T
    ) async throws -> T {
        try await RunningReferenceServer.withRunning { running in
            if seeded {
                _ = try await Seed.demo(into: running.database, configuration: ReferenceServerConfiguration())
            }
            var configuration = UpstreamConfiguration(baseURL: running.api)
            configure(&configuration)
            let logs = LogRecorder()
            let client = UpstreamClient(configuration: configuration, logger: logs.logger)
            let result: Result<T, any Error>
            do {
                result = .success(try await body(TestUpstream(running: running, client: client, logs: logs)))
            } catch {
                result = .failure(error)
            }
            try await client.shutdown()
            return try result.get()
        }
    }

    /// A second client on the same server (another location, another user); shut down after `body`.
    func withClient<T: Sendable>(
        configure: (inout UpstreamConfiguration) -> Void, _ body: (UpstreamClient) async throws -> T
    ) async throws -> T {
        var configuration = UpstreamConfiguration(baseURL: running.api)
        configure(&configuration)
        let other = UpstreamClient(configuration: configuration, logger: logs.logger)
        let result: Result<T, any Error>
        do {
            result = .success(try await body(other))
        } catch {
            result = .failure(error)
        }
        try await other.shutdown()
        return try result.get()
    }

    /// Logs `client` in with a demo account and returns the profile, failing the test otherwise.
    @discardableResult
    static func login(
        _ client: UpstreamClient, _ phone: String, _ role: UserRole, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> UserProfile {
        let outcome = await client.login(phone: phone, password: password, role: role)
        return try #require(outcome.payload, "login as \(role): \(outcome)", sourceLocation: sourceLocation)
    }
}

/// A port on loopback where nothing listens: bound by NIO, read, then closed.
func closedLoopbackPort() async throws -> Int {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .bind(host: "127.0.0.1", port: 0).get()
    let port = try #require(channel.localAddress?.port)
    try await channel.close()
    return port
}

/// Keeps every log line a client writes (message and metadata as text), to check what logs hold.
final class LogRecorder: Sendable {
    private let lines = Mutex<[String]>([])

    var logger: Logger {
        Logger(label: "vdsync.upstream.test") { _ in Handler(recorder: self) }
    }

    var all: [String] { lines.withLock { $0 } }

    fileprivate func append(_ line: String) {
        lines.withLock { $0.append(line) }
    }

    private struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let fields = (metadata.merging(event.metadata ?? [:]) { $1 }).sorted { $0.key < $1.key }
            recorder.append("\(event.level) \(event.message) " + fields.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        }
    }
}
