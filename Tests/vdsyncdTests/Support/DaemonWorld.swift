import Foundation
import GRDB
import Glibc
import ReferenceServer
import ReferenceServerTestKit
import Synchronization
import Testing
import VolunteerAPI

/// The setting of every process-level test: vdapi running in-process with the demo world, a
/// temporary directory (state, socket, configuration file, password file, the child's output)
/// and the test's own `NOTIFY_SOCKET`; the real `vdsyncd` binary is started as a child process
/// against it, as systemd would start it.
final class DaemonWorld: Sendable {
    let running: RunningReferenceServer
    let directory: TemporaryDirectory
    let notify: NotifyListener
    private let started = Atomic<Int>(0)

    var stateDirectory: String { directory.file("state") }
    var databasePath: String { stateDirectory + "/vdsync.sqlite" }
    var socketPath: String { directory.file("vdsyncd.sock") }
    var configPath: String { directory.file("vdsyncd.conf") }

    /// The demo doctor vdsyncd logs in as, and a patient of the demo world to write to.
    static let doctorPhone = "13800000001"
    static let patientPhone = "13800000021"
    static let password = "demo123"

    private init(running: RunningReferenceServer, directory: TemporaryDirectory, notify: NotifyListener) {
        self.running = running
        self.directory = directory
        self.notify = notify
    }

    /// Seeds vdapi's demo world, prepares the directory and the base configuration, runs `body`.
    static func with(_ body: (DaemonWorld) async throws -> Void) async throws {
        try await RunningReferenceServer.withRunning { running in
            _ = try await Seed.demo(into: running.database, configuration: ReferenceServerConfiguration())
            let directory = try TemporaryDirectory()
            let notify = try NotifyListener(path: directory.file("notify"))
            defer { notify.stop() }
            try Data("\(password)\n".utf8).write(to: URL(fileURLWithPath: directory.file("password")))
            chmod(directory.file("password"), 0o600)
            let world = DaemonWorld(running: running, directory: directory, notify: notify)
            try world.writeConfiguration()
            try await body(world)
        }
    }

    // MARK: - Configuration

    /// The configuration every test starts from: the demo doctor against this vdapi, state and
    /// socket in the temporary directory, the documented default intervals.
    var baseConfiguration: KeyValuePairs<String, String> {
        [
            "VDSYNC_UPSTREAM_URL": running.api.absoluteString,
            "VDSYNC_ROLE": "doctor",
            "VDSYNC_PHONE": Self.doctorPhone,
            "VDSYNC_PASSWORD_FILE": directory.file("password"),
            "VDSYNC_STATE_DIRECTORY": stateDirectory,
            "VDSYNC_SOCKET_PATH": socketPath,
            "VDSYNC_HOT_INTERVAL": "60",
            "VDSYNC_WARM_INTERVAL": "300",
            "VDSYNC_COLD_INTERVAL": "86400",
            "VDSYNC_LOG_LEVEL": "info",
            "VDSYNC_STOP_TIMEOUT": "5",
            // A send left in flight by a kill or a stop is resent, when the read-back does not
            // find it, only after this settle time: short, so that the tests finish in seconds,
            // and above every delay after which a test's vdapi may still commit a held request.
            "VDSYNC_OUTBOX_SETTLE_TIME": "5",
        ]
    }

