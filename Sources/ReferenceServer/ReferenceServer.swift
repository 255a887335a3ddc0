import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// `vdapi`: the documented Volunteer Doctor API over its own SQLite database, as a
/// swift-service-lifecycle `Service`.
///
/// It serves exactly the endpoints of the document on the API port; fault injection and
/// inspection live on a separate loopback admin port (``ReferenceServerConfiguration/adminPort``)
/// or in-process (``faults``, ``database``), never on the public routes.
public struct ReferenceServer: Service {
    /// Where the server ended up listening (ports chosen by the system when configured as 0).
    public struct Addresses: Sendable, Hashable {
        public let api: URL
        public let admin: URL?
    }

    public let database: ReferenceDatabase
    public let faults: FaultInjector
    let state: ServerState
    let logger: Logger
    private let onListening: @Sendable (Addresses) async -> Void

    public init(
        configuration: ReferenceServerConfiguration,
        database: ReferenceDatabase,
        faults: FaultInjector = FaultInjector(),
        logger: Logger = Logger(label: "vdapi"),
        onListening: @escaping @Sendable (Addresses) async -> Void = { _ in }
    ) {
        self.database = database
        self.faults = faults
        self.logger = logger
        self.onListening = onListening
        self.state = ServerState(database: database, configuration: configuration, faults: faults, logger: logger)
    }

    /// Moves the server's clock by `seconds` (tokens expire, projects start and end).
    public func advanceClock(by seconds: TimeInterval) {
        state.clockOffset.withLock { $0 += seconds }
    }

    /// The quirks mode in force; nil when answers are sent plainly.
    public var quirks: QuirkSettings? { state.quirks.settings }

    /// Turns quirks mode on with `settings`, or off with nil, at once: a test can read the
    /// plain truth from the same server and turn the quirks back on. The census is kept.
    public func setQuirks(_ settings: QuirkSettings?) {
        state.quirks.set(settings)
    }

    /// What quirks mode has varied since the start (or ``resetQuirkCensus()``).
    public var quirkCensus: QuirkCensus { state.quirks.census }

    public func resetQuirkCensus() {
        state.quirks.resetCensus()
    }

    public func run() async throws {
        let configuration = state.configuration
        if let quirks = configuration.quirks {
            logger.notice(
                "quirks mode on: answers vary as legacy PHP servers vary them",
                metadata: ["seed": "\(quirks.seed)", "per_answer": "\(quirks.perAnswer)"])
        }
        let ports = PortCollector(expectAdmin: configuration.adminPort != nil, host: configuration.host, report: onListening)
        let api = Application(
            router: APIRouter(state: state, table: .all).buildRouter(),
            server: ResponseCompression.server(enabled: configuration.compression),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "vdapi"),
            onServerRunning: { [state] channel in
                let port = channel.localAddress?.port ?? configuration.port
                state.baseURL.learn(host: configuration.host, port: port)
                await ports.api(port)
            },
            logger: logger
        )
        var services: [any Service] = [api]
        if let adminPort = configuration.adminPort {
            services.append(
                Application(
                    router: AdminRouter(state: state).buildRouter(),
                    configuration: .init(address: .hostname("127.0.0.1", port: adminPort), serverName: "vdapi-admin"),
                    onServerRunning: { channel in await ports.admin(channel.localAddress?.port ?? adminPort) },
                    logger: logger
                ))
        }
        let group = ServiceGroup(configuration: .init(services: services.map { .init(service: $0) }, logger: logger))
        try await withGracefulShutdownHandler {
            try await group.run()
        } onGracefulShutdown: {
            Task { await group.triggerGracefulShutdown() }
        }
    }
}

/// Reports the addresses once both listeners are up.
private actor PortCollector {
    private let expectAdmin: Bool
    private let host: String
    private let report: @Sendable (ReferenceServer.Addresses) async -> Void
    private var apiPort: Int?
    private var adminPort: Int?

    init(expectAdmin: Bool, host: String, report: @escaping @Sendable (ReferenceServer.Addresses) async -> Void) {
        self.expectAdmin = expectAdmin
        self.host = host
        self.report = report
    }

    func api(_ port: Int) async {
        apiPort = port
        await reportIfReady()
    }

    func admin(_ port: Int) async {
        adminPort = port
        await reportIfReady()
    }

    private func reportIfReady() async {
        guard let apiPort, !expectAdmin || adminPort != nil else { return }
        // An IPv6 host (`::1`) goes in brackets in a URL.
        let shownHost = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        guard let api = URL(string: "http://\(shownHost):\(apiPort)") ?? URL(string: "http://127.0.0.1:\(apiPort)") else { return }
        let admin = adminPort.flatMap { URL(string: "http://127.0.0.1:\($0)") }
        await report(.init(api: api, admin: admin))
    }
}
