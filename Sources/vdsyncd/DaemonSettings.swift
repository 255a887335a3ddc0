import Configuration
import Foundation
import Logging
import SyncEngine
import SystemPackage
import UpstreamClient
import VolunteerAPI

/// Every setting of vdsyncd, validated. Read through swift-configuration from three layers, the
/// first that has a key winning: command-line flags, then environment variables, then the
/// configuration file (`config/vdsyncd.conf`: `VDSYNC_*=value` lines with comments). Every key
/// is documented in that file and in docs/configuration.md.
struct DaemonSettings: Sendable {
    var upstreamURL: URL
    var credentials: SyncAgent.Credentials?
    var location: String?
    var proxy: UpstreamConfiguration.Proxy?
    var stateDirectory: String
    var socketPath: String
    var socketGroup: gid_t?
    var writerUIDs: Set<UInt32>
    var readOnlyUIDs: Set<UInt32>
    var intervals: [PullTier: Duration]
    var maxLineBytes: Int
    var maxConnections: Int
    var outboxRate: Double
    var outboxMaxAttempts: Int
    /// How long a send that got no answer may still take effect upstream (``OutboxPolicy/settleTime``).
    var outboxSettleTime: Duration
    /// How long the upstream client waits for the next bytes of an answer.
    var readTimeout: Duration
    var logLevel: Logger.Level
    var stopTimeout: Duration

    var databasePath: String { stateDirectory + "/vdsync.sqlite" }

    /// A setting that cannot be used, named by its key.
    struct Invalid: Error, CustomStringConvertible {
        let key: String
        let problem: String
        var description: String { "\(key): \(problem)" }
    }

    /// Every key vdsyncd reads, by its environment / file name.
    static let keys: [String] = [
        "VDSYNC_UPSTREAM_URL", "VDSYNC_ROLE", "VDSYNC_PHONE", "VDSYNC_PASSWORD", "VDSYNC_PASSWORD_FILE", "VDSYNC_LOCATION", "VDSYNC_PROXY",
        "VDSYNC_STATE_DIRECTORY", "VDSYNC_SOCKET_PATH", "VDSYNC_SOCKET_GROUP", "VDSYNC_WRITER_UIDS", "VDSYNC_READ_ONLY_UIDS",
        "VDSYNC_HOT_INTERVAL", "VDSYNC_WARM_INTERVAL", "VDSYNC_COLD_INTERVAL", "VDSYNC_MAX_LINE_BYTES", "VDSYNC_MAX_CONNECTIONS",
        "VDSYNC_OUTBOX_RATE", "VDSYNC_OUTBOX_MAX_ATTEMPTS", "VDSYNC_OUTBOX_SETTLE_TIME", "VDSYNC_READ_TIMEOUT", "VDSYNC_LOG_LEVEL",
        "VDSYNC_STOP_TIMEOUT",
    ]

