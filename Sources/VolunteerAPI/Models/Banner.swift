/// A promotional banner of a homepage (§2.2.1).
public struct Banner: Sendable, Hashable, Codable {
    public var id: Int
    public var title: String?
    /// Image URL.
    public var photo: String?
    /// What tapping it does (§2.1.1): 0 nothing, 1 open ``href``.
    public var jumpMode: Int?
    /// The id the jump points to, by ``jumpMode``.
    public var jumpID: Int?
    public var href: String?

    public init(
        id: Int,
        title: String? = nil,
        photo: String? = nil,
        jumpMode: Int? = nil,
        jumpID: Int? = nil,
        href: String? = nil
    ) {
        self.id = id
        self.title = title
        self.photo = photo
        self.jumpMode = jumpMode
        self.jumpID = jumpID
        self.href = href
    }

    enum CodingKeys: String, CodingKey {
        case id
        case title
        case photo
        case jumpMode = "jump_mode"
        case jumpID = "jump_id"
        case href
    }

    public init(from decoder: any Decoder) throws {
        let reader = try WireReader(decoder, for: Banner.self, keyedBy: CodingKeys.self)
        id = try reader.int(.id)
        title = try reader.optionalString(.title)
        photo = try reader.optionalString(.photo)
        jumpMode = try reader.optionalInt(.jumpMode)
        jumpID = try reader.optionalInt(.jumpID)
        href = try reader.optionalString(.href)
    }

    /// Writes every documented field, `null` when unset (docs/reference-server.md).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(title, forKey: .title)
        try container.encode(photo, forKey: .photo)
        try container.encode(jumpMode, forKey: .jumpMode)
        try container.encode(jumpID, forKey: .jumpID)
        try container.encode(href, forKey: .href)
    }
}
