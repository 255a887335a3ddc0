import Foundation
import Glibc
import Synchronization

/// A child process started with `posix_spawn` (not `Foundation.Process`, which closes every
/// descriptor above 2 and cannot hand over a listening socket): stdin from /dev/null, stdout
/// and stderr into files the test reads, an empty signal mask and default signal actions, no
/// descriptor of the test process except, optionally, one passed as descriptor 3.
final class ChildProcess: Sendable {
    /// How the child ended.
    enum Termination: Sendable, Equatable, CustomStringConvertible {
        case exited(Int32)
        case signalled(Int32)

        var description: String {
            switch self {
            case .exited(let status): "exit status \(status)"
            case .signalled(let signal): "killed by signal \(signal)"
            }
        }
    }

    struct SpawnError: Error, CustomStringConvertible {
        let code: Int32
        var description: String { "posix_spawn failed: \(String(cString: strerror(code)))" }
    }

    let pid: pid_t
    let stdoutPath: String
    let stderrPath: String
    private let termination = Mutex<Termination?>(nil)

    /// Starts `arguments[0]` (a path) with `arguments` and exactly `environment`. `passing`, if
    /// given, becomes the child's descriptor 3.
    init(arguments: [String], environment: [String: String], stdoutPath: String, stderrPath: String, passing descriptor: Int32? = nil) throws {
        self.stdoutPath = stdoutPath
        self.stderrPath = stderrPath
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        var passed = descriptor
        if let descriptor, descriptor <= 3 {
            // dup2(3, 3) would keep close-on-exec set: pass a copy from above instead.
            passed = fcntl(descriptor, F_DUPFD_CLOEXEC, 10)
            guard let passed, passed >= 0 else { throw SpawnError(code: errno) }
        }
        defer { if let passed, passed != descriptor { close(passed) } }
        if let passed {
            posix_spawn_file_actions_adddup2(&actions, passed, 3)
        }
        // Nothing else of the test process (its sockets, vdapi's listener) leaks into the child.
        if let closeFrom = Self.addCloseFrom {
            _ = closeFrom(&actions, passed == nil ? 3 : 4)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGPIPE, SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
        guard code == 0 else { throw SpawnError(code: code) }
        self.pid = pid
    }

    deinit {
        kill()
    }

    /// Sends `signal`, unless the child has been reaped already (its pid may be reused).
    func send(_ signal: Int32) {
        termination.withLock { ended in
            if ended == nil { _ = Glibc.kill(pid, signal) }
        }
    }

    /// How the child ended, if it has (reaps it).
    var ended: Termination? {
        termination.withLock { ended in
            if ended == nil {
                var status: Int32 = 0
                if waitpid(pid, &status, WNOHANG) == pid { ended = Self.decode(status) }
            }
            return ended
        }
    }

    /// Waits for the child to end, at most `timeout`; nil if it still runs.
    func waitForExit(timeout: Duration) async -> Termination? {
        _ = await eventually(timeout: timeout, every: .milliseconds(25)) { ended != nil }
        return ended
    }

    /// SIGKILL and reap, if it still runs: every test's cleanup.
    func kill() {
        termination.withLock { ended in
            guard ended == nil else { return }
            _ = Glibc.kill(pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            ended = Self.decode(status)
        }
    }

    /// Everything the child wrote to stderr so far.
    var standardError: String {
        (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
    }

    var standardErrorLines: [String] { standardError.split(separator: "\n").map(String.init) }

    /// Waits until stderr holds a line containing `text`; that line, or nil after `timeout`.
    func stderrLine(containing text: String, timeout: Duration) async -> String? {
        var line: String?
        _ = await eventually(timeout: timeout) {
            line = standardErrorLines.first { $0.contains(text) }
            return line != nil
        }
        return line
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), which Swift's Glibc
    /// module does not import; nil where it does not exist (then only close-on-exec protects).
    private static let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    private static func decode(_ status: Int32) -> Termination {
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import (they are macros).
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
    }
}
