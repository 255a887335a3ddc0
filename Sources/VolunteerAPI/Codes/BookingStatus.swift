/// A booking's `verify_status` (审核状态, §2.2): whether the booking stands.
public enum BookingStatus: Int, Sendable, Hashable, CaseIterable, Codable {
    /// 预约成功: the booking stands.
    case booked = 1
    /// 预约被拒绝: the doctor rejected it.
    case rejected = 2
    /// 已取消: the patient, an assistant or the project's cancellation cancelled it.
    case cancelled = 3
}
