import Foundation
import VolunteerAPI

/// What the always-visible status strip says, read from the daemon's `status`: online or
/// offline, the last sync per area, the outbox's waiting and failed entries, and whether a
/// login is needed. A plain value, so it is tested without a daemon.
public struct StatusStrip: Sendable, Equatable {
    public enum Connectivity: String, Sendable { case online, offline, unknown }

    /// One area of the mirror and when any of its lists was last pulled completely.
    public struct Area: Sendable, Equatable {
        public let label: String
        public let lastSync: String
    }

    public var connectivity: Connectivity
    public var session: String
    public var role: String?
    public var areas: [Area]
    /// Entries not final yet: queued, in flight, or waiting for a read-back.
    public var waiting: Int
    /// Entries that wait for a person: rejected by the upstream, or parked.
    public var failed: Int

    public var loginNeeded: Bool { session != "active" }

    /// The areas, each by the text its list keys contain (`GET /doctor/project`); a key that
    /// matches none counts as "other". The first match wins.
    static let areaMatchers: [(label: String, fragments: [String])] = [
        ("area_bookings", ["diag", "/patient", "/join", "casebook"]),
        ("area_projects", ["project"]),
        ("area_chats", ["/chat"]),
        ("area_messages", ["/message"]),
    ]

    public init(status: JSONValue) {
        connectivity = status["connectivity"]?.stringValue.flatMap(Connectivity.init(rawValue:)) ?? .unknown
        session = status["session"]?.stringValue ?? "logged_out"
        role = status["role"]?.stringValue
        let outbox = status["outbox"]
        func count(_ state: String) -> Int { outbox?[state]?.intValue ?? 0 }
        waiting = count("queued") + count("in_flight") + count("unknown")
        failed = count("rejected") + count("parked")
        var latest: [String: String] = [:]
        if case .object(let pulls)? = status["last_pulls"] {
            for (key, value) in pulls {
                guard let time = value.stringValue else { continue }
                let label = Self.areaMatchers.first { matcher in matcher.fragments.contains { key.contains($0) } }?.label ?? "area_other"
                if latest[label].map({ $0 < time }) ?? true { latest[label] = time }
            }
        }
        // Only the areas this role pulls: a doctor has no list of its own bookings.
        areas = (Self.areaMatchers.map(\.label) + ["area_other"]).compactMap { label in latest[label].map { Area(label: label, lastSync: $0) } }
    }

    /// The strip's template data.
    var viewData: [String: Any] {
        [
            "t": KioskStrings.table,
            "connectivity": connectivity.rawValue,
            "connectivity_label": KioskStrings.text(connectivity == .unknown ? "connectivity_unknown" : connectivity.rawValue),
            "areas": areas.map { ["label": KioskStrings.text($0.label), "time": Self.shortTime($0.lastSync)] },
            "never_synced": areas.isEmpty,
            "waiting": waiting, "has_waiting": waiting > 0,
            "failed": failed, "has_failed": failed > 0,
            "login_needed": loginNeeded, "expired": session == "expired",
        ]
    }

    /// `2026-12-07T07:15:03Z` as `12-07 15:15` in the kiosk's time zone (Asia/Shanghai on a
    /// clinic's machine), the zone its clinics' times are written in.
    static func shortTime(_ stamp: String, in zone: TimeZone = .current) -> String {
        guard let date = try? Date(stamp, strategy: .iso8601) else { return stamp }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "MM-dd HH:mm"
        return formatter.string(from: date)
    }
}
