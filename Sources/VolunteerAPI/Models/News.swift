/// A news item or announcement (§2.2.2), listed per audience by `/news/{type}/list`.
public struct News: Sendable, Hashable, Codable {
    public var id: Int
    public var title: String?
    /// Logo image URL.
    public var photo: String?
    /// Rich text (HTML).
    public var content: String?
    /// `yyyy-MM-dd HH:mm:ss`.
    public var publishTime: String?

    public init(
        id: Int,
        title: String? = nil,
        photo: String? = nil,
        content: String? = nil,
        publishTime: String? = nil
    ) {
        self.id = id
        self.title = title
        self.photo = photo
        self.content = content
        self.publishTime = publishTime
    }

    enum CodingKeys: String, CodingKey {
        case id
        case title
        case photo
        case content
        case publishTime = "publish_time"
    }

    public init(from decoder: any Decoder) throws {
        let reader = try WireReader(decoder, for: News.self, keyedBy: CodingKeys.self)
        id = try reader.int(.id)
        title = try reader.optionalString(.title)
        photo = try reader.optionalString(.photo)
        content = try reader.optionalString(.content)
        publishTime = try reader.timestamp(.publishTime)
    }

    /// Writes every documented field, `null` when unset (docs/reference-server.md).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(title, forKey: .title)
        try container.encode(photo, forKey: .photo)
        try container.encode(content, forKey: .content)
        try container.encode(publishTime, forKey: .publishTime)
    }
}
