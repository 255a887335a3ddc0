import LocalRPC
import SyncEngine
import UpstreamClient

/// One setting of vdsyncd, declared once: its key (the environment variable's name, and the
/// configuration file's), what it holds, its default and a line of doc. ``DaemonSettings`` reads
/// every key through its declaration; `SettingKeyTests` keep docs/configuration.md and
/// config/vdsyncd.conf in step with ``all``. A default lives with what it configures (the pull
/// schedule, the outbox policy, the socket, the upstream client), and is only read from there.
struct SettingKey: Sendable, Hashable, CustomStringConvertible {
    /// What a value of the key is, as far as reading it goes.
    enum Kind: Sendable, Hashable {
        /// Free text, checked where it is used; `secret` text is never logged.
        case text(secret: Bool)
        /// A whole number in `range`, `default` when the key is not set.
        case integer(ClosedRange<Int>, default: Int)
        /// A number above 0 and at most `maximum`, `default` when the key is not set.
        case number(maximum: Double, default: Double)
        /// On or off (`on`/`off`, `true`/`false`, `yes`/`no`, `1`/`0`), `default` when not set.
        case flag(default: Bool)
    }

    let name: String
    let kind: Kind
    /// One line for operators.
    let summary: String

    var description: String { name }

    /// The default of an integer key (nil for other kinds).
    var defaultInteger: Int? {
        if case .integer(_, let value) = kind { value } else { nil }
    }

    private init(_ name: String, _ kind: Kind, _ summary: String) {
        self.name = name
        self.kind = kind
        self.summary = summary
    }

    private static func text(_ name: String, secret: Bool = false, _ summary: String) -> SettingKey {
        SettingKey(name, .text(secret: secret), summary)
    }

    private static func integer(_ name: String, _ range: ClosedRange<Int>, default value: Int, _ summary: String) -> SettingKey {
        SettingKey(name, .integer(range, default: value), summary)
    }

    /// Whole seconds of a default duration.
    private static func seconds(_ duration: Duration?) -> Int {
        Int(duration?.components.seconds ?? 0)
    }
}

