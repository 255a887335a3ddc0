import ArgumentParser
import Foundation
import Kiosk
import Logging
import ServiceLifecycle
import SocketClient
import Systemd
import UnixSignals

/// `vdkiosk`: the clinic's screens, a loopback web app over vdsyncd's socket.
@main
struct VDKiosk: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vdkiosk",
        abstract: "Serves the clinic's kiosk screens on loopback, reading and writing only through vdsyncd's socket.",
        discussion: """
            A browser opens the URL with the start-up token once; the token is exchanged for a \
            session cookie. The token is printed on stdout, or written with mode 0600 to \
            --token-file. See systemd/README.md for a kiosk session under cage.
            """
    )

    @Option(help: "vdsyncd's socket.")
    var socket = LocalRPCClient.defaultSocketPath

    @Option(help: "Address to listen on (loopback only, unless a reverse proxy is in front).")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one).")
    var port = KioskConfiguration.defaultPort

    @Option(help: "Listen on this Unix socket instead of TCP, for a reverse proxy.")
    var listenUnix: String?

    @Option(help: "Write the start-up token to this file (mode 0600) instead of printing it.")
    var tokenFile: String?

    @Option(help: "A Host name accepted besides 127.0.0.1, localhost and ::1 (repeatable).")
    var allowedHost: [String] = []

    @Option(help: "The kiosk's position, longitude-latitude as VDSYNC_LOCATION (116.40-39.90): the patient's clinics nearest first.")
    var location: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .notice

    func validate() throws {
        if let location, KioskLocation(location) == nil { throw ValidationError("--location must be longitude-latitude, e.g. 116.40-39.90") }
    }

    mutating func run() async throws {
        let level = logLevel
        let format = JournalLogHandler.Format.detect()
        LoggingSystem.bootstrap { label in
            var handler = JournalLogHandler.standardError(label: label, format: format)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "vdkiosk")
        let token = StartupToken.random()
        // Written before the server (and READY=1), so a kiosk session started after this unit
        // always finds it.
        if let tokenFile { try token.write(to: tokenFile) }
        let configuration = KioskConfiguration(
            socketPath: socket, listener: listenUnix.map { .unix(path: $0) } ?? .tcp(host: host, port: port), extraAllowedHosts: allowedHost,
            startupToken: token, location: location.flatMap(KioskLocation.init))
        let printToken = tokenFile == nil
        let server = KioskServer(configuration: configuration, logger: logger) { address in
            // Unbuffered, so a script or a unit reading the first line gets it at once.
            let line =
                printToken && address.hasPrefix("http")
                ? "vdkiosk listening on \(address); open \(address)/?token=\(token.value)\n" : "vdkiosk listening on \(address)\n"
            FileHandle.standardOutput.write(Data(line.utf8))
            _ = SystemdNotifier().ready(status: "serving on \(address)")
        }
        let group = ServiceGroup(
            configuration: .init(services: [.init(service: server)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        _ = SystemdNotifier().stopping()
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
