import Foundation
import Glibc
import Logging
import Testing

@testable import Systemd

/// The log line format, with and without the journal, through an injected sink.
@Suite("Journal log handler")
struct JournalLogHandlerTests {
    /// 2026-11-29T04:15:00.123Z
    static let fixedDate = Date(timeIntervalSince1970: 1_795_925_700.123_4)

    func logger(_ format: JournalLogHandler.Format, _ capture: LogCapture, level: Logger.Level = .trace) -> Logger {
        var logger = Logger(label: "vdsyncd") { label in
            JournalLogHandler(label: label, format: format, now: { Self.fixedDate }, sink: capture.sink)
        }
        logger.logLevel = level
        return logger
    }

    @Test("JOURNAL_STREAM selects the journal form only when it names the descriptor's device and inode")
    func detection() throws {
        let directory = try TemporaryDirectory()
        let fd = open(directory.path + "/stderr", O_CREAT | O_WRONLY | O_CLOEXEC, 0o600)
        #expect(fd >= 0)
        defer { close(fd) }
        var status = stat()
        #expect(fstat(fd, &status) == 0)
        let matching = "\(status.st_dev):\(status.st_ino)"
        #expect(JournalLogHandler.Format.detect(environment: ["JOURNAL_STREAM": matching], descriptor: fd) == .journal)
        #expect(JournalLogHandler.Format.detect(environment: [:], descriptor: fd) == .human)
        let otherInode = "\(status.st_dev):\(status.st_ino + 1)"
        #expect(JournalLogHandler.Format.detect(environment: ["JOURNAL_STREAM": otherInode], descriptor: fd) == .human)
        #expect(JournalLogHandler.Format.detect(environment: ["JOURNAL_STREAM": "garbage"], descriptor: fd) == .human)
        #expect(JournalLogHandler.Format.detect(environment: ["JOURNAL_STREAM": matching], descriptor: -1) == .human)
    }

    @Test("journal form: syslog priority prefix, no timestamp, metadata as sorted key=value")
    func journalForm() {
        let capture = LogCapture()
        let log = logger(.journal, capture)
        log.info("sync finished", metadata: ["tier": "hot", "entries": "12"])
        #expect(capture.lines == ["<6>vdsyncd: sync finished entries=12 tier=hot"])
    }

    @Test(
        "each level has its syslog priority",
        arguments: [
            (Logger.Level.trace, 7), (.debug, 7), (.info, 6), (.notice, 5), (.warning, 4), (.error, 3), (.critical, 2),
        ])
    func priorities(level: Logger.Level, priority: Int) {
        let capture = LogCapture()
        logger(.journal, capture).log(level: level, "x")
        #expect(capture.lines == ["<\(priority)>vdsyncd: x"])
    }

    @Test("human form: ISO-8601 UTC timestamp with milliseconds, then the level")
    func humanForm() {
        let capture = LogCapture()
        let log = logger(.human, capture)
        log.warning("upstream unreachable", metadata: ["after": "\(Duration.seconds(2))", "reason": "connection refused"])
        #expect(
            capture.lines == [#"2026-11-29T04:15:00.123Z warning vdsyncd: upstream unreachable after="2.0 seconds" reason="connection refused""#])
        #expect(JournalLogHandler.timestamp(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(JournalLogHandler.timestamp(Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59.500Z")
    }

    @Test("one record is one line: newlines are written out, quotes escaped")
    func oneLine() {
        let capture = LogCapture()
        logger(.journal, capture).error("first\nsecond\r\nthird", metadata: ["body": "a \"quoted\"\nvalue"])
        #expect(capture.lines == [#"<3>vdsyncd: first\nsecond\r\nthird body="a \"quoted\"\nvalue""#])
        #expect(capture.lines.allSatisfy { !$0.contains("\n") && !$0.contains("\r") })
    }

    @Test("handler, provider and record metadata merge, the later winning; nested values render as key=value")
    func metadataMerge() {
        let capture = LogCapture()
        let provider = Logger.MetadataProvider { ["request": "r-7", "role": "provider"] }
        var log = Logger(label: "rpc") { label in
            JournalLogHandler(label: label, format: .journal, metadataProvider: provider, sink: capture.sink)
        }
        log[metadataKey: "role"] = "doctor"
        log[metadataKey: "peer"] = "uid 1000"
        log.info(
            "call", metadata: ["role": "record", "params": ["page": "1", "ids": ["3", "4"]], "count": .stringConvertible(3)])
        #expect(capture.lines == [#"<6>rpc: call count=3 params={ids=[3, 4], page=1} peer="uid 1000" request=r-7 role=record"#])
    }

    @Test("an error attached to the record is printed")
    func error() {
        let capture = LogCapture()
        let handler = JournalLogHandler(label: "x", format: .journal, sink: capture.sink)
        handler.log(
            event: LogEvent(
                level: .error, message: "pull failed", error: POSIXError(.ECONNREFUSED), metadata: nil,
                source: "SyncEngine", file: #fileID, function: #function, line: #line))
        #expect(capture.lines.count == 1 && capture.lines[0].hasPrefix("<3>x: pull failed error="))
    }

    @Test("every line is redacted: message, metadata values, nested values")
    func redacted() {
        let capture = LogCapture()
        let log = logger(.journal, capture)
        log.info(
            "login 13812345678 with pwd=demo123",
            metadata: [
                "token": "6f476a45e20898330f07cbc4ff03e3df5a35203f36e3c",
                "patient": ["idno": "111000197807138521", "name": "王"],
                "X-auth-token": "abc",
                "note": "身份证 11010519491231002X 手机 +86 139 1234 5678",
            ])
        let line = capture.lines.first ?? ""
        #expect(
            line
                == #"<6>vdsyncd: login 138****5678 with pwd=*** X-auth-token=*** note="身份证 *** 手机 +86 139****5678" patient={idno=***, name=王} token=***"#
        )
        for secret in ["13812345678", "demo123", "6f476a45e2", "111000197807138521", "11010519491231002X", "1234 5678"] {
            #expect(!line.contains(secret), "\(secret) leaked")
        }
    }

    @Test("levels below the logger's level are not written")
    func levels() {
        let capture = LogCapture()
        let log = logger(.journal, capture, level: .info)
        log.debug("hidden")
        log.info("shown")
        #expect(capture.lines == ["<6>vdsyncd: shown"])
    }
}
