/// A system message to the user (§2.2.7), listed by `/message`.
public struct SystemMessage: Sendable, Hashable, Codable {
    public var id: Int
    /// 0 broadcast to everyone, 1 sent to this user.
    public var type: Int?
    public var title: String?
    public var content: String?
    public var publishTime: String?
    public var senderName: String?
    public var senderAvatar: String?

    public init(
        id: Int,
        type: Int? = nil,
        title: String? = nil,
        content: String? = nil,
        publishTime: String? = nil,
        senderName: String? = nil,
        senderAvatar: String? = nil
    ) {
        self.id = id
        self.type = type
        self.title = title
        self.content = content
        self.publishTime = publishTime
        self.senderName = senderName
        self.senderAvatar = senderAvatar
    }

    enum CodingKeys: String, CodingKey {
        case id
        case type
        case title
        case content
        case publishTime = "publish_time"
        case senderName = "username"
        case senderAvatar = "avatars"
    }

    public init(from decoder: any Decoder) throws {
        let reader = try WireReader(decoder, for: SystemMessage.self, keyedBy: CodingKeys.self)
        id = try reader.int(.id)
        type = try reader.optionalInt(.type)
        title = try reader.optionalString(.title)
        content = try reader.optionalString(.content)
        publishTime = try reader.timestamp(.publishTime)
        senderName = try reader.optionalString(.senderName)
        senderAvatar = try reader.optionalString(.senderAvatar)
    }

    /// Writes every documented field, `null` when unset (docs/reference-server.md).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(type, forKey: .type)
        try container.encode(title, forKey: .title)
        try container.encode(content, forKey: .content)
        try container.encode(publishTime, forKey: .publishTime)
        try container.encode(senderName, forKey: .senderName)
        try container.encode(senderAvatar, forKey: .senderAvatar)
    }
}
