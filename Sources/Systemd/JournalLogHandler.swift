import Foundation
import Glibc
import Logging
import Redaction

/// A swift-log handler that writes one line per record to standard error, in the form journald
/// reads best when stderr is the journal, and a timestamped human form otherwise.
///
/// - Journal form (`JOURNAL_STREAM` names stderr's device and inode, as systemd documents for
///   services whose output goes to the journal): `<6>label: message key=value`. The `<N>`
///   prefix is the syslog priority journald stores (debug 7, info 6, notice 5, warning 4,
///   error 3, critical 2); no timestamp, journald adds its own.
/// - Human form: `2026-11-29T04:15:00.123Z info label: message key=value`, UTC.
///
/// Guarantees:
/// - Every line, message and metadata alike, goes through ``LogRedaction/redact(_:)`` before it
///   is written: no token, password, ID-card number or phone number reaches a log.
/// - One record is one line: newlines inside messages and values are written as `\n`, so the
///   journal never splits a record, and nothing in a value can fake a record of its own.
/// - Metadata is printed sorted by key, as `key=value`; values with spaces or quotes are
///   quoted. The handler's own metadata, the metadata provider's and the record's are merged
///   in that order, the later winning.
/// - Each line is handed to the sink in one call; the standard-error sink writes it with one
///   `write(2)` (retried only if the kernel took part of it), so concurrent records do not
///   interleave within a line.
public struct JournalLogHandler: LogHandler {
    /// The two line forms.
    public enum Format: Sendable, Equatable {
        /// Priority prefix, no timestamp: stderr is connected to journald.
        case journal
        /// ISO-8601 timestamp and level name: a terminal, a file, a pipe.
        case human

        /// `.journal` when `JOURNAL_STREAM` (`<device>:<inode>`) matches the descriptor's
        /// `fstat`; checking the inode, not just the variable's presence, matters because a
        /// service's children inherit the variable while their stderr may go elsewhere.
        public static func detect(
            environment: [String: String] = ProcessInfo.processInfo.environment, descriptor: Int32 = STDERR_FILENO
        ) -> Format {
            guard let stream = environment["JOURNAL_STREAM"] else { return .human }
            let parts = stream.split(separator: ":")
            guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return .human }
            var status = stat()
            guard fstat(descriptor, &status) == 0 else { return .human }
            return UInt64(status.st_dev) == device && UInt64(status.st_ino) == inode ? .journal : .human
        }
    }

    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    public let label: String
    public let format: Format
    private let sink: @Sendable (String) -> Void
    private let now: @Sendable () -> Date

    /// A handler writing lines of `format` to `sink` (one call per line, without the newline).
    /// `now` is the clock of the human form's timestamps.
    public init(
        label: String, format: Format, metadataProvider: Logger.MetadataProvider? = nil,
        now: @escaping @Sendable () -> Date = { Date() }, sink: @escaping @Sendable (String) -> Void
    ) {
        self.label = label
        self.format = format
        self.metadataProvider = metadataProvider
        self.now = now
        self.sink = sink
    }

    /// A handler writing to standard error in `format`. Detect the format once, at bootstrap:
    /// `let format = JournalLogHandler.Format.detect()`,
    /// `LoggingSystem.bootstrap { JournalLogHandler.standardError(label: $0, format: format) }`.
    public static func standardError(
        label: String, format: Format = .detect(), metadataProvider: Logger.MetadataProvider? = nil
    ) -> JournalLogHandler {
        JournalLogHandler(label: label, format: format, metadataProvider: metadataProvider, sink: writeToStandardError)
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() {
            merged.merge(provided) { _, new in new }
        }
        if let own = event.metadata {
            merged.merge(own) { _, new in new }
        }
        if let error = event.error, merged["error"] == nil {
            merged["error"] = .string(String(describing: error))
        }
        sink(line(level: event.level, message: event.message.description, metadata: merged))
    }

    /// The line for one record, redacted, without its newline.
    func line(level: Logger.Level, message: String, metadata: Logger.Metadata) -> String {
        var body = "\(label): \(Self.oneLine(message))"
        for key in metadata.keys.sorted() {
            body += " \(Self.oneLine(key))=\(Self.render(metadata[key]!))"
        }
        body = LogRedaction.redact(body)
        switch format {
        case .journal:
            return "<\(Self.priority(level))>\(body)"
        case .human:
            return "\(Self.timestamp(now())) \(level.rawValue) \(body)"
        }
    }

    /// The syslog priority journald stores for a level; swift-log's `trace` has none of its own.
    public static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// `2026-11-29T04:15:00.123Z`: ISO 8601 in UTC with milliseconds, computed with `gmtime_r`
    /// because date formatters are neither cheap nor, on every platform, safe to share.
    static func timestamp(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(milliseconds.quotientAndRemainder(dividingBy: 1000).quotient)
        var fraction = milliseconds % 1000
        if fraction < 0 {
            seconds -= 1
            fraction += 1000
        }
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: some BinaryInteger, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))"
            + "T\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(fraction, 3))Z"
    }

    private static func render(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text):
            return quotedIfNeeded(text)
        case .stringConvertible(let convertible):
            return quotedIfNeeded(convertible.description)
        case .array(let values):
            return "[" + values.map(render).joined(separator: ", ") + "]"
        case .dictionary(let dictionary):
            // key=value inside too, so the redaction of sensitive keys applies at every depth.
            return "{" + dictionary.keys.sorted().map { "\(oneLine($0))=\(render(dictionary[$0]!))" }.joined(separator: ", ") + "}"
        }
    }

    private static func quotedIfNeeded(_ text: String) -> String {
        let plain = !text.isEmpty && !text.contains { $0.isWhitespace || $0 == "\"" || $0 == "\\" || $0 == "=" }
        if plain {
            return text
        }
        let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "\"" + oneLine(escaped) + "\""
    }

    /// Control line breaks written out, so a record stays one line.
    private static func oneLine(_ text: String) -> String {
        guard text.contains(where: \.isNewline) else { return text }
        var result = ""
        for character in text {
            switch character {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\r\n": result += "\\r\\n"
            case _ where character.isNewline: result += " "
            default: result.append(character)
            }
        }
        return result
    }

    /// Writes `line` and a newline to stderr in one `write(2)`, finishing a partial write.
    private static let writeToStandardError: @Sendable (String) -> Void = { line in
        var bytes = Array((line + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { buffer in
                write(STDERR_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written > 0 {
                offset += written
            } else if written < 0 && errno == EINTR {
                continue
            } else {
                return  // Nowhere to report a failure to log; the daemon goes on.
            }
        }
    }
}
