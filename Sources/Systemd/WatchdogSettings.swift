import Foundation
import Glibc

/// The service watchdog systemd asks for, read from `WATCHDOG_USEC` and `WATCHDOG_PID`
/// (`sd_watchdog_enabled(3)`).
///
/// Guarantees: settings exist only when `WATCHDOG_USEC` is set and, if `WATCHDOG_PID` is set,
/// it names this process — a child that inherited the variables must not ping for its parent.
/// The ping ``interval`` is half the timeout, as systemd recommends, so one late ping is not
/// yet a restart.
public struct WatchdogSettings: Sendable, Equatable {
    /// Why the variables could not be read. The daemon runs on without a watchdog, and says so.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// `WATCHDOG_USEC` is not a positive whole number of microseconds.
        case invalidTimeout(String)
        /// `WATCHDOG_PID` is not a process id.
        case invalidPID(String)

        public var description: String {
            switch self {
            case .invalidTimeout(let text): "WATCHDOG_USEC is not a positive number of microseconds: '\(text)'"
            case .invalidPID(let text): "WATCHDOG_PID is not a process id: '\(text)'"
            }
        }
    }

    /// How long systemd waits for a ping before it considers the service failed.
    public var timeout: Duration

    /// How often to ping: half of ``timeout``.
    public var interval: Duration { timeout / 2 }

    public init(timeout: Duration) {
        self.timeout = timeout
    }

    /// The watchdog systemd asked this process for, or nil when there is none: the variables
    /// are unset, or `WATCHDOG_PID` names another process.
    public static func from(
        environment: [String: String] = ProcessInfo.processInfo.environment, pid: pid_t = getpid()
    ) throws(Failure) -> WatchdogSettings? {
        guard let text = environment["WATCHDOG_USEC"] else { return nil }
        if let pidText = environment["WATCHDOG_PID"] {
            guard let owner = pid_t(pidText.trimmingCharacters(in: .whitespaces)), owner > 0 else {
                throw .invalidPID(pidText)
            }
            guard owner == pid else { return nil }
        }
        // systemd writes a plain unsigned decimal; 0 and "infinity" (UInt64.max) mean no watchdog
        // was meant, which sd_watchdog_enabled() reports as invalid too.
        guard let microseconds = UInt64(text.trimmingCharacters(in: .whitespaces)), microseconds > 0,
            microseconds < UInt64.max, microseconds <= UInt64(Int64.max)
        else {
            throw .invalidTimeout(text)
        }
        return WatchdogSettings(timeout: .microseconds(Int64(microseconds)))
    }

    /// Removes `WATCHDOG_USEC` and `WATCHDOG_PID` from this process's environment, so programs
    /// it starts do not believe they are watched.
    public static func unsetEnvironment() {
        unsetenv("WATCHDOG_USEC")
        unsetenv("WATCHDOG_PID")
    }
}
