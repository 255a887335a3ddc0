import Logging
import Synchronization
import Systemd

/// The log level every logger of the daemon follows, changed by a reload (swift-log's
/// bootstrap runs once, so handlers read the level from here rather than keeping a copy).
final class LogLevelControl: Sendable {
    private let level: Mutex<Logger.Level>

    init(_ level: Logger.Level) {
        self.level = Mutex(level)
    }

    var current: Logger.Level { level.withLock { $0 } }

    func set(_ new: Logger.Level) {
        level.withLock { $0 = new }
    }
}

/// The journald-friendly handler (every line through the one redaction point), at the level
/// ``LogLevelControl`` says now.
struct DaemonLogHandler: LogHandler {
    var inner: JournalLogHandler
    let control: LogLevelControl

    var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }

    var logLevel: Logger.Level {
        get { control.current }
        set { control.set(newValue) }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        guard event.level >= control.current else { return }
        inner.log(event: event)
    }
}
