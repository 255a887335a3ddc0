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

    /// Every key vdsyncd reads, by its environment / file name (declared in ``SettingKey``).
    static var keys: [String] { SettingKey.all.map(\.name) }

    /// How long SIGTERM waits for upstream requests in flight, unless configured.
    static let defaultStopTimeout: Duration = .seconds(10)

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
                throw Invalid(key: key.name, problem: "must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(given)'")
            }
            return number
        }
        func uids(_ key: SettingKey) throws -> Set<UInt32> {
            guard let given = text(key) else { return [] }
            var result = Set<UInt32>()
            for part in given.split(separator: ",") {
                guard let uid = UInt32(part.trimmingCharacters(in: .whitespaces)) else {
                    throw Invalid(key: key.name, problem: "must be numeric uids separated by commas")
                }
                result.insert(uid)
            }
            return result
        }

        guard let urlText = text(.upstreamURL) else { throw Invalid(key: SettingKey.upstreamURL.name, problem: "is required") }
        guard let url = URL(string: urlText), ["http", "https"].contains(url.scheme ?? ""), url.host() != nil else {
            throw Invalid(key: SettingKey.upstreamURL.name, problem: "must be an http(s) URL such as https://api.example.org")
        }

        var credentials: SyncAgent.Credentials?
        let role = text(.role)
        let phone = text(.phone)
        if role != nil || phone != nil {
            guard let role else { throw Invalid(key: SettingKey.role.name, problem: "is required with VDSYNC_PHONE (patient, doctor or assistant)") }
            guard let phone else { throw Invalid(key: SettingKey.phone.name, problem: "is required with VDSYNC_ROLE") }
            let roles: [String: UserRole] = ["patient": .patient, "doctor": .doctor, "assistant": .assistant]
            guard let userRole = roles[role] else { throw Invalid(key: SettingKey.role.name, problem: "must be patient, doctor or assistant") }
            guard phone.range(of: #"^1[0-9]{10}$"#, options: .regularExpression) != nil else {
                throw Invalid(key: SettingKey.phone.name, problem: "must be an 11-digit mainland mobile number")
            }
            guard let password = try password(text, environment: environment) else {
                throw Invalid(
                    key: SettingKey.password.name,
                    problem: "is required with VDSYNC_PHONE: a systemd credential vdsync-password, VDSYNC_PASSWORD_FILE, or VDSYNC_PASSWORD")
            }
            credentials = SyncAgent.Credentials(phone: phone, password: password, role: userRole)
        }

        var proxy: UpstreamConfiguration.Proxy?
        if let given = text(.proxy) {
            let parts = given.split(separator: ":")
            guard parts.count == 2, let port = Int(parts[1]), (1...65535).contains(port) else {
                throw Invalid(key: SettingKey.proxy.name, problem: "must be host:port")
            }
            proxy = .init(host: String(parts[0]), port: port)
        } else {
            proxy = UpstreamConfiguration.proxy(for: url, environment: environment)
        }

        var socketGroup: gid_t?
        if let group = text(.socketGroup) {
            if let number = gid_t(group) {
                socketGroup = number
            } else if let entry = getgrnam(group) {
                socketGroup = entry.pointee.gr_gid
            } else {
                throw Invalid(key: SettingKey.socketGroup.name, problem: "no group named '\(group)'")
            }
        }

        let levels: [String: Logger.Level] = [
            "trace": .trace, "debug": .debug, "info": .info, "notice": .notice, "warning": .warning, "error": .error, "critical": .critical,
        ]
        let levelName = text(.logLevel) ?? "info"
        guard let logLevel = levels[levelName] else {
            throw Invalid(key: SettingKey.logLevel.name, problem: "must be one of trace, debug, info, notice, warning, error, critical")
        }
        guard case .number(let maximumRate, var rate) = SettingKey.outboxRate.kind else { preconditionFailure("the rate is a number") }
        if let given = text(.outboxRate) {
            guard let value = Double(given), value > 0, value <= maximumRate else {
                throw Invalid(key: SettingKey.outboxRate.name, problem: "must be a number of requests per second, above 0")
            }
            rate = value
        }
        if let location = text(.location), location.range(of: #"^-?[0-9]+(\.[0-9]+)?--?[0-9]+(\.[0-9]+)?$"#, options: .regularExpression) == nil {
            throw Invalid(key: SettingKey.location.name, problem: "must be longitude-latitude, e.g. 116.40-39.90")
        }

        return DaemonSettings(
            upstreamURL: url, credentials: credentials, location: text(.location), proxy: proxy,
            stateDirectory: text(.stateDirectory) ?? environment["STATE_DIRECTORY"]?.split(separator: ":").first.map(String.init) ?? "/var/lib/vdsync",
            socketPath: text(.socketPath)
                ?? environment["RUNTIME_DIRECTORY"]?.split(separator: ":").first.map { "\($0)/vdsyncd.sock" } ?? "/run/vdsyncd/vdsyncd.sock",
            socketGroup: socketGroup, writerUIDs: try uids(.writerUIDs), readOnlyUIDs: try uids(.readOnlyUIDs),
            intervals: [
                .hot: .seconds(try integer(.hotInterval)), .warm: .seconds(try integer(.warmInterval)), .cold: .seconds(try integer(.coldInterval)),
            ],
            maxLineBytes: try integer(.maxLineBytes), maxConnections: try integer(.maxConnections), outboxRate: rate,
            outboxMaxAttempts: try integer(.outboxMaxAttempts), outboxSettleTime: .seconds(try integer(.outboxSettleTime)),
            readTimeout: .seconds(try integer(.readTimeout)), logLevel: logLevel, stopTimeout: .seconds(try integer(.stopTimeout)))
    }

    /// The password: a systemd credential first (never in the environment or a unit file), then
    /// a file, then the setting itself.
    private static func password(_ text: (SettingKey) -> String?, environment: [String: String]) throws -> String? {
        if let directory = environment["CREDENTIALS_DIRECTORY"], let data = FileManager.default.contents(atPath: directory + "/vdsync-password") {
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
        }
        if let file = text(.passwordFile) {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw Invalid(key: SettingKey.passwordFile.name, problem: "cannot read \(file)")
            }
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
        }
        return text(.password)
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
