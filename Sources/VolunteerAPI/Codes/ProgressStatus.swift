/// A project's `progress_status` (活动状态, §2.2): whether it can still be booked.
public enum ProgressStatus: Int, Sendable, Hashable, CaseIterable, Codable {
    /// 可预约: open for booking.
    case open = 1
    /// 已约满: every place taken.
    case full = 2
    /// 已结束: over.
    case ended = 3
}
