import Foundation
import VolunteerAPI

/// Names the objects of an answer after the documented structures, for the census: an object is
/// the structure whose documented keys cover the most of its keys.
///
/// The documented key sets are the table of §2.2 (as `scripts/openapi.py` writes it) joined with
/// the keys each ``RecordKind``'s model encodes, so the naming holds while the models learn to
/// write more of their fields. An object no structure covers well enough is named by the field
/// it sits under (`plan_time`, `work_time`), else `other`.
struct QuirkStructures: Sendable {
    /// Structure name → its documented keys.
    let keys: [(name: String, keys: Set<String>)]

    /// The documented structures of `scripts/openapi.py`'s STRUCTURES table, keys only.
    static let documented: [String: [String]] = {
        let region = "province_id province_name city_id city_name county_id county_name addr"
        let table: [String: [String]] = [
            "banner": ["id title photo jump_mode jump_id href"],
            "news": ["id title photo content publish_time"],
            "patient": [
                "id real_name phone avatars idno sex birthday age email height weight \(region) marital_status ",
                "drink_status smoking_status credit_score punctuality_score is_verify join_project_count done_project_count token",
            ],
            "doctor": [
                "id real_name phone avatars idno hospital departments job_position good_at work_photo abstract ",
                "visits_count patient_count service_time_long work_time is_verify score token org_list",
            ],
            "assistant": ["id real_name phone avatars idno email team_name \(region) help_count is_verify token"],
            "casebook": ["id photo content user_id project_id created_at updated_at"],
            "systemMessage": ["id type title content publish_time username avatars"],
            "hospital": ["id name logo banner level tag \(region)"],
            "organisation": ["id name logo abstract"],
            "project": [
                "id date begin end people_count join_people_count addr lng lat abstract price status progress_status ",
                "service_target hospital_info doctor_info join_user project_status op_cancel is_join assistant_join_count plan_time",
            ],
            "specialProject": [
                "id date begin end people_count join_people_count addr lng lat abstract photo price status ",
                "progress_status service_target hospital_info org_info project_status join_user",
            ],
            "diagnosis": [
                "id assistant_user_id verify_status reject_msg visit_time diag_result diag_photo status refund_status ",
                "patient_credit_score patient_punctuality_score doctor_comment_time doctor_score doctor_comment ",
                "patient_comment_time user_info casebook_info",
            ],
            "userSummary": ["id real_name avatars"],
            "chatMessage": ["id type from_user_id to_user_id content photo is_read dialog_id from_user to_user"],
            "chatDialog": ["id patient_user_id doctor_user_id last_msg_id last_msg patient_user doctor_user"],
            "city": ["id parent_id name short_name pinyin sort"],
            "orgMembership": ["id verify_status org_id doctor_id org"],
            "diagnosisRecord": [
                "id hospital_id assistant_user_id user_id doctor_user_id project_id casebook_id verify_status ",
                "reject_msg visit_time status amount refund_status refund_time refund_sn confirm_no_refund sn diag_result ",
                "diag_photo patient_credit_score patient_punctuality_score patient_comment_show doctor_comment_time ",
                "doctor_score doctor_comment doctor_comment_show patient_comment_time plan_time created_at updated_at ", "casebook doctor user",
            ],
            "userCenter": ["user_info msg_count"],
            "doctorIndex": ["news doctor_info project_list diagnoses_list"],
            "patientHomepage": ["banner news project_list special_pro_list"],
            "assistantHomepage": ["banner news project_list"],
            "fileURL": ["url"],
            "envelope": ["error_code data error_message"],
            "page": ["current_page total_page count page_size"],
            "list": ["list page"],
            "workDay": ["morning afternoon"],
        ]
        return table
    }()

    /// The keys a model writes for a record holding only `id`: what it encodes today.
    static func encodedKeys(of kind: RecordKind) -> Set<String> {
        func keys<Model: Decodable & Encodable>(_ type: Model.Type) -> Set<String> {
            guard let model = try? JSONValueDecoder().decode(type, from: .object(["id": .integer(1)])),
                let data = try? JSONEncoder().encode(model), case .object(let members)? = try? JSONValue.parse(data)
            else { return [] }
            return Set(members.keys)
        }
        return keys(kind.modelType)
    }

    static let standard = QuirkStructures()

    init() {
        var table: [String: Set<String>] = [:]
        for (name, keys) in Self.documented {
            table[name] = Set(keys.flatMap { $0.split(separator: " ").map(String.init) })
        }
        for kind in RecordKind.allCases {
            table[kind.rawValue, default: []].formUnion(Self.encodedKeys(of: kind))
        }
        keys = table.sorted { $0.key < $1.key }.map { (name: $0.key, keys: $0.value) }
    }

    /// The structure an object with `members` is, sitting under `field` (nil at the top).
    func name(of members: [String: JSONValue], under field: String?) -> String {
        let present = Set(members.keys)
        if present.isEmpty { return field ?? "other" }
        var best: (name: String, covered: Int, missing: Int)?
        for (name, documented) in keys {
            // A structure with an id names only objects with one: records are told apart by it.
            if documented.contains("id") != present.contains("id") { continue }
            let covered = present.intersection(documented).count
            let missing = documented.count - covered
            guard covered > 0 else { continue }
            if let current = best, (covered, -missing) <= (current.covered, -current.missing) { continue }
            best = (name, covered, missing)
        }
        // Most of the object's keys must be documented for the structure, or the name misleads.
        if let best, best.covered * 2 > present.count { return best.name }
        return field ?? "other"
    }
}
