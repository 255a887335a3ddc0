/// A medical assistant (医助) account (§2.2.5), who registers and books patients.
/// Its ``description`` never shows the phone, ID-card number or token.
public struct Assistant: Sendable, Hashable, Codable {
    public var id: Int
    public var realName: String?
    public var phone: String?
    /// Avatar image URL.
    public var avatars: String?
    /// ID-card number (身份证号).
    public var idCardNumber: String?
    public var email: String?
    /// Volunteer team.
    public var teamName: String?
    public var provinceID: Int?
    public var provinceName: String?
    public var cityID: Int?
    public var cityName: String?
    public var countyID: Int?
    public var countyName: String?
    /// Street address within the county.
    public var address: String?
    /// Patients helped.
    public var helpCount: Int?
    /// 0 awaiting review, 1 enabled, 2 disabled.
    public var verification: Int?
    /// Session token; present on login answers only.
    public var token: String?

    public init(
        id: Int,
        realName: String? = nil,
        phone: String? = nil,
        avatars: String? = nil,
        idCardNumber: String? = nil,
        email: String? = nil,
        teamName: String? = nil,
        provinceID: Int? = nil,
        provinceName: String? = nil,
        cityID: Int? = nil,
        cityName: String? = nil,
        countyID: Int? = nil,
        countyName: String? = nil,
        address: String? = nil,
        helpCount: Int? = nil,
        verification: Int? = nil,
        token: String? = nil
    ) {
        self.id = id
        self.realName = realName
        self.phone = phone
        self.avatars = avatars
        self.idCardNumber = idCardNumber
        self.email = email
        self.teamName = teamName
        self.provinceID = provinceID
        self.provinceName = provinceName
        self.cityID = cityID
        self.cityName = cityName
        self.countyID = countyID
        self.countyName = countyName
        self.address = address
        self.helpCount = helpCount
        self.verification = verification
        self.token = token
    }

    enum CodingKeys: String, CodingKey {
        case id
        case realName = "real_name"
        case phone
        case avatars
        case idCardNumber = "idno"
        case email
        case teamName = "team_name"
        case provinceID = "province_id"
        case provinceName = "province_name"
        case cityID = "city_id"
        case cityName = "city_name"
        case countyID = "county_id"
        case countyName = "county_name"
        case address = "addr"
        case helpCount = "help_count"
        case verification = "is_verify"
        case token
    }

    public init(from decoder: any Decoder) throws {
        let reader = try WireReader(decoder, for: Assistant.self, keyedBy: CodingKeys.self)
        id = try reader.int(.id)
        realName = try reader.optionalString(.realName)
        phone = try reader.optionalString(.phone)
        avatars = try reader.optionalString(.avatars)
        idCardNumber = try reader.optionalString(.idCardNumber)
        email = try reader.optionalString(.email)
        teamName = try reader.optionalString(.teamName)
        provinceID = try reader.optionalInt(.provinceID)
        provinceName = try reader.optionalString(.provinceName)
        cityID = try reader.optionalInt(.cityID)
        cityName = try reader.optionalString(.cityName)
        countyID = try reader.optionalInt(.countyID)
        countyName = try reader.optionalString(.countyName)
        address = try reader.optionalString(.address)
        helpCount = try reader.optionalInt(.helpCount)
        verification = try reader.optionalInt(.verification)
        token = try reader.optionalString(.token)
    }

    /// Writes every documented field, `null` when unset (docs/reference-server.md).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(realName, forKey: .realName)
        try container.encode(phone, forKey: .phone)
        try container.encode(avatars, forKey: .avatars)
        try container.encode(idCardNumber, forKey: .idCardNumber)
        try container.encode(email, forKey: .email)
        try container.encode(teamName, forKey: .teamName)
        try container.encode(provinceID, forKey: .provinceID)
        try container.encode(provinceName, forKey: .provinceName)
        try container.encode(cityID, forKey: .cityID)
        try container.encode(cityName, forKey: .cityName)
        try container.encode(countyID, forKey: .countyID)
        try container.encode(countyName, forKey: .countyName)
        try container.encode(address, forKey: .address)
        try container.encode(helpCount, forKey: .helpCount)
        try container.encode(verification, forKey: .verification)
        try container.encode(token, forKey: .token)
    }
}
