import Foundation
import GRDB
import SyncEngine
import VolunteerAPI

#if canImport(Glibc)
    import Glibc
#endif

/// One vdsyncd the bench runs: its configuration file, state directory and socket in the work
/// directory, a NOTIFY_SOCKET of the bench's own to time READY=1.
final class Daemon: @unchecked Sendable {
    let name: String
    let child: Child
    let socketPath: String
    let stateDirectory: String
    let readySeconds: Double

    var databasePath: String { stateDirectory + "/vdsync.sqlite" }

    private init(name: String, child: Child, socketPath: String, stateDirectory: String, readySeconds: Double) {
        self.name = name
        self.child = child
        self.socketPath = socketPath
        self.stateDirectory = stateDirectory
        self.readySeconds = readySeconds
    }

    /// Starts vdsyncd against `upstream`; with `login`, it signs in at start as that account;
    /// `settings` are further `VDSYNC_*` lines of its configuration.
    /// Returns once READY=1 arrived and the socket answers.
    static func start(
        name: String, vdsyncd: String, upstream: String, work: String, login: (role: String, phone: String)?, outboxRate: Int = 10_000,
        keepState: Bool = false, settings: [String: String] = [:]
    ) throws -> Daemon {
        let directory = "\(work)/\(name)"
        let state = "\(directory)/state"
        if !keepState { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let socketPath = "\(directory)/vdsyncd.sock"
        let passwordFile = "\(directory)/password"
        try Data((World.password + "\n").utf8).write(to: URL(fileURLWithPath: passwordFile))
        chmod(passwordFile, 0o600)
        var lines = [
            "VDSYNC_UPSTREAM_URL=\(upstream)",
            "VDSYNC_STATE_DIRECTORY=\(state)",
            "VDSYNC_SOCKET_PATH=\(socketPath)",
            "VDSYNC_LOG_LEVEL=warning",
            // Pacing off for the bench: the drain is measured at the engine's own speed.
            "VDSYNC_OUTBOX_RATE=\(outboxRate)",
            "VDSYNC_OUTBOX_MAX_ATTEMPTS=1000",
        ]
        if let login {
            lines += ["VDSYNC_ROLE=\(login.role)", "VDSYNC_PHONE=\(login.phone)", "VDSYNC_PASSWORD_FILE=\(passwordFile)"]
        }
        lines += settings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let config = "\(directory)/vdsyncd.conf"
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: config))