extension SettingKey {
    static let upstreamURL = text("VDSYNC_UPSTREAM_URL", "the upstream API's base URL, http or https (required)")
    static let role = text("VDSYNC_ROLE", "patient, doctor or assistant: the account to log in with at start")
    static let phone = text("VDSYNC_PHONE", "that account's 11-digit phone")
    static let password = text("VDSYNC_PASSWORD", secret: true, "the password itself (prefer the systemd credential or a file)")
    static let passwordFile = text("VDSYNC_PASSWORD_FILE", "a file holding the password")
    static let location = text("VDSYNC_LOCATION", "the kiosk's position for X-location, longitude-latitude")
    static let proxy = text("VDSYNC_PROXY", "an HTTP proxy for the upstream, host:port")
    static let stateDirectory = text("VDSYNC_STATE_DIRECTORY", "where the database lives")
    static let socketPath = text("VDSYNC_SOCKET_PATH", "the socket served")
    static let socketGroup = text("VDSYNC_SOCKET_GROUP", "the socket's group, by name or gid")
    static let writerUIDs = text("VDSYNC_WRITER_UIDS", "uids that may call every method")
    static let readOnlyUIDs = text("VDSYNC_READ_ONLY_UIDS", "uids that may call read methods only")
    static let hotInterval = integer(
        "VDSYNC_HOT_INTERVAL", 5...86_400, default: seconds(SyncSchedule.Configuration().intervals[.hot]),
        "seconds between pulls of chat, system messages and diagnoses")
    static let warmInterval = integer(
        "VDSYNC_WARM_INTERVAL", 5...86_400, default: seconds(SyncSchedule.Configuration().intervals[.warm]),
        "seconds between pulls of projects, people and memberships")
    static let coldInterval = integer(
        "VDSYNC_COLD_INTERVAL", 60...604_800, default: seconds(SyncSchedule.Configuration().intervals[.cold]),
        "seconds between pulls of hospitals, organisations, cities and news")
    static let metered = SettingKey(
        "VDSYNC_METERED", .flag(default: false),
        "on: a metered link: intervals of at least 300 s (hot), 1800 s (warm), a week (cold), pictures only when asked for")
    static let openProjectPages = integer(
        "VDSYNC_OPEN_PROJECT_PAGES", 0...10_000, default: PullPlan.Options.defaultOpenProjectPages,
        "pages of 50 open projects mirrored, nearest first with VDSYNC_LOCATION; 0: every page")
    static let maxLineBytes = integer(
        "VDSYNC_MAX_LINE_BYTES", 1024...(64 << 20), default: RPCServerConfiguration().maxLineBytes, "the longest request line on the socket")
    static let maxConnections = integer(
        "VDSYNC_MAX_CONNECTIONS", 1...10_000, default: RPCServerConfiguration().maxConnections, "socket connections at once")
    static let outboxRate = SettingKey(
        "VDSYNC_OUTBOX_RATE", .number(maximum: 10_000, default: OutboxPolicy().requestsPerSecond),
        "requests per second the outbox sends at most while draining")
    static let outboxMaxAttempts = integer(
        "VDSYNC_OUTBOX_MAX_ATTEMPTS", 1...1000, default: OutboxPolicy().maximumAttempts, "sends before an entry is parked")
    static let outboxSettleTime = integer(
        "VDSYNC_OUTBOX_SETTLE_TIME", 0...86_400, default: seconds(OutboxPolicy().settleTime),
        "seconds a write that got no answer may still take effect upstream")
    static let readTimeout = integer(
        "VDSYNC_READ_TIMEOUT", 1...600, default: seconds(UpstreamConfiguration.defaultReadTimeout),
        "seconds to wait for the next bytes of an upstream answer")
    static let logLevel = text("VDSYNC_LOG_LEVEL", "trace, debug, info, notice, warning, error or critical")
    static let logoutWipe = SettingKey(
        "VDSYNC_LOGOUT_WIPE", .flag(default: false), "on: a logout wipes the account's data unless the call says otherwise (shared kiosks)")
    static let compression = SettingKey(
        "VDSYNC_COMPRESSION", .flag(default: UpstreamConfiguration.defaultCompression),
        "on: ask the upstream for gzip answers and decode them (a metered link carries less); off: plain answers")
    static let readCache = SettingKey(
        "VDSYNC_READ_CACHE", .flag(default: true),
        "on: a list or get read that nothing changed since is answered from memory; off: every read asks the database")
    static let journalMaxEntries = integer(
        "VDSYNC_JOURNAL_MAX_ENTRIES", 1000...10_000_000, default: SyncAgent.Configuration().journalMaxEntries,
        "the change journal keeps at most this many entries")
    static let journalMaxAge = integer(
        "VDSYNC_JOURNAL_MAX_AGE", 3600...31_536_000, default: seconds(SyncAgent.Configuration().journalMaxAge),
        "seconds the change journal keeps an entry at most")
    static let imageCacheMaxBytes = integer(
        "VDSYNC_IMAGE_CACHE_MAX_BYTES", 0...(64 << 30), default: ImageFetcher.Configuration.defaultMaximumBytes,
        "bytes the pictures kept offline may take in <state directory>/images; 0: pictures are not kept")
    static let metricsFile = text(
        "VDSYNC_METRICS_FILE", "a .prom file for node_exporter's textfile collector, rewritten every VDSYNC_METRICS_INTERVAL (unset: none)")
    static let metricsInterval = integer(
        "VDSYNC_METRICS_INTERVAL", 1...3600, default: 60, "seconds between two writes of VDSYNC_METRICS_FILE")
    static let stopTimeout = integer(
        "VDSYNC_STOP_TIMEOUT", 1...300, default: seconds(DaemonSettings.defaultStopTimeout),
        "seconds SIGTERM waits for upstream requests in flight")

    /// Every key vdsyncd reads; any other `VDSYNC_*` name is refused.
    static let all: [SettingKey] = [
        upstreamURL, role, phone, password, passwordFile, location, proxy, stateDirectory, socketPath, socketGroup, writerUIDs, readOnlyUIDs,
        hotInterval, warmInterval, coldInterval, metered, openProjectPages, maxLineBytes, maxConnections, outboxRate, outboxMaxAttempts, outboxSettleTime,
        readTimeout,
        logLevel, logoutWipe, compression, readCache, journalMaxEntries, journalMaxAge, imageCacheMaxBytes, metricsFile, metricsInterval, stopTimeout,
    ]
}
