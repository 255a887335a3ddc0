/// A province, city or district (§1.2.5, §1.2.6).
public struct City: Sendable, Hashable, Codable {
    public var id: Int
    /// 0 for provinces and municipalities.
    public var parentID: Int?
    public var name: String?
    public var shortName: String?
    public var pinyin: String?
    public var sort: Int?

    public init(
        id: Int,
        parentID: Int? = nil,
        name: String? = nil,
        shortName: String? = nil,
        pinyin: String? = nil,
        sort: Int? = nil
    ) {
        self.id = id
        self.parentID = parentID
        self.name = name
        self.shortName = shortName
        self.pinyin = pinyin
        self.sort = sort
    }

    enum CodingKeys: String, CodingKey {
        case id
        case parentID = "parent_id"
        case name
        case shortName = "short_name"
        case pinyin
        case sort
    }

    public init(from decoder: any Decoder) throws {
        let reader = try WireReader(decoder, for: City.self, keyedBy: CodingKeys.self)
        id = try reader.int(.id)
        parentID = try reader.optionalInt(.parentID)
        name = try reader.optionalString(.name)
        shortName = try reader.optionalString(.shortName)
        pinyin = try reader.optionalString(.pinyin)
        sort = try reader.optionalInt(.sort)
    }

    /// Writes every documented field, `null` when unset (docs/reference-server.md).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(parentID, forKey: .parentID)
        try container.encode(name, forKey: .name)
        try container.encode(shortName, forKey: .shortName)
        try container.encode(pinyin, forKey: .pinyin)
        try container.encode(sort, forKey: .sort)
    }
}
