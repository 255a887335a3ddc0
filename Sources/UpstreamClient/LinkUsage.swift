import Foundation
import NIOHTTP1
import Synchronization

/// What the link to the upstream carried, per local calendar day: requests, bytes sent, bytes
/// received on the wire and bytes after decoding (a gzip answer is smaller on the wire than
/// decoded). The last ``keptDays`` days are kept; a metered kiosk's operator reads them in
/// `status` and the journal.
///
/// The figures are HTTP's, estimated from what the client sees: a request's line, headers and
/// body; an answer's status line and headers, and its `Content-Length` (the compressed length
/// when `Content-Encoding` is set) or else its decoded length. TCP, TLS and the headers
/// AsyncHTTPClient adds itself (`Connection`) are not counted.
///
/// A plain value: tested without sockets or clocks (``record(_:at:calendar:)``).
public struct LinkUsage: Sendable, Hashable {
    /// A local calendar day, as `2026-12-07`.
    public struct Day: Sendable, Hashable, Comparable, CustomStringConvertible {
        public var year: Int
        public var month: Int
        public var day: Int

        public init(year: Int, month: Int, day: Int) {
            self.year = year
            self.month = month
            self.day = day
        }

        /// The day `date` falls on in `calendar` (its time zone).
        public init(_ date: Date, calendar: Calendar = .current) {
            let parts = calendar.dateComponents([.year, .month, .day], from: date)
            self.init(year: parts.year ?? 0, month: parts.month ?? 0, day: parts.day ?? 0)
        }

        public static func < (lhs: Day, rhs: Day) -> Bool {
            (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
        }

        public var description: String {
            func pad(_ value: Int, _ width: Int) -> String {
                let digits = String(value)
                return String(repeating: "0", count: max(0, width - digits.count)) + digits
            }
            return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
        }
    }

    /// One exchange's figures, or a day's sums.
    public struct Traffic: Sendable, Hashable {
        public var requests = 0
        public var bytesSent = 0
        /// On the wire: compressed when the answer was.
        public var bytesReceived = 0
        /// After decoding (equal to the answer's wire body when it was not compressed).
        public var bytesDecoded = 0

        public init(requests: Int = 0, bytesSent: Int = 0, bytesReceived: Int = 0, bytesDecoded: Int = 0) {
            self.requests = requests
            self.bytesSent = bytesSent
            self.bytesReceived = bytesReceived
            self.bytesDecoded = bytesDecoded
        }

        public static func + (lhs: Traffic, rhs: Traffic) -> Traffic {
            Traffic(
                requests: lhs.requests + rhs.requests, bytesSent: lhs.bytesSent + rhs.bytesSent,
                bytesReceived: lhs.bytesReceived + rhs.bytesReceived, bytesDecoded: lhs.bytesDecoded + rhs.bytesDecoded)
        }
    }

    /// A day and what it carried.
    public struct DayUsage: Sendable, Hashable {
        public var day: Day
        public var traffic: Traffic

        public init(day: Day, traffic: Traffic) {
            self.day = day
            self.traffic = traffic
        }
    }

    /// What `status` shows: today, and every kept day with traffic (today included), oldest first.
    public struct Report: Sendable, Hashable {
        public var today: DayUsage
        public var days: [DayUsage]

        public init(today: DayUsage, days: [DayUsage]) {
            self.today = today
            self.days = days
        }
    }

    /// How many days are kept: today and the six before it.
    public static let keptDays = 7

    /// The days with traffic, oldest first, none older than ``keptDays`` before the last one.
    public private(set) var days: [DayUsage] = []
    /// Everything since the start, whatever the day (for measuring one pull: the difference).
    public private(set) var total = Traffic()

    public init() {}

    /// Adds `traffic` to the day `date` falls on, and drops days that fall out of the window.
    public mutating func record(_ traffic: Traffic, at date: Date, calendar: Calendar = .current) {
        let day = Day(date, calendar: calendar)
        total = total + traffic
        if let index = days.firstIndex(where: { $0.day == day }) {
            days[index].traffic = days[index].traffic + traffic
        } else {
            days.append(DayUsage(day: day, traffic: traffic))
            days.sort { $0.day < $1.day }
        }
        let oldestKept = Self.oldestKept(before: date, calendar: calendar)
        days.removeAll { $0.day < oldestKept }
    }

