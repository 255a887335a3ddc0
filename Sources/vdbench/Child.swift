import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A program the bench started (vdapi, vdsyncd, the floor socket server): its output goes to a
/// log file in the work directory, and it is stopped with SIGTERM (SIGKILL after a grace period).
/// Every child's pid is also written to `<work>/pids`, so that `bench/run` can end what a
/// crashed bench left behind.
final class Child: @unchecked Sendable {
    let name: String
    let logPath: String
    let startedAt: ContinuousClock.Instant
    private let process: Process

    init(
        name: String, executable: String, arguments: [String], environment: [String: String]? = nil, workDirectory: String
    ) throws {
        self.name = name
        logPath = "\(workDirectory)/\(name).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process = Process()
        process.executableURL = URL(fileURLWithPath: Child.resolve(executable))
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        startedAt = .now
        try process.run()
        try? log.close()
        Child.remember(process.processIdentifier, workDirectory: workDirectory)
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    /// The log so far.
    func log() -> String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    /// Waits until a line of the log matches `pattern`; returns the match's capture groups.
    func waitForLine(matching pattern: String, timeout: Duration) throws -> [String] {
        let regex = try NSRegularExpression(pattern: pattern)
        let deadline = ContinuousClock.now + timeout
        while true {
            let text = log()
            if let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) {
                return (0..<match.numberOfRanges).map { index in
                    Range(match.range(at: index), in: text).map { String(text[$0]) } ?? ""
                }
            }
            guard isRunning else {
                throw BenchError("\(name) exited (status \(process.terminationStatus)) before printing /\(pattern)/:\n\(text.suffix(2000))")
            }
            guard ContinuousClock.now < deadline else { throw BenchError("\(name) did not print /\(pattern)/ within \(timeout):\n\(text.suffix(2000))") }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    /// SIGTERM, then SIGKILL after `grace`; returns the exit status.
    @discardableResult
    func stop(grace: Duration = .seconds(20)) -> Int32 {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            let deadline = ContinuousClock.now + grace
            while process.isRunning, ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.01) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// A program name without a slash is looked up in PATH, as a shell would.
    static func resolve(_ executable: String) -> String {
        guard !executable.contains("/") else { return executable }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(directory)/\(executable)") {
            return "\(directory)/\(executable)"
        }
        return executable
    }

    private static func remember(_ pid: Int32, workDirectory: String) {
        let path = workDirectory + "/pids"
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        if let handle = FileHandle(forWritingAtPath: path) {
            handle.seekToEndOfFile()
            handle.write(Data("\(pid)\n".utf8))
            try? handle.close()
        }
    }
}

/// A failure of the bench itself (not a slow result: results are reported, never asserted).
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Seconds of a duration, as a Double.
extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

/// Monotonic nanoseconds, cheap enough for per-request timing.
@inline(__always)
func monotonicNanoseconds() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
}

/// Copies a SQLite database file (and its -wal, if any) to `destination`, replacing what is there.
func copyDatabase(_ source: String, to destination: String) throws {
    let manager = FileManager.default
    for suffix in ["", "-wal", "-shm"] {
        try? manager.removeItem(atPath: destination + suffix)
    }
    for suffix in ["", "-wal"] where manager.fileExists(atPath: source + suffix) {
        try manager.copyItem(atPath: source + suffix, toPath: destination + suffix)
    }
}

/// Bytes of a database file with its -wal and -shm.
func databaseBytes(_ path: String) -> Int {
    ["", "-wal", "-shm"].reduce(0) { total, suffix in
        let size = (try? FileManager.default.attributesOfItem(atPath: path + suffix)[.size] as? NSNumber)?.intValue ?? 0
        return total + size
    }
}

/// VmHWM and VmRSS of a process, in bytes (from /proc/<pid>/status).
func processMemory(of pid: Int32) -> (peak: Int, current: Int)? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
    func kilobytes(_ key: String) -> Int? {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(key + ":") }) else { return nil }
        return line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap { Int($0) }
    }
    guard let peak = kilobytes("VmHWM"), let current = kilobytes("VmRSS") else { return nil }
    return (peak * 1024, current * 1024)
}

/// User + system CPU seconds of this process so far.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}