        let notify = try NotifyListener(path: "\(directory)/notify.sock")
        defer { notify.close() }
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("VDSYNC_") && $0.key != "LISTEN_FDS" && $0.key != "LISTEN_PID" }
        environment["NOTIFY_SOCKET"] = notify.path
        environment.removeValue(forKey: "WATCHDOG_USEC")
        let child = try Child(name: name, executable: vdsyncd, arguments: ["--config", config], environment: environment, workDirectory: work)
        // A daemon that refused its configuration (exit status 78) is not waited for.
        var ready: ContinuousClock.Instant?
        let deadline = ContinuousClock.now + .seconds(120)
        while ready == nil, child.isRunning, ContinuousClock.now < deadline {
            ready = notify.waitForReady(since: child.startedAt, timeout: .milliseconds(200))
        }
        guard let ready else {
            child.stop()
            throw BenchError("\(name) sent no READY=1:\n\(child.log().suffix(2000))")
        }
        let daemon = Daemon(name: name, child: child, socketPath: socketPath, stateDirectory: state, readySeconds: (ready - child.startedAt).seconds)
        _ = try daemon.connect()
        return daemon
    }

    func connect() throws -> LineSocket {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            do {
                return try LineSocket(path: socketPath)
            } catch {
                guard ContinuousClock.now < deadline, child.isRunning else { throw error }
                Thread.sleep(forTimeInterval: 0.01)
            }
        }
    }

    /// Waits until every list of the role's plan has been pulled once (`status.last_pulls`),
    /// then until nothing more changes for `quiet` (follow-ups: a project's patients, a
    /// dialog's messages); returns the seconds from `since` to the last list pulled.
    func waitForPull(role: UserRole, userID: Int, keysAfter previous: [String: String] = [:], since: ContinuousClock.Instant, timeout: Duration) throws
        -> Double
    {
        let socket = try connect()
        let keys = Set(PullPlan.steps(for: role, userID: userID).map(\.listKey))
        let deadline = ContinuousClock.now + timeout
        var doneAt: ContinuousClock.Instant?
        var lastSeq = -1
        var stableSince = ContinuousClock.now
        while ContinuousClock.now < deadline {
            let status = try socket.call("status") as? [String: Any] ?? [:]
            let pulls = status["last_pulls"] as? [String: String] ?? [:]
            let fresh = keys.filter { key in pulls[key] != nil && pulls[key] != previous[key] }
            if doneAt == nil, fresh.count == keys.count { doneAt = .now }
            if let doneAt {
                let seq = journalSeq()
                if seq != lastSeq {
                    lastSeq = seq
                    stableSince = .now
                } else if ContinuousClock.now - stableSince > .milliseconds(750) {
                    return (doneAt - since).seconds
                }
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw BenchError("\(name): the pull did not finish within \(timeout):\n\(child.log().suffix(2000))")
    }

    /// The last pulls, once the wall clock has passed the second of the newest of them: `status`
    /// gives pull times to the second, so a pull finishing within the same second as the one
    /// before would look unchanged to ``waitForPull(role:userID:keysAfter:since:timeout:)``.
    func lastPullsBeforeANewSecond() throws -> [String: String] {
        let pulls = try lastPulls()
        let newest = pulls.values.compactMap { try? Date($0, strategy: .iso8601) }.max() ?? .distantPast
        let next = newest.timeIntervalSince1970.rounded(.down) + 1
        let wait = next - Date().timeIntervalSince1970
        if wait > 0 { Thread.sleep(forTimeInterval: wait) }
        return pulls
    }

    func lastPulls() throws -> [String: String] {
        let status = try connect().call("status") as? [String: Any] ?? [:]
        return status["last_pulls"] as? [String: String] ?? [:]
    }

    /// The daemon's database opened read-only beside it: watching it costs the daemon nothing.
    func watch() throws -> DaemonWatch {
        try DaemonWatch(path: databasePath)
    }

    func memory() -> (peak: Int, current: Int)? {
        processMemory(of: child.pid)
    }

    /// The last `seq` of the daemon's change journal (read from its database, beside it).
    func journalSeq() -> Int {
        var configuration = Configuration()
        configuration.readonly = true
        guard let queue = try? DatabaseQueue(path: databasePath, configuration: configuration) else { return -1 }
        defer { try? queue.close() }
        return (try? queue.read { db in try Int.fetchOne(db, sql: "SELECT MAX(seq) FROM change_journal") ?? 0 }) ?? -1
    }

    func stop() {
        child.stop()
    }
}

/// A read-only view of a daemon's database, for polling what the daemon did without asking it.
final class DaemonWatch {
    private let queue: DatabaseQueue

    init(path: String) throws {
        var configuration = Configuration()
        configuration.readonly = true
        queue = try DatabaseQueue(path: path, configuration: configuration)
    }

    deinit { try? queue.close() }

    /// The logged-in account's outbox entries by state.
    func outboxStates() throws -> [String: Int] {
        let rows = try queue.read { db in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM outbox GROUP BY state") }
        return Dictionary(uniqueKeysWithValues: rows.map { ($0["state"] as String, $0["n"] as Int) })
    }

    /// When each list was last pulled whole (seconds since 1970, to the microsecond, where
    /// `status.last_pulls` gives seconds). A pull writes them all at its end, in one transaction.
    func lastPulls() throws -> [String: Double] {
        let rows = try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT key, last_success FROM sync_state WHERE last_success IS NOT NULL AND key != 'owner'")
        }
        return Dictionary(rows.map { ($0["key"] as String, $0["last_success"] as Double) }, uniquingKeysWith: max)
    }
}
