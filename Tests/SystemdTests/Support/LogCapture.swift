import Foundation
import Logging
import Synchronization

@testable import Systemd

/// Collects the lines a ``JournalLogHandler`` writes, for tests to read or to wait for.
final class LogCapture: Sendable {
    private let captured = Mutex<[String]>([])
    private let stream: AsyncStream<String>
    private let continuation: AsyncStream<String>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: String.self)
    }

    /// Every line so far.
    var lines: [String] { captured.withLock { $0 } }

    /// The sink to give a handler.
    var sink: @Sendable (String) -> Void {
        { [self] line in
            captured.withLock { $0.append(line) }
            continuation.yield(line)
        }
    }

    /// A logger (level debug) whose human-form lines end up here.
    func logger(label: String = "test") -> Logger {
        var logger = Logger(label: label) { [sink] label in JournalLogHandler(label: label, format: .human, sink: sink) }
        logger.logLevel = .debug
        return logger
    }

    /// Waits for the first line, from now on or already written since the last wait, that
    /// contains `text`. Single consumer: one waiting task at a time.
    func first(containing text: String) async -> String? {
        for await line in stream where line.contains(text) {
            return line
        }
        return nil
    }
}