    /// Loads and validates the settings. `flags` are the command line's `VDSYNC_*` values.
    static func load(file: String?, flags: [String: String], environment: [String: String]) async throws -> DaemonSettings {
        // A misspelt key would otherwise be ignored in silence.
        for name in environment.keys where name.hasPrefix("VDSYNC_") && !keys.contains(name) {
            throw Invalid(key: name, problem: "is not a vdsyncd setting (environment); known keys are listed in docs/configuration.md")
        }
        var providers: [any ConfigProvider] = [
            EnvironmentVariablesProvider(environmentVariables: flags),
            EnvironmentVariablesProvider(environmentVariables: environment.filter { $0.key.hasPrefix("VDSYNC_") }),
        ]
        if let file {
            guard FileManager.default.isReadableFile(atPath: file) else { throw Invalid(key: "--config", problem: "cannot read \(file)") }
            for name in try fileKeys(file) where !keys.contains(name) {
                throw Invalid(key: name, problem: "is not a vdsyncd setting (in \(file)); known keys are listed in docs/configuration.md")
            }
            providers.append(try await EnvironmentVariablesProvider(environmentFilePath: FilePath(file)))
        }
        let reader = ConfigReader(providers: providers)
        func text(_ name: String, secret: Bool = false) -> String? {
            let key = ConfigKey(name.lowercased().split(separator: "_").map(String.init))
            guard let value = reader.string(forKey: key, isSecret: secret)?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
            return value
        }
        func integer(_ name: String, _ range: ClosedRange<Int>, default value: Int) throws -> Int {
            guard let given = text(name) else { return value }
            guard let number = Int(given), range.contains(number) else {
                throw Invalid(key: name, problem: "must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(given)'")
            }
            return number
        }
        func uids(_ name: String) throws -> Set<UInt32> {
            guard let given = text(name) else { return [] }
            var result = Set<UInt32>()
            for part in given.split(separator: ",") {
                guard let uid = UInt32(part.trimmingCharacters(in: .whitespaces)) else {
                    throw Invalid(key: name, problem: "must be numeric uids separated by commas")
                }
                result.insert(uid)
            }
            return result
        }

        guard let urlText = text("VDSYNC_UPSTREAM_URL") else { throw Invalid(key: "VDSYNC_UPSTREAM_URL", problem: "is required") }
        guard let url = URL(string: urlText), ["http", "https"].contains(url.scheme ?? ""), url.host() != nil else {
            throw Invalid(key: "VDSYNC_UPSTREAM_URL", problem: "must be an http(s) URL such as https://api.example.org")
        }

        var credentials: SyncAgent.Credentials?
        let role = text("VDSYNC_ROLE")
        let phone = text("VDSYNC_PHONE")
        if role != nil || phone != nil {
            guard let role else { throw Invalid(key: "VDSYNC_ROLE", problem: "is required with VDSYNC_PHONE (patient, doctor or assistant)") }
            guard let phone else { throw Invalid(key: "VDSYNC_PHONE", problem: "is required with VDSYNC_ROLE") }
            let roles: [String: UserRole] = ["patient": .patient, "doctor": .doctor, "assistant": .assistant]
            guard let userRole = roles[role] else { throw Invalid(key: "VDSYNC_ROLE", problem: "must be patient, doctor or assistant") }
            guard phone.range(of: #"^1[0-9]{10}$"#, options: .regularExpression) != nil else {
                throw Invalid(key: "VDSYNC_PHONE", problem: "must be an 11-digit mainland mobile number")
            }
            guard let password = try password(text, environment: environment) else {
                throw Invalid(
                    key: "VDSYNC_PASSWORD", problem: "is required with VDSYNC_PHONE: a systemd credential vdsync-password, VDSYNC_PASSWORD_FILE, or VDSYNC_PASSWORD")
            }
            credentials = SyncAgent.Credentials(phone: phone, password: password, role: userRole)
        }

        var proxy: UpstreamConfiguration.Proxy?
        if let given = text("VDSYNC_PROXY") {
            let parts = given.split(separator: ":")
            guard parts.count == 2, let port = Int(parts[1]), (1...65535).contains(port) else {
                throw Invalid(key: "VDSYNC_PROXY", problem: "must be host:port")
            }
            proxy = .init(host: String(parts[0]), port: port)
        } else {
            proxy = UpstreamConfiguration.proxy(for: url, environment: environment)
        }

        var socketGroup: gid_t?
        if let group = text("VDSYNC_SOCKET_GROUP") {
            if let number = gid_t(group) {
                socketGroup = number
            } else if let entry = getgrnam(group) {
                socketGroup = entry.pointee.gr_gid
            } else {
                throw Invalid(key: "VDSYNC_SOCKET_GROUP", problem: "no group named '\(group)'")
            }
        }

        let levels: [String: Logger.Level] = [
            "trace": .trace, "debug": .debug, "info": .info, "notice": .notice, "warning": .warning, "error": .error, "critical": .critical,
        ]
        let levelName = text("VDSYNC_LOG_LEVEL") ?? "info"
        guard let logLevel = levels[levelName] else {
            throw Invalid(key: "VDSYNC_LOG_LEVEL", problem: "must be one of trace, debug, info, notice, warning, error, critical")
        }
        var rate = 5.0
        if let given = text("VDSYNC_OUTBOX_RATE") {
            guard let value = Double(given), value > 0, value <= 10_000 else { throw Invalid(key: "VDSYNC_OUTBOX_RATE", problem: "must be a number of requests per second, above 0") }
            rate = value
        }
        if let location = text("VDSYNC_LOCATION"), location.range(of: #"^-?[0-9]+(\.[0-9]+)?--?[0-9]+(\.[0-9]+)?$"#, options: .regularExpression) == nil {
            throw Invalid(key: "VDSYNC_LOCATION", problem: "must be longitude-latitude, e.g. 116.40-39.90")
        }

        return DaemonSettings(
            upstreamURL: url, credentials: credentials, location: text("VDSYNC_LOCATION"), proxy: proxy,
            stateDirectory: text("VDSYNC_STATE_DIRECTORY") ?? environment["STATE_DIRECTORY"]?.split(separator: ":").first.map(String.init) ?? "/var/lib/vdsync",
            socketPath: text("VDSYNC_SOCKET_PATH")
                ?? environment["RUNTIME_DIRECTORY"]?.split(separator: ":").first.map { "\($0)/vdsyncd.sock" } ?? "/run/vdsyncd/vdsyncd.sock",
            socketGroup: socketGroup, writerUIDs: try uids("VDSYNC_WRITER_UIDS"), readOnlyUIDs: try uids("VDSYNC_READ_ONLY_UIDS"),
            intervals: [
                .hot: .seconds(try integer("VDSYNC_HOT_INTERVAL", 5...86_400, default: 60)),
                .warm: .seconds(try integer("VDSYNC_WARM_INTERVAL", 5...86_400, default: 300)),
                .cold: .seconds(try integer("VDSYNC_COLD_INTERVAL", 60...604_800, default: 86_400)),
            ],
            maxLineBytes: try integer("VDSYNC_MAX_LINE_BYTES", 1024...(64 << 20), default: 1 << 20),
            maxConnections: try integer("VDSYNC_MAX_CONNECTIONS", 1...10_000, default: 128), outboxRate: rate,
            outboxMaxAttempts: try integer("VDSYNC_OUTBOX_MAX_ATTEMPTS", 1...1000, default: 8),
            outboxSettleTime: .seconds(try integer("VDSYNC_OUTBOX_SETTLE_TIME", 0...86_400, default: Self.seconds(OutboxPolicy().settleTime))),
            readTimeout: .seconds(try integer("VDSYNC_READ_TIMEOUT", 1...600, default: Self.seconds(UpstreamConfiguration.defaultReadTimeout))),
            logLevel: logLevel,
            stopTimeout: .seconds(try integer("VDSYNC_STOP_TIMEOUT", 1...300, default: 10)))
    }

    /// A default's whole seconds, for a key given in seconds: the default has its home in the
    /// type it configures.
    private static func seconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds)
    }

    /// The password: a systemd credential first (never in the environment or a unit file), then
    /// a file, then the setting itself.
    private static func password(_ text: (String, Bool) -> String?, environment: [String: String]) throws -> String? {
        if let directory = environment["CREDENTIALS_DIRECTORY"], let data = FileManager.default.contents(atPath: directory + "/vdsync-password") {
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
        }
        if let file = text("VDSYNC_PASSWORD_FILE", false) {
            guard let data = FileManager.default.contents(atPath: file) else { throw Invalid(key: "VDSYNC_PASSWORD_FILE", problem: "cannot read \(file)") }
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
        }
        return text("VDSYNC_PASSWORD", true)
    }

    /// The `NAME=` keys of an environment file (for refusing unknown ones; the values are read
    /// by swift-configuration).
    private static func fileKeys(_ path: String) throws -> [String] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return text.split(whereSeparator: \.isNewline).compactMap { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.hasPrefix("#"), let equals = trimmed.firstIndex(of: "=") else { return nil }
            return String(trimmed[..<equals]).trimmingCharacters(in: .whitespaces)
        }
    }
}
