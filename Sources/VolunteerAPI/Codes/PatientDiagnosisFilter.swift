/// The `type` filter of a patient's diagnoses (`/custom/diagnoses`, §3): which of them to list.
public enum PatientDiagnosisFilter: Int, Sendable, Hashable, CaseIterable, Codable {
    /// 已挂号: booked and waiting.
    case booked = 1
    /// 挂号失败: rejected or cancelled.
    case failed = 2
    /// 未到诊: not seen (a no-show).
    case missed = 3
    /// 诊疗完成: seen.
    case done = 4
}
