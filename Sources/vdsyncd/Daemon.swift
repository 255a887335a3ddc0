import Foundation
import LocalAPI
import LocalRPC
import Logging
import MirrorStore
import ServiceLifecycle
import SyncEngine
import Systemd
import UnixSignals
import UpstreamClient
import VolunteerAPI

/// The daemon as a lifecycle `Service`: opens the checked database, serves the socket, tells
/// systemd the truth (READY only once both are up, STATUS, WATCHDOG only while the agent and the
/// socket answer, RELOADING, STOPPING), runs the agent, reloads on SIGHUP and stops cleanly.
struct Daemon: Service {
    let settings: DaemonSettings
    let reload: @Sendable () async throws -> DaemonSettings
    let logLevel: LogLevelControl
    let logger: Logger
    let notifier: SystemdNotifier
    let metrics: DaemonMetrics

    func run() async throws {
        // SIGHUP is trapped before READY: systemd may send ExecReload's SIGHUP as soon as the
        // service is up, and untrapped, SIGHUP ends the process.
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        try StateDirectory.prepare(settings.stateDirectory, logger: logger)
        let (store, recovery) = try MirrorStore.openChecked(path: settings.databasePath)
        if let recovery {
            logger.critical(
                "the database failed its integrity check: moved aside, outbox carried over, mirror rebuilt",
                metadata: ["moved_to": "\(recovery.quarantinedPath)", "reason": "\(recovery.reason)", "carried_entries": "\(recovery.carriedEntries)"])
        }
        let client = UpstreamClient(
            configuration: UpstreamConfiguration(
                baseURL: settings.upstreamURL, location: settings.location, readTimeout: settings.readTimeout,
                requestTimeout: max(settings.readTimeout * 2, .seconds(30)), proxy: settings.proxy, compression: settings.compression),
            logger: logger)
        let agent = SyncAgent(store: store, client: client, configuration: agentConfiguration(settings), logger: logger)
        if let recovery {
            await agent.report(
                "the database failed its integrity check at start (\(recovery.reason)); moved to \(recovery.quarantinedPath), \(recovery.carriedEntries) outbox entries carried over, mirror rebuilt"
            )
        }

        let server: RPCServer
        let probePath: String
        do {
            (server, probePath) = try await serve(agent, store: store)
        } catch {
            // A socket path taken by a live daemon or by another file ends the start here. An
            // HTTP client dropped without being shut down traps (SIGILL), so shut it down first
            // and let the error reach the documented exit.
            try? await client.shutdown()
            try? store.close()
            throw error
        }
        let state = DaemonState(recovery: recovery)
        notifier.ready(status: recovery == nil ? "database open, socket listening" : "database rebuilt after damage; socket listening")
        await agent.start()

        await withTaskGroup(of: Void.self) { group in
            if let watchdogSettings = try? WatchdogSettings.from() {
                let watchdog = SystemdWatchdog(settings: watchdogSettings, loops: ["sync", "socket"], notifier: notifier, logger: logger)
                group.addTask { await watchdog.run() }
                group.addTask { await probe(watchdog, interval: watchdogSettings.interval / 2, agent: agent, path: probePath) }
            }
            group.addTask { await reportStatus(agent: agent, state: state) }
            if let path = settings.metricsFile {
                group.addTask { await writeMetrics(to: path, store: store, agent: agent) }
            }
            group.addTask { await reloads(agent: agent, hangups: hangups) }
            group.addTask { try? await gracefulShutdown() }
            await group.next()
            group.cancelAll()
        }

        notifier.stopping(status: "stopping")
        logger.info("stopping")
        await server.stop()
        // In-flight upstream requests finish, or their entries stay in flight and are resolved
        // by reading at the next start: never lost, never sent twice.
        let stopped = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await agent.stop()
                return true
            }
            group.addTask {
                try? await Task.sleep(for: settings.stopTimeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        if !stopped { logger.warning("the agent did not stop in time; unfinished requests are resolved at the next start") }
        try? await client.shutdown()
        try? store.close()
        logger.info("stopped")
    }

    /// Starts the socket server over `agent`: on the socket systemd handed over, else on its own
    /// socket file. Returns it with the path the watchdog's probe asks (the one front ends use).
    private func serve(_ agent: SyncAgent, store: MirrorStore) async throws -> (RPCServer, String) {
        var rpc = RPCServerConfiguration()
        rpc.maxLineBytes = settings.maxLineBytes
        rpc.maxConnections = settings.maxConnections
        rpc.peerPolicy = .default(writers: settings.writerUIDs, readers: settings.readOnlyUIDs)
        let (metrics, settings) = (self.metrics, self.settings)
        let hooks = OperatorHooks(
            metricsText: { await metrics.text(store: store, agent: agent, databasePath: settings.databasePath) },
            configuration: { settings.maskedConfiguration })
        let api = LocalAPI(agent: agent, logoutWipes: settings.logoutWipe, operatorHooks: hooks, cachesReads: settings.readCache)
        let server = RPCServer(dispatcher: try api.dispatcher(logger: logger), configuration: rpc, logger: logger)
        let activated = try SocketActivation.fromProcess()
        // The watchdog asks the socket front ends use: the inherited one's path when there is one.
        let probePath = activated.first.flatMap { SocketProbe.boundPath(of: $0.descriptor) } ?? settings.socketPath
        if let inherited = activated.first {
            try await server.start(RPCListener(listeningDescriptor: inherited.descriptor))
            logger.info("serving the socket handed over by systemd")
        } else {
            try await server.start(RPCListener(socketPath: settings.socketPath, groupID: settings.socketGroup))
            logger.info("serving the socket", metadata: ["path": "\(settings.socketPath)"])
        }
        return (server, probePath)
    }

    private func agentConfiguration(_ settings: DaemonSettings) -> SyncAgent.Configuration {
        var configuration = SyncAgent.Configuration()
        configuration.credentials = settings.credentials
        configuration.schedule = SyncSchedule.Configuration(intervals: settings.intervals)
        configuration.policy = policy(settings)
        configuration.journalMaxEntries = settings.journalMaxEntries
        configuration.journalMaxAge = settings.journalMaxAge
        var images = ImageFetcher.Configuration(directory: URL(fileURLWithPath: settings.imageDirectory), maximumBytes: settings.imageCacheMaxBytes)
        images.prefetch = !settings.metered
        configuration.images = images
        configuration.plan = PullPlan.Options(openProjectPages: settings.openProjectPages, nearestFirst: settings.location != nil)
        return configuration
    }

    private func policy(_ settings: DaemonSettings) -> OutboxPolicy {
        var policy = OutboxPolicy()
        policy.requestsPerSecond = settings.outboxRate
        policy.maximumAttempts = settings.outboxMaxAttempts
        policy.settleTime = settings.outboxSettleTime
        return policy
    }

    /// Pings the watchdog's loops only when they answer: the agent actor (its status) and the
    /// socket (a `status` call through it, at the path front ends connect to).
    private func probe(_ watchdog: SystemdWatchdog, interval: Duration, agent: SyncAgent, path: String) async {
        let probe = #"{"jsonrpc":"2.0","method":"status","id":"watchdog"}"#
        while !Task.isCancelled {
            _ = await agent.status()
            watchdog.alive("sync")
            if await SocketProbe.answers(path: path, request: probe) { watchdog.alive("socket") }
            try? await Task.sleep(for: max(interval, .milliseconds(100)))
        }
    }

    /// STATUS= lines systemctl shows: the session, connectivity and the outbox.
    private func reportStatus(agent: SyncAgent, state: DaemonState) async {
        var last = ""
        while !Task.isCancelled {
            let status = await agent.status()
            let queued = (status.outbox[.queued] ?? 0) + (status.outbox[.unknown] ?? 0) + (status.outbox[.inFlight] ?? 0)
            var line = "\(status.session.rawValue)"
            if let role = status.role { line += " \(role)" }
            line += ", \(status.connectivity), outbox: \(queued) pending"
            if status.outboxSettling.count > 0 { line += " (\(status.outboxSettling.count) settling)" }
            line += ", \(status.outbox[.parked] ?? 0) parked, \(status.outbox[.rejected] ?? 0) rejected"
            if state.recovery != nil { line += "; database rebuilt after damage" }
            if line != last {
                notifier.status(line)
                last = line
            }
            try? await Task.sleep(for: .seconds(2))
        }
    }

    /// SIGHUP: the configuration is read again; intervals, outbox pacing and the log level apply
    /// at once, anything else is reported as needing a restart.
    private func reloads(agent: SyncAgent, hangups: UnixSignalsSequence) async {
        for await _ in hangups {
            notifier.reloading(status: "reloading the configuration")
            do {
                let fresh = try await reload()
                logLevel.set(fresh.logLevel)
                var schedule = SyncSchedule.Configuration(intervals: fresh.intervals)
                schedule.backoffBase = SyncSchedule.Configuration().backoffBase
                await agent.reconfigure(schedule: schedule, policy: policy(fresh))
                let needRestart = settings.restartOnlyDifferences(fresh)
                if !needRestart.isEmpty {
                    logger.notice("changed settings need a restart", metadata: ["keys": "\(needRestart.joined(separator: ", "))"])
                }
                logger.info("configuration reloaded", metadata: ["hot_interval": "\(fresh.intervals[.hot] ?? .zero)"])
                notifier.ready(status: needRestart.isEmpty ? "configuration reloaded" : "reloaded; restart needed for \(needRestart.joined(separator: ", "))")
            } catch {
                logger.error("configuration not reloaded", metadata: ["error": "\(error)"])
                notifier.ready(status: "configuration not reloaded: \(error)")
            }
        }
    }
}

/// What the daemon learnt at start that `status` lines repeat.
struct DaemonState: Sendable {
    let recovery: MirrorRecovery?
}

extension Daemon {
    /// Writes the metrics for node_exporter every `VDSYNC_METRICS_INTERVAL` until cancelled. A
    /// failed write is logged once until a write succeeds again.
    func writeMetrics(to path: String, store: MirrorStore, agent: SyncAgent) async {
        var failing = false
        while !Task.isCancelled {
            do {
                try MetricsTextfile.write(await metrics.text(store: store, agent: agent, databasePath: settings.databasePath), to: path)
                failing = false
            } catch {
                if !failing { logger.error("metrics not written", metadata: ["path": "\(path)", "error": "\(error)"]) }
                failing = true
            }
            try? await Task.sleep(for: settings.metricsInterval)
        }
    }
}

extension DaemonSettings {
    /// Keys whose new values only apply after a restart.
    func restartOnlyDifferences(_ other: DaemonSettings) -> [String] {
        var keys: [String] = []
        if upstreamURL != other.upstreamURL { keys.append(SettingKey.upstreamURL.name) }
        if credentials?.phone != other.credentials?.phone || credentials?.role != other.credentials?.role {
            keys.append("\(SettingKey.phone)/\(SettingKey.role)")
        }
        if stateDirectory != other.stateDirectory { keys.append(SettingKey.stateDirectory.name) }
        if socketPath != other.socketPath { keys.append(SettingKey.socketPath.name) }
        if writerUIDs != other.writerUIDs || readOnlyUIDs != other.readOnlyUIDs { keys.append("\(SettingKey.writerUIDs)/\(SettingKey.readOnlyUIDs)") }
        if maxLineBytes != other.maxLineBytes || maxConnections != other.maxConnections {
            keys.append("\(SettingKey.maxLineBytes)/\(SettingKey.maxConnections)")
        }
        if readTimeout != other.readTimeout { keys.append(SettingKey.readTimeout.name) }
        if logoutWipe != other.logoutWipe { keys.append(SettingKey.logoutWipe.name) }
        if compression != other.compression { keys.append(SettingKey.compression.name) }
        if readCache != other.readCache { keys.append(SettingKey.readCache.name) }
        if journalMaxEntries != other.journalMaxEntries || journalMaxAge != other.journalMaxAge {
            keys.append("\(SettingKey.journalMaxEntries)/\(SettingKey.journalMaxAge)")
        }
        if imageCacheMaxBytes != other.imageCacheMaxBytes { keys.append(SettingKey.imageCacheMaxBytes.name) }
        if metered != other.metered { keys.append(SettingKey.metered.name) }
        if openProjectPages != other.openProjectPages { keys.append(SettingKey.openProjectPages.name) }
        if metricsFile != other.metricsFile || metricsInterval != other.metricsInterval {
            keys.append("\(SettingKey.metricsFile)/\(SettingKey.metricsInterval)")
        }
        return keys
    }
}

extension Daemon: CustomStringConvertible {
    /// Service lifecycle logs name services by their description: keep settings out of them.
    var description: String { "vdsyncd" }
}
