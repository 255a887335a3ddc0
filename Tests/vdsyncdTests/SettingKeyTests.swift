import Foundation
import SyncEngine
import Testing

@testable import vdsyncd

/// The configuration's keys have one home, `SettingKey.all`: the daemon reads them from there,
/// and docs/configuration.md and config/vdsyncd.conf name exactly those keys, with the same
/// defaults.
@Suite("vdsyncd settings: one declaration")
struct SettingKeyTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func file(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    /// docs/configuration.md's table: key → the default column.
    static func documented() throws -> [String: String] {
        var rows: [String: String] = [:]
        for line in try file("docs/configuration.md").split(separator: "\n") where line.hasPrefix("| `VDSYNC_") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            rows[cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`"))] = cells[2]
        }
        return rows
    }

    /// config/vdsyncd.conf's assignments: key → value.
    static func template() throws -> [String: String] {
        var values: [String: String] = [:]
        for line in try file("config/vdsyncd.conf").split(separator: "\n") where line.hasPrefix("VDSYNC_") {
            let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            values[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        return values
    }

    @Test("every key is declared once, and docs/configuration.md documents exactly those keys with their defaults")
    func documentation() throws {
        let names = SettingKey.all.map(\.name)
        #expect(Set(names).count == names.count, "a key declared twice")
        #expect(DaemonSettings.keys == names)
        let documented = try Self.documented()
        #expect(Set(documented.keys) == Set(names), "docs/configuration.md's table differs from SettingKey.all")
        for key in SettingKey.all {
            if let value = key.defaultInteger {
                #expect(documented[key.name] == String(value), "\(key): documented default \(documented[key.name] ?? "none"), declared \(value)")
            }
        }
    }

    @Test("config/vdsyncd.conf sets every key but the password itself (never in a file), to the declared defaults")
    func template() throws {
        let template = try Self.template()
        #expect(Set(template.keys) == Set(SettingKey.all.map(\.name)).subtracting([SettingKey.password.name]))
        for key in SettingKey.all {
            if let value = key.defaultInteger {
                #expect(template[key.name] == String(value), "\(key): the template says \(template[key.name] ?? "nothing"), declared \(value)")
            }
        }
        #expect(template[SettingKey.outboxRate.name].flatMap(Double.init) == OutboxRateDefault.value)
    }

    @Test("the settings read their defaults from the declarations")
    func defaultsAreRead() async throws {
        let settings = try await DaemonSettings.load(file: nil, flags: [:], environment: ["VDSYNC_UPSTREAM_URL": "http://127.0.0.1:9"])
        #expect(settings.intervals[.cold] == .seconds(try #require(SettingKey.coldInterval.defaultInteger)))
        #expect(settings.outboxSettleTime == .seconds(try #require(SettingKey.outboxSettleTime.defaultInteger)))
        #expect(settings.readTimeout == .seconds(try #require(SettingKey.readTimeout.defaultInteger)))
        #expect(settings.stopTimeout == .seconds(try #require(SettingKey.stopTimeout.defaultInteger)))
        #expect(settings.maxLineBytes == SettingKey.maxLineBytes.defaultInteger)
        #expect(settings.outboxRate == OutboxRateDefault.value)
        #expect(!settings.metered && settings.openProjectPages == PullPlan.Options.defaultOpenProjectPages)
    }

    @Test("a metered link: every interval at least the metered one, a longer one kept; pictures only when asked for")
    func metered() async throws {
        let settings = try await DaemonSettings.load(
            file: nil, flags: [:],
            environment: [
                "VDSYNC_UPSTREAM_URL": "http://127.0.0.1:9", "VDSYNC_METERED": "on", "VDSYNC_HOT_INTERVAL": "60", "VDSYNC_WARM_INTERVAL": "7200",
                "VDSYNC_OPEN_PROJECT_PAGES": "2",
            ])
        #expect(settings.metered)
        #expect(settings.intervals[.hot] == SyncSchedule.Configuration.meteredIntervals[.hot], "60 s raised to the metered 300 s")
        #expect(settings.intervals[.warm] == .seconds(7200), "a longer interval than the metered one is kept")
        #expect(settings.intervals[.cold] == SyncSchedule.Configuration.meteredIntervals[.cold])
        #expect(settings.openProjectPages == 2)
        #expect(settings.maskedConfiguration["VDSYNC_METERED"] == "on")
        let unmetered = try await DaemonSettings.load(
            file: nil, flags: [:], environment: ["VDSYNC_UPSTREAM_URL": "http://127.0.0.1:9", "VDSYNC_HOT_INTERVAL": "60"])
        #expect(unmetered.intervals[.hot] == .seconds(60))
    }
}

extension SettingKeyTests {
    @Test("the support report's configuration names every key, with the phone masked and the password never shown")
    func maskedConfiguration() async throws {
        let settings = try await DaemonSettings.load(
            file: nil, flags: [:],
            environment: [
                "VDSYNC_UPSTREAM_URL": "http://127.0.0.1:9", "VDSYNC_ROLE": "doctor", "VDSYNC_PHONE": "13800000001",
                "VDSYNC_PASSWORD": "not-to-be-seen",
            ])
        let shown = settings.maskedConfiguration
        #expect(Set(shown.keys) == Set(SettingKey.all.map(\.name)))
        #expect(shown["VDSYNC_ROLE"] == "doctor")
        #expect(shown["VDSYNC_PHONE"] != nil && shown["VDSYNC_PHONE"] != "13800000001" && shown["VDSYNC_PHONE"]?.contains("13800000001") == false)
        #expect(!shown.values.contains { $0.contains("not-to-be-seen") })
    }
}

/// The outbox rate's declared default.
enum OutboxRateDefault {
    static var value: Double? {
        if case .number(_, let value) = SettingKey.outboxRate.kind { value } else { nil }
    }
}
