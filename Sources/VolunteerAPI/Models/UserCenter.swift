/// The personal-centre answer of `/custom/center` and `/assistant/center`:
/// the user and the number of unread messages.
public struct UserCenter: Sendable, Hashable, Codable {
    public var user: UserProfile?
    /// The number of system messages for the user (broadcast and direct; the API tracks no reads).
    public var messageCount: Int?

    public init(
        user: UserProfile? = nil,
        messageCount: Int? = nil
    ) {
        self.user = user
        self.messageCount = messageCount
    }

    enum CodingKeys: String, CodingKey {
        case user = "user_info"
        case messageCount = "msg_count"
    }

    public init(from decoder: any Decoder) throws {
        let reader = try WireReader(decoder, for: UserCenter.self, keyedBy: CodingKeys.self)
        user = try reader.record(.user, UserProfile.self)
        messageCount = try reader.optionalInt(.messageCount)
    }

    /// Writes every documented field, `null` when unset (docs/reference-server.md).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(user, forKey: .user)
        try container.encode(messageCount, forKey: .messageCount)
    }
}
