import Foundation
import Testing
import UpstreamClient

/// `Retry-After`: seconds, the three HTTP-date forms, and what is not trusted.
@Suite("Retry-After")
struct RetryAfterTests {
    /// Tue, 14 Nov 2023 22:13:20 GMT.
    private let now = Date(timeIntervalSince1970: 1_700_000_000)

    @Test("a number of seconds", arguments: [("0", Duration.zero), ("1", .seconds(1)), (" 120 ", .seconds(120))])
    func seconds(value: String, delay: Duration) {
        #expect(RetryAfter.parse(value, now: now) == delay)
    }

    @Test(
        "an HTTP-date in any of its three forms is a delay from now",
        arguments: ["Tue, 14 Nov 2023 22:14:50 GMT", "Tuesday, 14-Nov-23 22:14:50 GMT", "Tue Nov 14 22:14:50 2023"])
    func dates(value: String) {
        #expect(RetryAfter.parse(value, now: now) == .seconds(90))
    }

    @Test("asctime pads a one-digit day with a space")
    func asctimePadding() {
        let early = Date(timeIntervalSince1970: 1_699_228_800)  // Mon, 06 Nov 2023 00:00:00 GMT
        #expect(RetryAfter.parse("Mon Nov  6 00:01:00 2023", now: early) == .seconds(60))
    }

    @Test("a date in the past means now, never a negative delay")
    func past() {
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", now: now) == .zero)
    }

    @Test("anything else is ignored", arguments: ["", "soon", "-5", "1.5", "Tue, 14 Nov 2023", "30s"])
    func unreadable(value: String) {
        #expect(RetryAfter.parse(value, now: now) == nil)
    }
}
