/// The "user by type" answer of `/register`, `/login`, `/user`, `PUT /user` and `/user/{id}`:
/// a patient, a doctor or an assistant, depending on the account's type.
///
/// The document gives no type field in the answer. When the caller knows the role (it logged in
/// with `type`), put it in the decoder's `userInfo` under ``UserProfile/expectedRoleKey``;
/// otherwise the role is inferred from the fields only one role has.
public enum UserProfile: Sendable, Hashable, Codable, CustomStringConvertible {
    case patient(Patient)
    case doctor(Doctor)
    case assistant(Assistant)

    /// `userInfo` key for the ``UserRole`` a decoder should expect.
    public static let expectedRoleKey = CodingUserInfoKey(rawValue: "vdsync.expectedRole")!

    public var role: UserRole {
        switch self {
        case .patient: .patient
        case .doctor: .doctor
        case .assistant: .assistant
        }
    }

    public var id: Int {
        switch self {
        case .patient(let user): user.id
        case .doctor(let user): user.id
        case .assistant(let user): user.id
        }
    }

    public var realName: String? {
        switch self {
        case .patient(let user): user.realName
        case .doctor(let user): user.realName
        case .assistant(let user): user.realName
        }
    }

    /// The session token of a login answer.
    public var token: String? {
        switch self {
        case .patient(let user): user.token
        case .doctor(let user): user.token
        case .assistant(let user): user.token
        }
    }

    public init(from decoder: any Decoder) throws {
        let role = try (decoder.userInfo[Self.expectedRoleKey] as? UserRole) ?? Self.inferRole(decoder)
        switch role {
        case .patient: self = .patient(try Patient(from: decoder))
        case .doctor: self = .doctor(try Doctor(from: decoder))
        case .assistant: self = .assistant(try Assistant(from: decoder))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .patient(let user): try user.encode(to: encoder)
        case .doctor(let user): try user.encode(to: encoder)
        case .assistant(let user): try user.encode(to: encoder)
        }
    }

    public var description: String { "\(role) #\(id)" }

    /// Fields that only one role's structure has (§2.2.3-2.2.5).
    private static let doctorOnly = [
        "hospital", "departments", "job_position", "good_at", "work_photo", "visits_count", "patient_count",
        "service_time_long", "work_time", "score", "org_list",
    ]
    private static let assistantOnly = ["team_name", "help_count"]
    private static let patientOnly = [
        "sex", "birthday", "age", "height", "weight", "marital_status", "drink_status", "smoking_status",
        "credit_score", "punctuality_score", "join_project_count", "done_project_count",
    ]

    private static func inferRole(_ decoder: any Decoder) throws -> UserRole {
        let reader = try WireReader(decoder, for: UserProfile.self, keyedBy: AnyCodingKey.self)
        let keys = Set(reader.allKeys.map(\.stringValue))
        if doctorOnly.contains(where: keys.contains) { return .doctor }
        if assistantOnly.contains(where: keys.contains) { return .assistant }
        if patientOnly.contains(where: keys.contains) { return .patient }
        throw WireDecodingError(
            structure: "UserProfile", field: decoder.codingPath.dotted,
            problem: "cannot tell patient, doctor or assistant apart: no field only one of them has")
    }
}

// Medical data: a user printed into a log line shows who, never how to reach or identify them.
extension Patient: CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String { "patient #\(id)" }
    public var debugDescription: String { description }
}

extension Doctor: CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String { "doctor #\(id)" }
    public var debugDescription: String { description }
}

extension Assistant: CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String { "assistant #\(id)" }
    public var debugDescription: String { description }
}