    /// Writes the configuration file: the base settings with `changes` applied (a nil value
    /// leaves the key out; keys not in the base are added, also misspelt ones), and `extraLines`
    /// appended verbatim. Written whole and renamed into place, as an editor would.
    func writeConfiguration(_ changes: [String: String?] = [:], extraLines: [String] = []) throws {
        var lines = ["# vdsyncd configuration written by vdsyncdTests"]
        for (key, value) in baseConfiguration {
            if let change = changes[key] {
                if let change { lines.append("\(key)=\(change)") }
            } else {
                lines.append("\(key)=\(value)")
            }
        }
        let baseKeys = Set(baseConfiguration.map(\.key))
        for key in changes.keys.sorted() where !baseKeys.contains(key) {
            if let value = changes[key]! { lines.append("\(key)=\(value)") }
        }
        lines += extraLines
        let temporary = configPath + ".new"
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, configPath) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
    }

    // MARK: - The daemon

    /// The environment the child gets: this process's, without anything that would configure
    /// vdsyncd behind the test's back (inherited `VDSYNC_*`, systemd's variables, proxies),
    /// plus `NOTIFY_SOCKET` and `extra`.
    func childEnvironment(_ extra: [String: String]) -> [String: String] {
        let systemd: Set<String> = [
            "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "JOURNAL_STREAM",
            "CREDENTIALS_DIRECTORY", "STATE_DIRECTORY", "RUNTIME_DIRECTORY",
        ]
        var environment = ProcessInfo.processInfo.environment.filter { key, _ in
            !key.hasPrefix("VDSYNC_") && !systemd.contains(key) && !key.lowercased().contains("proxy")
        }
        environment["NOTIFY_SOCKET"] = notify.path
        environment.merge(extra) { _, new in new }
        return environment
    }

    /// Starts `vdsyncd --config <file>` with `flags`. With `passing`, that descriptor becomes
    /// the child's descriptor 3 and the child is started through a shell that sets
    /// `LISTEN_PID` to its own pid before it execs vdsyncd (the pid stays the same), since
    /// `LISTEN_PID` must name the daemon's pid, which is known only once it is spawned. With
    /// `umask` (octal text, e.g. "077", as systemd's `UMask=`), the shell sets it first.
    func start(
        environment extra: [String: String] = [:], flags: [String] = [], passing descriptor: Int32? = nil, umask: String? = nil
    ) throws -> ChildProcess {
        let number = started.add(1, ordering: .relaxed).newValue
        let daemon = [try DaemonBinary.path(), "--config", configPath] + flags
        var script = descriptor == nil ? "" : "export LISTEN_PID=$$; "
        if let umask { script += "umask \(umask); " }
        let arguments = script.isEmpty ? daemon : ["/bin/sh", "-c", script + #"exec "$0" "$@""#] + daemon
        return try ChildProcess(
            arguments: arguments, environment: childEnvironment(extra),
            stdoutPath: directory.file("stdout-\(number).log"), stderrPath: directory.file("stderr-\(number).log"), passing: descriptor)
    }

    /// Waits for `READY=1` from message `from` on; throws, with the daemon's stderr, if it does
    /// not come within `timeout`.
    @discardableResult
    func ready(_ daemon: ChildProcess, from: Int = 0, timeout: Duration = .seconds(30)) async throws -> (index: Int, message: NotifyListener.Message) {
        if let ready = await notify.first("READY", from: from, timeout: timeout) { return ready }
        throw DaemonFailure(
            "no READY=1 within \(timeout) (\(daemon.ended.map { "\($0)" } ?? "still running")); notifications: \(notify.messages)", daemon)
    }

    // MARK: - The socket

    func call(_ method: String, _ params: JSONValue? = nil) async throws -> JSONValue {
        try await SocketRPC.call(path: socketPath, method, params)
    }

    func status() async throws -> JSONValue {
        try await call("status")
    }

    /// Waits until the daemon's session is active (it logs in after READY).
    func loggedIn(_ daemon: ChildProcess, timeout: Duration = .seconds(30)) async throws {
        let active = await eventually(timeout: timeout) { (try? await status())?["session"] == "active" }
        guard active else { throw DaemonFailure("the daemon did not log in within \(timeout)", daemon) }
    }

    /// Waits until the outbox has `count` entries and all are `applied`.
    func allApplied(_ count: Int, _ daemon: ChildProcess, timeout: Duration = .seconds(30)) async throws -> [JSONValue] {
        var entries: [JSONValue] = []
        let applied = await eventually(timeout: timeout, every: .milliseconds(200)) {
            guard case .array(let list)? = try? await call("outbox.list", ["limit": 1000]) else { return false }
            entries = list
            return list.count == count && list.allSatisfy { $0["state"] == "applied" }
        }
        guard applied else { throw DaemonFailure("the outbox is not all applied within \(timeout): \(entries)", daemon) }
        return entries
    }

    // MARK: - vdapi

    func upstreamInt(_ sql: String, _ arguments: StatementArguments = []) async throws -> Int? {
        try await running.database.read { db in try Int.fetchOne(db, sql: sql, arguments: arguments) }
    }

    func userID(phone: String, role: UserRole) async throws -> Int {
        try #require(try await upstreamInt("SELECT id FROM user WHERE phone = ? AND type = ?", [phone, role.rawValue]))
    }
}

/// Where the `vdsyncd` binary is: next to this test binary (`swift build --build-tests` puts
/// both in the bin directory), or `VDSYNCD_BINARY` when given.
enum DaemonBinary {
    struct Missing: Error, CustomStringConvertible {
        let looked: [String]
        var description: String { "vdsyncd not found (looked at \(looked.joined(separator: ", "))); build it first: swift build --build-tests" }
    }

    static func path() throws -> String {
        if let given = ProcessInfo.processInfo.environment["VDSYNCD_BINARY"], !given.isEmpty { return given }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
        var looked: [String] = []
        // On Linux the test binary sits in the bin directory; on macOS it is inside a bundle.
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("vdsyncd").path
            looked.append(candidate)
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        throw Missing(looked: looked)
    }
}

/// A test failure that carries the daemon's stderr, the first thing to read when it happens.
struct DaemonFailure: Error, CustomStringConvertible {
    let description: String

    init(_ problem: String, _ daemon: ChildProcess) {
        let tail = daemon.standardErrorLines.suffix(40).joined(separator: "\n")
        description = "\(problem)\n--- vdsyncd stderr (last 40 lines) ---\n\(tail)"
    }
}

extension Tag {
    /// Starts the real vdsyncd binary as a child process (seconds each, not milliseconds):
    /// `swift test --skip-build --filter vdsyncdTests` runs them alone.
    @Tag static var process: Self
}
