/// The name and avatar of a user, as chat messages and §3.2.22 rows embed them.
public struct UserSummary: Sendable, Hashable, Codable {
    public var id: Int?
    public var realName: String?
    public var avatars: String?

    public init(
        id: Int? = nil,
        realName: String? = nil,
        avatars: String? = nil
    ) {
        self.id = id
        self.realName = realName
        self.avatars = avatars
    }

    enum CodingKeys: String, CodingKey {
        case id
        case realName = "real_name"
        case avatars
    }

    public init(from decoder: any Decoder) throws {
        let reader = try WireReader(decoder, for: UserSummary.self, keyedBy: CodingKeys.self)
        id = try reader.optionalInt(.id)
        realName = try reader.optionalString(.realName)
        avatars = try reader.optionalString(.avatars)
    }

    /// Writes every documented field, `null` when unset (docs/reference-server.md).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(realName, forKey: .realName)
        try container.encode(avatars, forKey: .avatars)
    }
}
