/// The doctor's home screen, `/doctor/index` (§3.2.16).
public struct DoctorIndex: Sendable, Hashable, Codable {
    public var news: [News]
    public var doctor: Doctor?
    public var projects: [Project]
    public var diagnoses: [Diagnosis]

    public init(
        news: [News] = [],
        doctor: Doctor? = nil,
        projects: [Project] = [],
        diagnoses: [Diagnosis] = []
    ) {
        self.news = news
        self.doctor = doctor
        self.projects = projects
        self.diagnoses = diagnoses
    }

    enum CodingKeys: String, CodingKey {
        case news
        case doctor = "doctor_info"
        case projects = "project_list"
        case diagnoses = "diagnoses_list"
    }

    public init(from decoder: any Decoder) throws {
        let reader = try WireReader(decoder, for: DoctorIndex.self, keyedBy: CodingKeys.self)
        news = try reader.records(.news, of: News.self)
        doctor = try reader.record(.doctor, Doctor.self)
        projects = try reader.records(.projects, of: Project.self)
        diagnoses = try reader.records(.diagnoses, of: Diagnosis.self)
    }

    /// Writes every documented field, `null` when unset (docs/reference-server.md).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(news, forKey: .news)
        try container.encode(doctor, forKey: .doctor)
        try container.encode(projects, forKey: .projects)
        try container.encode(diagnoses, forKey: .diagnoses)
    }
}
