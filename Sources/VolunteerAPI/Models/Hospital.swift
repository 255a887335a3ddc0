/// A hospital (§2.2.10).
public struct Hospital: Sendable, Hashable, Codable {
    public var id: Int
    public var name: String?
    public var logo: String?
    /// Banner image URLs.
    public var banners: [String]
    /// Grade, e.g. 三甲医院.
    public var level: String?
    /// Speciality.
    public var tag: String?
    public var provinceID: Int?
    public var provinceName: String?
    public var cityID: Int?
    public var cityName: String?
    public var countyID: Int?
    public var countyName: String?
    /// Street address within the county.
    public var address: String?

    public init(
        id: Int,
        name: String? = nil,
        logo: String? = nil,
        banners: [String] = [],
        level: String? = nil,
        tag: String? = nil,
        provinceID: Int? = nil,
        provinceName: String? = nil,
        cityID: Int? = nil,
        cityName: String? = nil,
        countyID: Int? = nil,
        countyName: String? = nil,
        address: String? = nil
    ) {
        self.id = id
        self.name = name
        self.logo = logo
        self.banners = banners
        self.level = level
        self.tag = tag
        self.provinceID = provinceID
        self.provinceName = provinceName
        self.cityID = cityID
        self.cityName = cityName
        self.countyID = countyID
        self.countyName = countyName
        self.address = address
    }

    enum CodingKeys: String, CodingKey {
        case id
        case name
        case logo
        case banners = "banner"
        case level
        case tag
        case provinceID = "province_id"
        case provinceName = "province_name"
        case cityID = "city_id"
        case cityName = "city_name"
        case countyID = "county_id"
        case countyName = "county_name"
        case address = "addr"
    }

    public init(from decoder: any Decoder) throws {
        let reader = try WireReader(decoder, for: Hospital.self, keyedBy: CodingKeys.self)
        id = try reader.int(.id)
        name = try reader.optionalString(.name)
        logo = try reader.optionalString(.logo)
        banners = try reader.strings(.banners)
        level = try reader.optionalString(.level)
        tag = try reader.optionalString(.tag)
        provinceID = try reader.optionalInt(.provinceID)
        provinceName = try reader.optionalString(.provinceName)
        cityID = try reader.optionalInt(.cityID)
        cityName = try reader.optionalString(.cityName)
        countyID = try reader.optionalInt(.countyID)
        countyName = try reader.optionalString(.countyName)
        address = try reader.optionalString(.address)
    }

    /// Writes every documented field, `null` when unset (docs/reference-server.md).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(logo, forKey: .logo)
        try container.encode(banners, forKey: .banners)
        try container.encode(level, forKey: .level)
        try container.encode(tag, forKey: .tag)
        try container.encode(provinceID, forKey: .provinceID)
        try container.encode(provinceName, forKey: .provinceName)
        try container.encode(cityID, forKey: .cityID)
        try container.encode(cityName, forKey: .cityName)
        try container.encode(countyID, forKey: .countyID)
        try container.encode(countyName, forKey: .countyName)
        try container.encode(address, forKey: .address)
    }
}
