import ArgumentParser
import Foundation
import Logging
import MirrorStore
import ServiceLifecycle
import Systemd

/// `vdsyncd`: the sync agent daemon. Mirrors the logged-in user's data into SQLite, queues
/// offline mutations in a durable outbox, and serves front ends over a JSON-RPC Unix socket.
@main
struct VDSyncDaemon: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vdsyncd",
        abstract: "The vdsync daemon: an offline-first mirror and outbox for the Volunteer Doctor API.",
        discussion: """
            vdsyncd runs in the foreground, under systemd (Type=notify) or by hand. It keeps the \
            logged-in user's projects, diagnoses, messages and chat dialogs in a local SQLite \
            database, applies mutations made offline exactly once when the link returns, and \
            serves local front ends over a JSON-RPC 2.0 Unix socket (see docs/local-api.md).

            Settings come from flags, then VDSYNC_* environment variables, then the --config file \
            (see config/vdsyncd.conf and docs/configuration.md). SIGHUP reloads the file; SIGTERM \
            stops cleanly. Exit status 78 means the configuration is invalid.
            """
    )

    @Option(help: "The configuration file (VDSYNC_*=value lines).")
    var config: String?

    @Option(name: .customLong("upstream-url"), help: "VDSYNC_UPSTREAM_URL: the upstream API's base URL.")
    var upstreamURL: String?

    @Option(help: "VDSYNC_ROLE: patient, doctor or assistant, to log in at start.")
    var role: String?

    @Option(help: "VDSYNC_PHONE: the account's phone, to log in at start.")
    var phone: String?

    @Option(name: .customLong("state-directory"), help: "VDSYNC_STATE_DIRECTORY: where the database lives.")
    var stateDirectory: String?

    @Option(help: "VDSYNC_SOCKET_PATH: the Unix socket to serve.")
    var socket: String?

    @Option(name: .customLong("log-level"), help: "VDSYNC_LOG_LEVEL: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String?

    /// The entry point: bounds malloc's arenas while this is the only thread, then parses the
    /// command line and runs.
    static func main() async {
        Malloc.boundArenas()
        await main(nil)
    }

    /// The reliability suite's fault hook: `<step>:<n>` ends the daemon abruptly at the n-th
    /// such step (``CrashPoint``). Not a setting: nothing an operator should ever set.
    static let crashAtVariable = "VDSYNCD_CRASH_AT"

    func run() async throws {
        if CrashPoint.arm(ProcessInfo.processInfo.environment[Self.crashAtVariable]) {
            FileHandle.standardError.write(Data("vdsyncd: \(Self.crashAtVariable) is set: this daemon will end abruptly on purpose\n".utf8))
        }
        var flags: [String: String] = [:]
        flags[SettingKey.upstreamURL.name] = upstreamURL
        flags[SettingKey.role.name] = role
        flags[SettingKey.phone.name] = phone
        flags[SettingKey.stateDirectory.name] = stateDirectory
        flags[SettingKey.socketPath.name] = socket
        flags[SettingKey.logLevel.name] = logLevel
        let environment = ProcessInfo.processInfo.environment
        let configFile = config
        let given = flags
        let load: @Sendable () async throws -> DaemonSettings = {
            try await DaemonSettings.load(file: configFile, flags: given, environment: environment)
        }
        let settings: DaemonSettings
        do {
            settings = try await load()
        } catch let invalid as DaemonSettings.Failure {
            FileHandle.standardError.write(Data("vdsyncd: configuration: \(invalid)\n".utf8))
            throw ExitCode(78)
        }

        let control = LogLevelControl(settings.logLevel)
        let format = JournalLogHandler.Format.detect()
        LoggingSystem.bootstrap { label in
            var inner = JournalLogHandler.standardError(label: label, format: format)
            inner.logLevel = .trace
            return DaemonLogHandler(inner: inner, control: control)
        }
        let logger = Logger(label: "vdsyncd")
        // Before the upstream client and the socket server make their counters.
        let metrics = DaemonMetrics.bootstrap()
        let notifier = SystemdNotifier(logger: logger)
        let daemon = Daemon(settings: settings, reload: load, logLevel: control, logger: logger, notifier: notifier, metrics: metrics)
        let group = ServiceGroup(
            configuration: .init(services: [daemon, HeapTrimmer(logger: logger)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            logger.critical("vdsyncd failed", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
    }
}
