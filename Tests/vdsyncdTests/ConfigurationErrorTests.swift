import Foundation
import Glibc
import Testing

/// A configuration that cannot be used stops the daemon at start, with exit status 78
/// (EX_CONFIG) and a message that names the key.
@Suite("vdsyncd process: configuration errors", .tags(.process), .timeLimit(.minutes(1)))
struct ConfigurationErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let changes: [String: String?]
        let extraLines: [String]
        let environment: [String: String]
        let key: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "misspelt key in the file", changes: [:], extraLines: ["VDSYNC_HOT_INTERVALL=5"], environment: [:], key: "VDSYNC_HOT_INTERVALL"),
        Case(name: "non-numeric interval", changes: ["VDSYNC_HOT_INTERVAL": "abc"], extraLines: [], environment: [:], key: "VDSYNC_HOT_INTERVAL"),
        Case(name: "misspelt key in the environment", changes: [:], extraLines: [], environment: ["VDSYNC_HOT_INTERVALL": "5"], key: "VDSYNC_HOT_INTERVALL"),
    ]

    @Test("a bad setting fails start with exit status 78, naming the key", arguments: cases)
    func badSetting(_ bad: Case) async throws {
        try await DaemonWorld.with { world in
            try world.writeConfiguration(bad.changes, extraLines: bad.extraLines)
            let daemon = try world.start(environment: bad.environment)
            defer { daemon.kill() }
            let ended = await daemon.waitForExit(timeout: .seconds(20))
            #expect(ended == .exited(78), "\(DaemonFailure("ended: \(ended.map { "\($0)" } ?? "still running")", daemon))")
            let message = daemon.standardErrorLines.first { $0.contains("configuration") }
            #expect(message?.contains(bad.key + ":") == true, "stderr: \(daemon.standardError)")
            #expect(!world.notify.messages.contains { $0["READY"] != nil })
            #expect(!FileManager.default.fileExists(atPath: world.socketPath))
        }
    }

    /// Issue #18, finding 7: a value pasted into the wrong key may be a personal number (here an
    /// ID-card number). The error says what was expected and never repeats the value; a reload
    /// masks it in its log line, and the start must not print it either.
    @Test(
        "a bad value is never echoed at start: the message says what was expected",
        arguments: [
            ("VDSYNC_COLD_INTERVAL", "must be a whole number from 60 to 604800"),
            ("VDSYNC_SOCKET_GROUP", "names no group"),
        ])
    func badValueNotEchoed(_ key: String, _ expected: String) async throws {
        let personal = "110105194912310021"
        try await DaemonWorld.with { world in
            try world.writeConfiguration([key: personal])
            let daemon = try world.start()
            defer { daemon.kill() }
            let ended = await daemon.waitForExit(timeout: .seconds(20))
            #expect(ended == .exited(78), "\(DaemonFailure("ended: \(ended.map { "\($0)" } ?? "still running")", daemon))")
            let message = daemon.standardErrorLines.first { $0.contains("configuration") }
            #expect(message?.contains("\(key): \(expected)") == true, "stderr: \(daemon.standardError)")
            #expect(!daemon.standardError.contains(personal), "stderr: \(daemon.standardError)")
        }
    }
}