    /// What `status` shows at `date`: today (zero when nothing went yet) and the kept days
    /// within the window, oldest first.
    public func report(at date: Date, calendar: Calendar = .current) -> Report {
        let today = Day(date, calendar: calendar)
        let oldestKept = Self.oldestKept(before: date, calendar: calendar)
        let kept = days.filter { $0.day >= oldestKept && $0.day <= today }
        return Report(today: kept.first { $0.day == today } ?? DayUsage(day: today, traffic: Traffic()), days: kept)
    }

    private static func oldestKept(before date: Date, calendar: Calendar) -> Day {
        Day(calendar.date(byAdding: .day, value: -(keptDays - 1), to: date) ?? date, calendar: calendar)
    }

    // MARK: - Estimating an exchange

    /// The bytes of a request: its line (`GET /path?query HTTP/1.1`), `Host`, its headers, a
    /// `Content-Length` when it has a body, the blank line, and the body.
    public static func requestBytes(method: String, url: String, headers: HTTPHeaders, bodyLength: Int) -> Int {
        let parsed = URL(string: url)
        var target = parsed?.path(percentEncoded: true) ?? "/"
        if target.isEmpty { target = "/" }
        if let query = parsed?.query(percentEncoded: true) { target += "?" + query }
        var bytes = method.utf8.count + 1 + target.utf8.count + " HTTP/1.1\r\n".utf8.count
        let host = parsed.flatMap { url in url.host(percentEncoded: true).map { $0 + (url.port.map { ":\($0)" } ?? "") } } ?? ""
        bytes += "Host: \r\n".utf8.count + host.utf8.count
        bytes += headerBytes(headers)
        if bodyLength > 0 { bytes += "Content-Length: \r\n".utf8.count + String(bodyLength).utf8.count }
        return bytes + 2 + bodyLength
    }

    /// The wire bytes of an answer: its status line and headers, and its `Content-Length` when
    /// it sent one, else `decodedLength`.
    public static func answerBytes(status: Int, headers: HTTPHeaders, decodedLength: Int) -> Int {
        headBytes(status: status, headers: headers) + (headers.first(name: "Content-Length").flatMap(Int.init) ?? decodedLength)
    }

    /// An answer's status line, headers and blank line.
    public static func headBytes(status: Int, headers: HTTPHeaders) -> Int {
        let statusLine = "HTTP/1.1 \(status) \r\n".utf8.count + HTTPResponseStatus(statusCode: status).reasonPhrase.utf8.count
        return statusLine + headerBytes(headers) + 2
    }

    /// `Name: value\r\n` for every field.
    static func headerBytes(_ headers: HTTPHeaders) -> Int {
        headers.reduce(0) { $0 + $1.name.utf8.count + 2 + $1.value.utf8.count + 2 }
    }
}

/// The one ``LinkUsage`` of a daemon, shared by the ``UpstreamClient`` and the
/// ``ImageDownloader`` and read by `status`: a lock around the value, usable from any task.
public final class LinkUsageMeter: Sendable {
    private let usage = Mutex(LinkUsage())
    private let calendar: Calendar

    public init(calendar: Calendar = .current) {
        self.calendar = calendar
    }

    /// Adds one exchange, on the day it is now.
    public func record(_ traffic: LinkUsage.Traffic, at date: Date = Date()) {
        let calendar = self.calendar
        usage.withLock { $0.record(traffic, at: date, calendar: calendar) }
    }

    /// The figures so far.
    public var snapshot: LinkUsage { usage.withLock { $0 } }

    /// Today and the kept days, as of `date`.
    public func report(at date: Date = Date()) -> LinkUsage.Report {
        let calendar = self.calendar
        return usage.withLock { $0.report(at: date, calendar: calendar) }
    }
}
