import Foundation
import GRDB
import VolunteerAPI

/// The validated profile fields of `PUT /user` for one role (§3.1.3-3.1.5), also used by the
/// assistant's `/assistant/create/patient` (the patient's fields). Sex and birthday are taken
/// from an 18-digit ID-card number, as the service derives them.
struct ProfileChanges: Sendable {
    struct Column: Sendable {
        let name: String
        let value: (any DatabaseValueConvertible & Sendable)?
    }

    private(set) var columns: [Column] = []
    private(set) var hospitalID: Int?

    init(_ parameters: Parameters, role: UserRole) throws(CallError) {
        set("real_name", try parameters.requiredString("real_name", maxLength: 32))
        let idno = try Self.idCardNumber(parameters)
        set("idno", idno)
        if idno.count == 18 {
            let digits = Array(idno)
            set("birthday", "\(String(digits[6..<10]))-\(String(digits[10..<12]))-\(String(digits[12..<14]))")
            set("sex", (digits[16].wholeNumberValue ?? 1) % 2 == 1 ? 1 : 2)
        }
        try optional(parameters, "avatars", maxLength: 500)
        if let email = try parameters.string("email", maxLength: 100) {
            guard email.contains("@") else { throw .invalid("email", "邮箱格式不正确") }
            set("email", email)
        }
        for name in ["province_id", "city_id", "county_id"] {
            if let id = try parameters.int(name, in: 0...99_999_999) { set(name, id) }
        }
        try optional(parameters, "addr", maxLength: 200)

        switch role {
        case .patient:
            set("height", try Self.measure(parameters, "height"))
            set("weight", try Self.measure(parameters, "weight"))
            set("marital_status", try parameters.requiredInt("marital_status", in: 0...3))
            set("drink_status", try parameters.requiredInt("drink_status", in: 0...1))
            set("smoking_status", try parameters.requiredInt("smoking_status", in: 0...1))
        case .doctor:
            let hospital = try parameters.requiredInt("hospital_id", in: 1...Int.max)
            hospitalID = hospital
            set("hospital_id", hospital)
            set("departments", try parameters.requiredString("departments", maxLength: 32))
            set("job_position", try parameters.requiredString("job_position", maxLength: 32))
            set("good_at", try parameters.requiredString("good_at", maxLength: 500))
            let photos = try parameters.strings("work_photo", maxCount: 9, maxLength: 500)
            guard !photos.isEmpty else { throw .missing("work_photo") }
            set("work_photo", Presenter.listColumn(photos))
            try optional(parameters, "abstract", maxLength: 2000)
            if let week = try parameters.string("work_time", maxLength: 2000) {
                guard let days = try? JSONDecoder().decode([WorkDay].self, from: Data(week.utf8)), days.count == 7 else {
                    throw .invalid("work_time", "应为 7 天的 JSON 数组")
                }
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                set("work_time", String(decoding: (try? encoder.encode(days)) ?? Data("[]".utf8), as: UTF8.self))
            }
        case .assistant:
            set("team_name", try parameters.requiredString("team_name", maxLength: 64))
        }
    }

    private mutating func set(_ name: String, _ value: (any DatabaseValueConvertible & Sendable)?) {
        columns.append(Column(name: name, value: value))
    }

    private mutating func optional(_ parameters: Parameters, _ name: String, maxLength: Int) throws(CallError) {
        if let value = try parameters.string(name, maxLength: maxLength) { set(name, value) }
    }

    /// 15 digits, or 17 digits and a check character (a digit or `X`).
    static func idCardNumber(_ parameters: Parameters) throws(CallError) -> String {
        let idno = try parameters.requiredString("idno", maxLength: 18)
        guard idno.wholeMatch(of: #/[0-9]{17}[0-9Xx]|[0-9]{15}/#) != nil else { throw .invalid("idno", "身份证号格式不正确") }
        return idno.uppercased()
    }

    /// Height (cm) or weight (kg): a positive number of up to three digits and two decimals,
    /// kept as the text the client sent.
    static func measure(_ parameters: Parameters, _ name: String) throws(CallError) -> String {
        let text = try parameters.requiredString(name, maxLength: 8)
        guard text.wholeMatch(of: #/[1-9][0-9]{0,2}(\.[0-9]{1,2})?/#) != nil else { throw .invalid(name, "应为正数，如 172 或 65.5") }
        return text
    }
}
