import Foundation
import Glibc
import Logging

/// Sends `sd_notify` state messages to the service manager over `$NOTIFY_SOCKET`.
///
/// The protocol (systemd's `sd_notify(3)`): one `AF_UNIX` datagram of newline-separated
/// `KEY=VALUE` assignments, sent to the socket named by `NOTIFY_SOCKET` — a path, or an
/// abstract-namespace name written with a leading `@`.
///
/// Guarantees:
/// - When `NOTIFY_SOCKET` is unset (not started by systemd, or `Type=simple`), every call is a
///   no-op that answers ``Outcome/disabled``.
/// - Nothing throws: a failed send is answered as ``Outcome/failed(_:)`` and reported to the
///   logger, never fatal. A daemon must keep working when its supervisor is unreachable.
/// - Each message is one datagram from a fresh socket, like libsystemd: no descriptor is kept
///   open across calls (so none leaks into children) and any task may call at any time.
/// - A value can never inject another assignment: newlines in values become spaces.
public struct SystemdNotifier: Sendable {
    /// What happened to one message.
    public enum Outcome: Sendable, Equatable {
        /// The datagram was handed to the kernel.
        case sent
        /// `NOTIFY_SOCKET` is not set: there is nobody to tell.
        case disabled
        /// The datagram could not be sent; the reason is also logged.
        case failed(Failure)
    }

    /// Why a message could not be sent.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// What was being attempted (`socket`, `sendto`, `address`).
        public var operation: String
        /// `errno` of the failed call, or 0 when the socket name itself is unusable.
        public var code: Int32
        /// The socket name from `NOTIFY_SOCKET`.
        public var socket: String

        public var description: String {
            let reason = code == 0 ? "unusable socket name" : String(cString: strerror(code))
            return "sd_notify to \(socket) failed at \(operation): \(reason)"
        }
    }

    /// The socket name from `NOTIFY_SOCKET`, or nil when notifications are disabled.
    public let socket: String?
    private let logger: Logger?

    /// A notifier for the socket named by `NOTIFY_SOCKET` in `environment`.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger? = nil) {
        let name = environment["NOTIFY_SOCKET"]
        self.init(socket: name?.isEmpty == false ? name : nil, logger: logger)
    }

    /// A notifier for an explicit socket name (a path, or `@name` for the abstract namespace);
    /// nil disables it.
    public init(socket: String?, logger: Logger? = nil) {
        self.socket = socket
        self.logger = logger
    }

    /// Whether messages go anywhere at all.
    public var isEnabled: Bool { socket != nil }

    /// `READY=1`: start-up is complete; with `Type=notify`, systemd starts dependent units now.
    @discardableResult
    public func ready(status: String? = nil) -> Outcome {
        send([("READY", "1")] + Self.status(status))
    }

    /// `STATUS=...`: a one-line state shown by `systemctl status`.
    @discardableResult
    public func status(_ text: String) -> Outcome {
        send([("STATUS", text)])
    }

    /// `WATCHDOG=1`: the keep-alive ping. Prefer ``SystemdWatchdog``, which pings only while
    /// every loop of the daemon is alive.
    @discardableResult
    public func watchdog() -> Outcome {
        send([("WATCHDOG", "1")])
    }

    /// `RELOADING=1` with `MONOTONIC_USEC`: a configuration reload has begun. systemd ≥ 253
    /// requires the timestamp for `Type=notify-reload` and uses it to match the reload with the
    /// request; older versions ignore it. Send ``ready(status:)`` when the reload is done.
    @discardableResult
    public func reloading(status: String? = nil) -> Outcome {
        send([("RELOADING", "1"), ("MONOTONIC_USEC", String(Self.monotonicMicroseconds()))] + Self.status(status))
    }

    /// `STOPPING=1`: shutdown has begun.
    @discardableResult
    public func stopping(status: String? = nil) -> Outcome {
        send([("STOPPING", "1")] + Self.status(status))
    }

    /// Sends any assignments as one message, in the order given.
    ///
    /// Keys must be non-empty and hold no `=` or newline (such an assignment is dropped and
    /// reported: it would not mean what the caller meant); newlines in values become spaces.
    @discardableResult
    public func send(_ assignments: [(key: String, value: String)]) -> Outcome {
        guard let socket else { return .disabled }
        var lines: [String] = []
        for (key, value) in assignments {
            guard !key.isEmpty, !key.contains("="), !key.contains(where: \.isNewline) else {
                logger?.warning("sd_notify: dropped an assignment with an invalid key", metadata: ["key": "\(key)"])
                continue
            }
            lines.append(key + "=" + String(value.map { $0.isNewline ? " " : $0 }))
        }
        let message = lines.joined(separator: "\n") + "\n"
        if let error = Self.sendDatagram(Array(message.utf8), to: socket) {
            logger?.warning("\(error.description)")
            return .failed(error)
        }
        return .sent
    }

    /// `CLOCK_MONOTONIC` in microseconds: the clock systemd compares `MONOTONIC_USEC` with.
    public static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
    }

    private static func status(_ text: String?) -> [(key: String, value: String)] {
        text.map { [("STATUS", $0)] } ?? []
    }

    /// One datagram on a fresh socket. `MSG_NOSIGNAL` because a vanished receiver must never
    /// kill the daemon with SIGPIPE.
    private static func sendDatagram(_ bytes: [UInt8], to name: String) -> Failure? {
        guard let address = UnixSocketAddress(name) else {
            return Failure(operation: "address", code: 0, socket: name)
        }
        let fd = Glibc.socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return Failure(operation: "socket", code: errno, socket: name) }
        defer { close(fd) }
        let sent = address.withSockAddr { pointer, length in
            bytes.withUnsafeBytes { buffer in
                sendto(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL), pointer, length)
            }
        }
        guard sent >= 0 else { return Failure(operation: "sendto", code: errno, socket: name) }
        return nil
    }
}
