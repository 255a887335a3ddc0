/// A booking's `status` (状态, §2.2): where the visit stands.
public enum VisitStatus: Int, Sendable, Hashable, CaseIterable, Codable {
    /// 待诊: waiting to be seen.
    case waiting = 1
    /// 未诊: the clinic ended without the patient seen (a no-show).
    case missed = 2
    /// 已诊: seen by the doctor.
    case seen = 3
}
