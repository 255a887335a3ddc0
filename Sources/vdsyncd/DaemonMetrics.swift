import CoreMetrics
import Foundation
import MirrorStore
import Prometheus
import SyncEngine
import Synchronization

/// The daemon's metrics, in Prometheus's text format (docs/operations.md): swift-metrics is
/// bootstrapped once with the Prometheus backend, so the upstream client's and the socket's
/// counters and histograms land in one registry; the figures of state (the outbox, the age of
/// the last pulls, the database's size) are gauges set from the store each time the text is made.
/// No label holds an id, a name or any text a person typed.
final class DaemonMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    private let pullAges = Mutex<[String: Prometheus.Gauge]>([:])

    /// Bootstraps swift-metrics with this registry: call once, before the upstream client and the
    /// socket server are made.
    static func bootstrap() -> DaemonMetrics {
        let metrics = DaemonMetrics(registry: PrometheusCollectorRegistry())
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: metrics.registry))
        return metrics
    }

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    /// The current text: the gauges of state refreshed from `store` and `agent`, then everything.
    func text(store: MirrorStore, agent: SyncAgent, databasePath: String, now: Date = Date()) async -> String {
        if let figures = try? await store.operationalFigures() {
            refresh(figures, now: now)
        }
        let status = await agent.status()
        gauge("vdsync_session_active", "1 while a session is in use, 0 when logged out or expired").set(status.session == .active ? 1.0 : 0.0)
        gauge("vdsync_upstream_online", "1 when the last contact with the upstream succeeded").set(status.connectivity == .online ? 1.0 : 0.0)
        let files = MirrorStore.fileBytes(path: databasePath)
        gauge("vdsync_database_bytes", "bytes of the database file and its write-ahead log", ["file": "database"]).set(Double(files.database))
        gauge("vdsync_database_bytes", "bytes of the database file and its write-ahead log", ["file": "wal"]).set(Double(files.wal))
        return registry.emitToString()
    }

    private func refresh(_ figures: OperationalFigures, now: Date) {
        for state in OutboxState.allCases {
            gauge("vdsync_outbox_entries", "outbox entries of every account, by state", ["state": state.rawValue])
                .set(Double(figures.outboxByState[state] ?? 0))
        }
        gauge("vdsync_outbox_oldest_unfinished_age_seconds", "age of the oldest entry neither applied nor discarded; 0 when none")
            .set(figures.oldestUnfinished.map { max(0, now.timeIntervalSince($0)) } ?? 0)
        gauge("vdsync_journal_entries", "rows of the change journal").set(Double(figures.journalEntries))
        gauge("vdsync_photo_bytes", "bytes of photos taken offline, kept until uploaded").set(Double(figures.photoBytes))
        // One gauge per upstream list pulled; a list no longer mirrored (another account) goes.
        pullAges.withLock { ages in
            for (list, gauge) in ages where figures.lastPulls[list] == nil {
                registry.unregisterGauge(gauge)
                ages[list] = nil
            }
            for (list, date) in figures.lastPulls {
                let gauge =
                    ages[list]
                    ?? registry.makeGauge(
                        descriptor: Self.descriptor("vdsync_pull_age_seconds", "seconds since the last complete pull of an upstream list"),
                        labels: [("list", list)])
                ages[list] = gauge
                gauge.set(max(0, now.timeIntervalSince(date)))
            }
        }
    }

    private func gauge(_ name: String, _ help: String, _ labels: [String: String] = [:]) -> Prometheus.Gauge {
        registry.makeGauge(descriptor: Self.descriptor(name, help), labels: labels.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    private static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}

/// node_exporter's textfile collector reads `*.prom` files from a directory: the text is written
/// beside the target and renamed over it, so a scrape never reads half a file.
enum MetricsTextfile {
    static func write(_ text: String, to path: String) throws {
        let temporary = "\(path).\(getpid()).tmp"
        // Metrics hold no personal data, and node_exporter runs as its own user.
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8), attributes: [.posixPermissions: 0o644]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary])
        }
        guard rename(temporary, path) == 0 else {
            let code = errno
            try? FileManager.default.removeItem(atPath: temporary)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
    }
}
