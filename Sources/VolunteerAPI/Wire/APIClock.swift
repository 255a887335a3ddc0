import Foundation

/// The API's clock: its dates (`2026-12-08`) and timestamps (`2026-12-08 09:30:00`) are China
/// Standard Time (UTC+8, no daylight saving), whatever zone the reader runs in. Today's clinics
/// are those dated today on this clock: a kiosk or a build machine on UTC between 16:00 and
/// midnight is already on the API's next day.
public enum APIClock {
    public static let zone = TimeZone(identifier: "Asia/Shanghai") ?? TimeZone(secondsFromGMT: 8 * 3600)!

    /// `yyyy-MM-dd` of `date` on the API's clock.
    public static func date(_ date: Date) -> String {
        format(date, "yyyy-MM-dd")
    }

    /// `HH:mm:ss` of `date` on the API's clock (a visit's time of day).
    public static func time(_ date: Date) -> String {
        format(date, "HH:mm:ss")
    }

    /// `yyyy-MM-dd HH:mm:ss` of `date` on the API's clock.
    public static func timestamp(_ date: Date) -> String {
        format(date, "yyyy-MM-dd HH:mm:ss")
    }

    private static func format(_ date: Date, _ pattern: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = pattern
        return formatter.string(from: date)
    }
}
