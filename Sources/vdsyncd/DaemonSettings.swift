import Configuration
import Foundation
import Logging
import Redaction
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
    /// A metered link: longer default intervals, pictures only when a front end asks.
    var metered: Bool
    /// Pages of the open-project list mirrored (``PullPlan/Options/openProjectPages``).
    var openProjectPages: Int
    var maxLineBytes: Int
    var maxConnections: Int
    var outboxRate: Double
    var outboxMaxAttempts: Int
    /// How long a send that got no answer may still take effect upstream (``OutboxPolicy/settleTime``).
    var outboxSettleTime: Duration
    /// How long the upstream client waits for the next bytes of an answer.
    var readTimeout: Duration
    var logLevel: Logger.Level
    /// Whether `session.logout` wipes the account's data when the call does not say.
    var logoutWipe: Bool
    /// Whether the upstream client asks for gzip answers and decodes them.
    var compression: Bool
    /// Whether unchanged list and get reads are answered from memory (``RPCReplyCache``).
    var readCache: Bool
    /// The change journal's bounds.
    var journalMaxEntries: Int
    var journalMaxAge: Duration
    /// The most bytes the image cache's files take; 0: pictures are not kept.
    var imageCacheMaxBytes: Int
    /// Where the metrics are written for node_exporter, and how often; nil: not written.
    var metricsFile: String?
    var metricsInterval: Duration
    var stopTimeout: Duration

    var databasePath: String { stateDirectory + "/vdsync.sqlite" }
    /// The image cache's files, beside the database that indexes them.
    var imageDirectory: String { stateDirectory + "/images" }

    /// A setting that cannot be used, named by its key.
    struct Failure: Error, CustomStringConvertible {
        let key: String
        let problem: String
        var description: String { "\(key): \(problem)" }
    }

    /// Every key vdsyncd reads, by its environment / file name (declared in ``SettingKey``).
    static var keys: [String] { SettingKey.all.map(\.name) }

    /// How long SIGTERM waits for upstream requests in flight, unless configured.
    static let defaultStopTimeout: Duration = .seconds(10)

    /// Loads and validates the settings. `flags` are the command line's `VDSYNC_*` values.
    static func load(file: String?, flags: [String: String], environment: [String: String]) async throws -> DaemonSettings {
        // A misspelt key would otherwise be ignored in silence.
        for name in environment.keys where name.hasPrefix("VDSYNC_") && !keys.contains(name) {
            throw Failure(key: name, problem: "is not a vdsyncd setting (environment); known keys are listed in docs/configuration.md")
        }
        var providers: [any ConfigProvider] = [
            EnvironmentVariablesProvider(environmentVariables: flags),
            EnvironmentVariablesProvider(environmentVariables: environment.filter { $0.key.hasPrefix("VDSYNC_") }),
        ]
        if let file {
            guard FileManager.default.isReadableFile(atPath: file) else { throw Failure(key: "--config", problem: "cannot read \(file)") }
            for name in try fileKeys(file) where !keys.contains(name) {
                throw Failure(key: name, problem: "is not a vdsyncd setting (in \(file)); known keys are listed in docs/configuration.md")
            }
            providers.append(try await EnvironmentVariablesProvider(environmentFilePath: FilePath(file)))
        }
        let values = SettingValues(reader: ConfigReader(providers: providers))
        let url = try upstreamURL(values)
        let metered = try values.flag(.metered)
        // On a metered link each interval is at least the metered one, whatever the file says.
        func interval(_ key: SettingKey, _ tier: PullTier) throws -> Duration {
            let configured = Duration.seconds(try values.integer(key))
            guard metered, let least = SyncSchedule.Configuration.meteredIntervals[tier] else { return configured }
            return max(configured, least)
        }
        if let location = values.text(.location), location.range(of: #"^-?[0-9]+(\.[0-9]+)?--?[0-9]+(\.[0-9]+)?$"#, options: .regularExpression) == nil {
            throw Failure(key: SettingKey.location.name, problem: "must be longitude-latitude, e.g. 116.40-39.90")
        }
        return DaemonSettings(
            upstreamURL: url, credentials: try credentials(values, environment: environment), location: values.text(.location),
            proxy: try proxy(values, upstream: url, environment: environment),
            stateDirectory: values.text(.stateDirectory) ?? environment["STATE_DIRECTORY"]?.split(separator: ":").first.map(String.init)
                ?? "/var/lib/vdsync",
            socketPath: values.text(.socketPath)
                ?? environment["RUNTIME_DIRECTORY"]?.split(separator: ":").first.map { "\($0)/vdsyncd.sock" } ?? "/run/vdsyncd/vdsyncd.sock",
            socketGroup: try socketGroup(values), writerUIDs: try values.uids(.writerUIDs), readOnlyUIDs: try values.uids(.readOnlyUIDs),
            intervals: [
                .hot: try interval(.hotInterval, .hot), .warm: try interval(.warmInterval, .warm), .cold: try interval(.coldInterval, .cold),
            ],
            metered: metered, openProjectPages: try values.integer(.openProjectPages),
            maxLineBytes: try values.integer(.maxLineBytes), maxConnections: try values.integer(.maxConnections),
            outboxRate: try outboxRate(values), outboxMaxAttempts: try values.integer(.outboxMaxAttempts),
            outboxSettleTime: .seconds(try values.integer(.outboxSettleTime)), readTimeout: .seconds(try values.integer(.readTimeout)),
            logLevel: try logLevel(values), logoutWipe: try values.flag(.logoutWipe), compression: try values.flag(.compression),
            readCache: try values.flag(.readCache), journalMaxEntries: try values.integer(.journalMaxEntries),
            journalMaxAge: .seconds(try values.integer(.journalMaxAge)),
            imageCacheMaxBytes: try values.integer(.imageCacheMaxBytes), metricsFile: values.text(.metricsFile),
            metricsInterval: .seconds(try values.integer(.metricsInterval)), stopTimeout: .seconds(try values.integer(.stopTimeout)))
    }

    /// Every setting as the support report shows it (docs/operations.md): the password never (only
    /// whether one is given), the phone masked, the rest as it applies.
    var maskedConfiguration: [String: String] {
        func seconds(_ duration: Duration?) -> String { duration.map { "\($0.components.seconds)" } ?? "" }
        let values: [SettingKey: String] = [
            .upstreamURL: upstreamURL.absoluteString, .role: credentials.map { "\($0.role)" } ?? "",
            .phone: credentials.map { PersonalNumbers.masked($0.phone) } ?? "",
            .password: credentials == nil ? "" : "(given)", .passwordFile: credentials == nil ? "" : "(see the password)",
            .location: location ?? "", .proxy: proxy.map { "\($0.host):\($0.port)" } ?? "", .stateDirectory: stateDirectory,
            .socketPath: socketPath, .socketGroup: socketGroup.map { "\($0)" } ?? "",
            .writerUIDs: writerUIDs.sorted().map(String.init).joined(separator: ","),
            .readOnlyUIDs: readOnlyUIDs.sorted().map(String.init).joined(separator: ","),
            .hotInterval: seconds(intervals[.hot]), .warmInterval: seconds(intervals[.warm]), .coldInterval: seconds(intervals[.cold]),
            .metered: metered ? "on" : "off", .openProjectPages: "\(openProjectPages)", .maxLineBytes: "\(maxLineBytes)", .maxConnections: "\(maxConnections)",
            .outboxRate: "\(outboxRate)",
            .outboxMaxAttempts: "\(outboxMaxAttempts)", .outboxSettleTime: seconds(outboxSettleTime), .readTimeout: seconds(readTimeout),
            .logLevel: "\(logLevel)", .logoutWipe: logoutWipe ? "on" : "off", .compression: compression ? "on" : "off",
            .readCache: readCache ? "on" : "off", .journalMaxEntries: "\(journalMaxEntries)",
            .journalMaxAge: seconds(journalMaxAge), .imageCacheMaxBytes: "\(imageCacheMaxBytes)", .metricsFile: metricsFile ?? "",
            .metricsInterval: seconds(metricsInterval), .stopTimeout: seconds(stopTimeout),
        ]
        return Dictionary(uniqueKeysWithValues: values.map { ($0.key.name, $0.value) })
    }

    /// The settings as read, typed by their ``SettingKey``: an unset or blank key is its default.
    private struct SettingValues {
        let reader: ConfigReader

        func text(_ key: SettingKey) -> String? {
            let secret = if case .text(secret: true) = key.kind { true } else { false }
            let configKey = ConfigKey(key.name.lowercased().split(separator: "_").map(String.init))
            guard let value = reader.string(forKey: configKey, isSecret: secret)?.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
                return nil
            }
            return value
        }

        func integer(_ key: SettingKey) throws -> Int {
            guard case .integer(let range, let value) = key.kind else { preconditionFailure("\(key) is not a whole number") }
            guard let given = text(key) else { return value }
            guard let number = Int(given), range.contains(number) else {
                // Never the value itself: pasted under the wrong key, it may be a personal number.
                throw Failure(key: key.name, problem: "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return number
        }

        func flag(_ key: SettingKey) throws -> Bool {
            guard case .flag(let value) = key.kind else { preconditionFailure("\(key) is not on or off") }
            guard let given = text(key)?.lowercased() else { return value }
            switch given {
            case "on", "true", "yes", "1": return true
            case "off", "false", "no", "0": return false
            default: throw Failure(key: key.name, problem: "must be on or off")
            }
        }

        func uids(_ key: SettingKey) throws -> Set<UInt32> {
            guard let given = text(key) else { return [] }
            var result = Set<UInt32>()
            for part in given.split(separator: ",") {
                guard let uid = UInt32(part.trimmingCharacters(in: .whitespaces)) else {
                    throw Failure(key: key.name, problem: "must be numeric uids separated by commas")
                }
                result.insert(uid)
            }
            return result
        }
    }

    private static func upstreamURL(_ values: SettingValues) throws -> URL {
        guard let urlText = values.text(.upstreamURL) else { throw Failure(key: SettingKey.upstreamURL.name, problem: "is required") }
        guard let url = URL(string: urlText), ["http", "https"].contains(url.scheme ?? ""), url.host() != nil else {
            throw Failure(key: SettingKey.upstreamURL.name, problem: "must be an http(s) URL such as https://api.example.org")
        }
        return url
    }

    /// The account to log in with: a role, a phone and a password together, or none of them.
    private static func credentials(_ values: SettingValues, environment: [String: String]) throws -> SyncAgent.Credentials? {
        let role = values.text(.role)
        let phone = values.text(.phone)
        guard role != nil || phone != nil else { return nil }
        guard let role else { throw Failure(key: SettingKey.role.name, problem: "is required with VDSYNC_PHONE (patient, doctor or assistant)") }
        guard let phone else { throw Failure(key: SettingKey.phone.name, problem: "is required with VDSYNC_ROLE") }
        let roles: [String: UserRole] = ["patient": .patient, "doctor": .doctor, "assistant": .assistant]
        guard let userRole = roles[role] else { throw Failure(key: SettingKey.role.name, problem: "must be patient, doctor or assistant") }
        guard phone.range(of: #"^1[0-9]{10}$"#, options: .regularExpression) != nil else {
            throw Failure(key: SettingKey.phone.name, problem: "must be an 11-digit mainland mobile number")
        }
        guard let password = try password(values.text, environment: environment) else {
            throw Failure(
                key: SettingKey.password.name,
                problem: "is required with VDSYNC_PHONE: a systemd credential vdsync-password, VDSYNC_PASSWORD_FILE, or VDSYNC_PASSWORD")
        }
        return SyncAgent.Credentials(phone: phone, password: password, role: userRole)
    }

    /// The configured proxy, else the one the environment names for the upstream's scheme.
    private static func proxy(_ values: SettingValues, upstream: URL, environment: [String: String]) throws -> UpstreamConfiguration.Proxy? {
        guard let given = values.text(.proxy) else { return UpstreamConfiguration.proxy(for: upstream, environment: environment) }
        let parts = given.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]), (1...65535).contains(port) else {
            throw Failure(key: SettingKey.proxy.name, problem: "must be host:port")
        }
        return .init(host: String(parts[0]), port: port)
    }

    /// The socket's group, by number or name.
    private static func socketGroup(_ values: SettingValues) throws -> gid_t? {
        guard let group = values.text(.socketGroup) else { return nil }
        if let number = gid_t(group) { return number }
        guard let entry = getgrnam(group) else {
            throw Failure(key: SettingKey.socketGroup.name, problem: "names no group on this system: give a group name or a gid")
        }
        return entry.pointee.gr_gid
    }

    private static func logLevel(_ values: SettingValues) throws -> Logger.Level {
        let levels: [String: Logger.Level] = [
            "trace": .trace, "debug": .debug, "info": .info, "notice": .notice, "warning": .warning, "error": .error, "critical": .critical,
        ]
        guard let level = levels[values.text(.logLevel) ?? "info"] else {
            throw Failure(key: SettingKey.logLevel.name, problem: "must be one of trace, debug, info, notice, warning, error, critical")
        }
        return level
    }

    private static func outboxRate(_ values: SettingValues) throws -> Double {
        guard case .number(let maximumRate, let rate) = SettingKey.outboxRate.kind else { preconditionFailure("the rate is a number") }
        guard let given = values.text(.outboxRate) else { return rate }
        guard let value = Double(given), value > 0, value <= maximumRate else {
            throw Failure(key: SettingKey.outboxRate.name, problem: "must be a number of requests per second, above 0")
        }
        return value
    }

    /// The password: a systemd credential first (never in the environment or a unit file), then
    /// a file, then the setting itself.
    private static func password(_ text: (SettingKey) -> String?, environment: [String: String]) throws -> String? {
        if let directory = environment["CREDENTIALS_DIRECTORY"], let data = FileManager.default.contents(atPath: directory + "/vdsync-password") {
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
        }
        if let file = text(.passwordFile) {
            return String(decoding: try passwordFileContents(file), as: UTF8.self).trimmingCharacters(in: .newlines)
        }
        return text(.password)
    }

    /// The password file's bytes, refused, as ssh refuses a private key, when others may read
    /// or write it (its owner and its group may: packaging often gives the group read access).
    /// The mode is checked on the open file, so a file swapped after the check is not read.
    private static func passwordFileContents(_ file: String) throws -> Data {
        guard let handle = FileHandle(forReadingAtPath: file) else {
            throw Failure(key: SettingKey.passwordFile.name, problem: "cannot read \(file)")
        }
        defer { try? handle.close() }
        var info = stat()
        guard fstat(handle.fileDescriptor, &info) == 0 else {
            throw Failure(key: SettingKey.passwordFile.name, problem: "cannot read \(file)")
        }
        let mode = UInt32(info.st_mode) & 0o7777
        guard mode & 0o007 == 0 else {
            let octal = "0" + String(mode, radix: 8)
            throw Failure(
                key: SettingKey.passwordFile.name,
                problem: "\(file) is open to others (mode \(octal)); allow its owner (and group) only, e.g. chmod 0600 \(file)")
        }
        do {
            return try handle.readToEnd() ?? Data()
        } catch {
            throw Failure(key: SettingKey.passwordFile.name, problem: "cannot read \(file)")
        }
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
