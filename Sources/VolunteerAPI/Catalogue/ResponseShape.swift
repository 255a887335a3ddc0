/// The kinds of record the API returns, one per documented structure or aggregate.
/// ``RecordKind/modelType`` names the Swift type that decodes each.
public enum RecordKind: String, Sendable, Hashable, CaseIterable {
    case banner, news, patient, doctor, assistant, casebook, systemMessage, project, diagnosis
    case hospital, organisation, specialProject, chatMessage, chatDialog, city
    /// A row of `/org/my`: a doctor's application to an organisation (§3.2.21).
    case orgMembership
    /// A diagnosis as `/all_diagnoses/{id}` returns it: the raw row with casebook, doctor, user (§3.2.22).
    case diagnosisRecord
    /// `{user_info, msg_count}` of `/custom/center` and `/assistant/center`.
    case userCenter
    /// `{news, doctor_info, project_list, diagnoses_list}` of `/doctor/index`.
    case doctorIndex
    /// `{banner, news, project_list, special_pro_list}` of `/custom/homepage`.
    case patientHomepage
    /// `{banner, news, project_list}` of `/assistant/homepage`.
    case assistantHomepage
    /// `{url}` of `/imgupload` and `/weixin/media`.
    case fileURL
}

/// What the `data` field of an endpoint's envelope holds.
public enum ResponseShape: Sendable, Hashable {
    /// `{}` (or nothing of interest).
    case empty
    /// `null`, as `/org_add` and `/org_remove` document.
    case null
    /// One record.
    case record(RecordKind)
    /// The patient, doctor or assistant that matches the account's type (§3.1.1, §3.1.2, §3.1.6, §3.1.10).
    case userByType
    /// A user by type with `is_new` beside it (`/login/phone`).
    case userByTypeWithIsNew
    /// `{list: [...]}` without paging.
    case list(RecordKind)
    /// `{list: [...], page: {...}}` (§1.3.3).
    case page(RecordKind)
    /// A bare JSON array in `data` (`/all_diagnoses/{id}`).
    case bareArray(RecordKind)
    /// One record, or empty when there is none (`/order/query/{sn}`).
    case optionalRecord(RecordKind)
    /// Not JSON: an image with a cookie (`/captcha/app`).
    case image
}
