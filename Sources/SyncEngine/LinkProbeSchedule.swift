/// While the upstream cannot be reached, how often the way to it is probed
/// (``UpstreamClient/probe(timeout:)``), as a plain value: every ``interval`` while offline, so
/// that queued work leaves within about a second of the link's return instead of at the end of
/// a backoff of up to five minutes. A probe that got through but was followed by another failure
/// (a captive portal, a proxy whose upstream is down) doubles the wait, up to ``cap``, so such a
/// link is not hammered with pulls; real traffic getting through brings it back to ``interval``.
public struct LinkProbeSchedule: Sendable, Hashable {
    public let interval: Duration
    public let cap: Duration
    /// The wait before the next probe.
    public private(set) var wait: Duration

    public init(interval: Duration = Self.defaultInterval, cap: Duration = .seconds(60)) {
        self.interval = max(interval, .milliseconds(100))
        self.cap = max(cap, self.interval)
        self.wait = self.interval
    }

    /// A TCP handshake a second while offline: nothing when the link is down, a few dozen bytes
    /// when only the upstream is.
    public static let defaultInterval: Duration = .seconds(1)

    /// Real traffic got through: probes, when next needed, start again at ``interval``.
    public mutating func linkWorked() {
        wait = interval
    }

    /// A probe got through and the loops were told, but real traffic failed again after it.
    public mutating func falseAlarm() {
        wait = min(wait * 2, cap)
    }
}
