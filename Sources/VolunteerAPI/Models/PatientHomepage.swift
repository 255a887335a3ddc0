/// The patient's home screen, `/custom/homepage` (§3.3.19, V2.0).
/// The document lists diagnoses (`@诊断信息`) under `project_list`; vdsync reads what it says.
public struct PatientHomepage: Sendable, Hashable, Codable {
    public var banners: [Banner]
    public var news: [News]
    public var projects: [Diagnosis]
    public var specialProjects: [SpecialProject]

    public init(
        banners: [Banner] = [],
        news: [News] = [],
        projects: [Diagnosis] = [],
        specialProjects: [SpecialProject] = []
    ) {
        self.banners = banners
        self.news = news
        self.projects = projects
        self.specialProjects = specialProjects
    }

    enum CodingKeys: String, CodingKey {
        case banners = "banner"
        case news
        case projects = "project_list"
        case specialProjects = "special_pro_list"
    }

    public init(from decoder: any Decoder) throws {
        let reader = try WireReader(decoder, for: PatientHomepage.self, keyedBy: CodingKeys.self)
        banners = try reader.records(.banners, of: Banner.self)
        news = try reader.records(.news, of: News.self)
        projects = try reader.records(.projects, of: Diagnosis.self)
        specialProjects = try reader.records(.specialProjects, of: SpecialProject.self)
    }

    /// Writes every documented field, `null` when unset (docs/reference-server.md).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(banners, forKey: .banners)
        try container.encode(news, forKey: .news)
        try container.encode(projects, forKey: .projects)
        try container.encode(specialProjects, forKey: .specialProjects)
    }
}
