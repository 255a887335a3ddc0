/// An organisation doctors can join (§2.2.11, V2.0).
public struct Organisation: Sendable, Hashable, Codable {
    public var id: Int
    public var name: String?
    public var logo: String?
    public var abstract: String?

    public init(
        id: Int,
        name: String? = nil,
        logo: String? = nil,
        abstract: String? = nil
    ) {
        self.id = id
        self.name = name
        self.logo = logo
        self.abstract = abstract
    }

    enum CodingKeys: String, CodingKey {
        case id
        case name
        case logo
        case abstract
    }

    public init(from decoder: any Decoder) throws {
        let reader = try WireReader(decoder, for: Organisation.self, keyedBy: CodingKeys.self)
        id = try reader.int(.id)
        name = try reader.optionalString(.name)
        logo = try reader.optionalString(.logo)
        abstract = try reader.optionalString(.abstract)
    }

    /// Writes every documented field, `null` when unset (docs/reference-server.md).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(logo, forKey: .logo)
        try container.encode(abstract, forKey: .abstract)
    }
}
