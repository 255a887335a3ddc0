import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// vdkiosk's web server as a lifecycle `Service`: the guards, the screens of every role, the
/// live-update stream and the static assets, on loopback (or a Unix socket for a reverse proxy).
/// It holds no state of the clinic: everything it shows it reads from vdsyncd's socket per request.
public struct KioskServer: Service {
    public let configuration: KioskConfiguration
    let logger: Logger
    let onListening: @Sendable (String) async -> Void

    /// `onListening` gets the address the server listens on once it does (`http://127.0.0.1:PORT`
    /// or `unix:PATH`), which with port 0 is the only way to learn the port.
    public init(configuration: KioskConfiguration, logger: Logger, onListening: @escaping @Sendable (String) async -> Void = { _ in }) {
        self.configuration = configuration
        self.logger = logger
        self.onListening = onListening
    }

    public func run() async throws {
        let link = DaemonLink(socketPath: configuration.socketPath, logger: logger)
        let application = Application(
            router: try buildRouter(link: link),
            configuration: .init(address: address, serverName: "vdkiosk"),
            onServerRunning: { [configuration, onListening] channel in
                switch configuration.listener {
                case .tcp(let host, let port): await onListening("http://\(host):\(channel.localAddress?.port ?? port)")
                case .unix(let path): await onListening("unix:\(path)")
                }
            },
            logger: logger
        )
        try await application.runService()
        await link.close()
    }

    private var address: BindAddress {
        switch configuration.listener {
        case .tcp(let host, let port): .hostname(host, port: port)
        case .unix(let path): .unixDomainSocket(path: path)
        }
    }

    /// Every route behind the guard. Internal so tests can drive it through HummingbirdTesting.
    func buildRouter(link: DaemonLink) throws -> Router<KioskContext> {
        let pages = try PageRenderer()
        let router = Router(context: KioskContext.self)
        router.add(
            middleware: KioskGuardMiddleware(
                loopback: LoopbackGuard(extraHosts: configuration.extraAllowedHosts), sessions: KioskSessions(capacity: configuration.maxSessions),
                token: configuration.startupToken, pages: pages, logger: logger))
        let screens = Screens(link: link, pages: pages, actions: ActionLog())
        SharedScreens(screens: screens).register(on: router)
        DoctorScreens(screens: screens).register(on: router)
        AssistantScreens(screens: screens).register(on: router)
        PatientScreens(screens: screens, location: configuration.location).register(on: router)
        let live = LiveUpdates(link: link, statusRefresh: configuration.statusRefresh, logger: logger)
        router.get("/events") { request, _ in
            // EventSource's own reconnect sends Last-Event-ID; kiosk.js's new stream after a refusal, ?since=.
            let since = request.headers[HTTPField.Name("Last-Event-ID")!] ?? request.uri.queryParameters["since"].map(String.init)
            return await live.response(lastEventID: since)
        }
        router.get("/static/:name") { request, _ in StaticAssets.response(for: request.uri.path) ?? Response(status: .notFound) }
        return router
    }
}
