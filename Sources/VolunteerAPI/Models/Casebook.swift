/// A patient's case description for one project (§2.2.6): text and photos.
/// The raw rows of `/all_diagnoses/{id}` (§3.2.22) add owner, project and timestamps.
public struct Casebook: Sendable, Hashable, Codable {
    public var id: Int
    /// Image URLs.
    public var photos: [String]
    /// The case description.
    public var content: String?
    /// The patient (§3.2.22 rows only).
    public var userID: Int?
    /// The project (§3.2.22 rows only).
    public var projectID: Int?
    public var createdAt: String?
    public var updatedAt: String?

    public init(
        id: Int,
        photos: [String] = [],
        content: String? = nil,
        userID: Int? = nil,
        projectID: Int? = nil,
        createdAt: String? = nil,
        updatedAt: String? = nil
    ) {
        self.id = id
        self.photos = photos
        self.content = content
        self.userID = userID
        self.projectID = projectID
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id
        case photos = "photo"
        case content
        case userID = "user_id"
        case projectID = "project_id"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    public init(from decoder: any Decoder) throws {
        let reader = try WireReader(decoder, for: Casebook.self, keyedBy: CodingKeys.self)
        id = try reader.int(.id)
        photos = try reader.strings(.photos)
        content = try reader.optionalString(.content)
        userID = try reader.optionalInt(.userID)
        projectID = try reader.optionalInt(.projectID)
        createdAt = try reader.timestamp(.createdAt)
        updatedAt = try reader.timestamp(.updatedAt)
    }

    /// Writes every documented field, `null` when unset (docs/reference-server.md).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(photos, forKey: .photos)
        try container.encode(content, forKey: .content)
        try container.encode(userID, forKey: .userID)
        try container.encode(projectID, forKey: .projectID)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}
