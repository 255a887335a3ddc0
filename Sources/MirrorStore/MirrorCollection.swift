/// The collections vdsync mirrors, one table each, with the columns that local reads filter
/// and sort on. Every table also keeps the record's raw JSON, its content hash and when it was
/// last written.
public enum MirrorCollection: String, Sendable, Hashable, CaseIterable, Codable {
    case projects, diagnoses, systemMessages, chatDialogs, chatMessages
    case users, hospitals, organisations, memberships, news, banners, specialProjects, cities
    /// A patient's visits across doctors (`/all_diagnoses/{id}`, §3.2.22), for a doctor's patient page.
    case visits
    /// Diagnoses that carry a patient's rating of the doctor (`/doctor/comment`, `/doctor/{id}/comment`):
    /// kept apart from ``diagnoses`` because most are other patients' bookings.
    case reviews
    /// The patient's case record for a booked project (`/project/{id}/casebook`, §3.3.8).
    case casebooks
    /// Composite answers kept whole, one record per ``MirrorPage``: home pages, personal centres.
    case pages

    /// The table that holds the collection.
    public var table: String {
        switch self {
        case .projects: "project"
        case .diagnoses: "diagnosis"
        case .systemMessages: "system_message"
        case .chatDialogs: "chat_dialog"
        case .chatMessages: "chat_message"
        case .users: "user"
        case .hospitals: "hospital"
        case .organisations: "organisation"
        case .memberships: "org_membership"
        case .news: "news"
        case .banners: "banner"
        case .specialProjects: "special_project"
        case .cities: "city"
        case .visits: "visit"
        case .reviews: "review"
        case .casebooks: "casebook"
        case .pages: "page"
        }
    }

    /// The indexed columns of the table, besides `id`, `raw`, `content_hash` and `written_at`.
    public var columns: [String] {
        switch self {
        case .projects:
            ["date", "begin", "end", "doctor_id", "hospital_id", "status", "progress_status", "project_status", "is_join"]
        case .diagnoses:
            ["project_id", "patient_id", "doctor_id", "assistant_id", "verify_status", "status", "visit_time", "refund_status"]
        case .systemMessages: ["type", "publish_time"]
        case .chatDialogs: ["patient_user_id", "doctor_user_id", "last_msg_id"]
        case .chatMessages: ["dialog_id", "from_user_id", "to_user_id", "is_read"]
        case .users: ["role", "real_name", "hospital", "departments", "job_position", "score"]
        case .hospitals: ["name"]
        case .organisations: ["name"]
        case .memberships: ["org_id", "verify_status"]
        case .news: ["publish_time"]
        case .banners: []
        case .specialProjects: ["date"]
        case .cities: ["parent_id", "name", "sort"]
        case .visits: ["patient_id", "doctor_id", "project_id", "status", "visit_time"]
        case .reviews: ["doctor_id", "doctor_score", "patient_comment_time"]
        case .casebooks: ["project_id", "user_id"]
        case .pages: []
        }
    }

    /// Columns that come from the list a record was fetched from, not from the record itself
    /// (a §2.2.9 diagnosis names no project). A later answer without them keeps the known value.
    public var contextColumns: [String] {
        switch self {
        case .diagnoses: ["project_id", "doctor_id"]
        case .chatMessages: ["dialog_id"]
        case .users: ["role"]
        case .reviews: ["doctor_id"]
        case .casebooks: ["project_id"]
        case .cities: ["parent_id"]
        default: []
        }
    }
}
