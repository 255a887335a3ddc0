import Foundation

/// Reads an HTTP `Retry-After` header (RFC 9110 §10.2.3): either a number of seconds or an
/// HTTP-date, turned into a delay from `now`.
///
/// Guarantees: never negative (a date in the past is a zero delay); nil for anything that is
/// neither form, so a malformed header is ignored rather than trusted.
public enum RetryAfter {
    /// The delay a `Retry-After` value asks for, or nil when it cannot be read.
    public static func parse(_ value: String, now: Date) -> Duration? {
        let value = value.trimmingCharacters(in: .whitespaces)
        guard !value.isEmpty else { return nil }
        if value.allSatisfy({ $0.isASCII && $0.isNumber }) {
            // A number too large for Int64 is clamped rather than ignored.
            return .seconds(Int64(value) ?? Int64.max)
        }
        guard let date = httpDate(value) else { return nil }
        let seconds = date.timeIntervalSince(now)
        return seconds > 0 ? .milliseconds(Int64((seconds * 1000).rounded())) : .zero
    }

    /// An HTTP-date in any of the three forms a recipient must accept: IMF-fixdate
    /// (`Sun, 06 Nov 1994 08:49:37 GMT`), RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`) and
    /// asctime (`Sun Nov  6 08:49:37 1994`).
    public static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        // asctime pads single-digit days with a space; collapse runs of spaces first.
        let text = text.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}
