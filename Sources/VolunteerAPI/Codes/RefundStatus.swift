/// A booking's `refund_status` (§2.2): how its deposit's refund stands.
public enum RefundStatus: Int, Sendable, Hashable, CaseIterable, Codable {
    /// 已申请退款: requested.
    case requested = 1
    /// 退款中: in progress (the document tells front ends to ignore it).
    case refunding = 2
    /// 退款完成: refunded.
    case refunded = 3
}
