/// One chat message between a patient and a doctor (留言, §2.2.13, V2.0).
public struct ChatMessage: Sendable, Hashable, Codable {
    public var id: Int
    /// 1 sent by the patient, 2 by the doctor.
    public var senderRole: Int?
    public var fromUserID: Int?
    public var toUserID: Int?
    /// At most 256 characters.
    public var content: String?
    /// At most three image URLs.
    public var photos: [String]
    /// 0 unread, 1 read.
    public var isRead: Int?
    /// The dialog it belongs to, as text (the field list types it `[string]`).
    public var dialogID: String?
    public var fromUser: UserSummary?
    public var toUser: UserSummary?

    public init(
        id: Int,
        senderRole: Int? = nil,
        fromUserID: Int? = nil,
        toUserID: Int? = nil,
        content: String? = nil,
        photos: [String] = [],
        isRead: Int? = nil,
        dialogID: String? = nil,
        fromUser: UserSummary? = nil,
        toUser: UserSummary? = nil
    ) {
        self.id = id
        self.senderRole = senderRole
        self.fromUserID = fromUserID
        self.toUserID = toUserID
        self.content = content
        self.photos = photos
        self.isRead = isRead
        self.dialogID = dialogID
        self.fromUser = fromUser
        self.toUser = toUser
    }

    enum CodingKeys: String, CodingKey {
        case id
        case senderRole = "type"
        case fromUserID = "from_user_id"
        case toUserID = "to_user_id"
        case content
        case photos = "photo"
        case isRead = "is_read"
        case dialogID = "dialog_id"
        case fromUser = "from_user"
        case toUser = "to_user"
    }

    public init(from decoder: any Decoder) throws {
        let reader = try WireReader(decoder, for: ChatMessage.self, keyedBy: CodingKeys.self)
        id = try reader.int(.id)
        senderRole = try reader.optionalInt(.senderRole)
        fromUserID = try reader.optionalInt(.fromUserID)
        toUserID = try reader.optionalInt(.toUserID)
        content = try reader.optionalString(.content)
        photos = try reader.strings(.photos)
        isRead = try reader.optionalInt(.isRead)
        dialogID = try reader.optionalString(.dialogID)
        fromUser = try reader.record(.fromUser, UserSummary.self)
        toUser = try reader.record(.toUser, UserSummary.self)
    }

    /// Writes every documented field, `null` when unset (docs/reference-server.md).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(senderRole, forKey: .senderRole)
        try container.encode(fromUserID, forKey: .fromUserID)
        try container.encode(toUserID, forKey: .toUserID)
        try container.encode(content, forKey: .content)
        try container.encode(photos, forKey: .photos)
        try container.encode(isRead, forKey: .isRead)
        try container.encode(dialogID, forKey: .dialogID)
        try container.encode(fromUser, forKey: .fromUser)
        try container.encode(toUser, forKey: .toUser)
    }
}
