/// A patient account (§2.2.3), as `/login`, `/user` and lists of patients return it.
/// Its ``description`` never shows the phone, ID-card number or token.
public struct Patient: Sendable, Hashable, Codable {
    public var id: Int
    public var realName: String?
    public var phone: String?
    /// Avatar image URL.
    public var avatars: String?
    /// ID-card number (身份证号).
    public var idCardNumber: String?
    /// 1 male, 2 female.
    public var sex: Int?
    public var birthday: String?
    public var age: Int?
    public var email: String?
    /// Height as written, in cm.
    public var height: String?
    /// Weight as written, in kg.
    public var weight: String?
    public var provinceID: Int?
    public var provinceName: String?
    public var cityID: Int?
    public var cityName: String?
    public var countyID: Int?
    public var countyName: String?
    /// Street address within the county.
    public var address: String?
    /// 0 single, 1 married, 2 divorced, 3 widowed.
    public var maritalStatus: Int?
    /// 0 does not drink, 1 drinks.
    public var drinkStatus: Int?
    /// 0 does not smoke, 1 smokes.
    public var smokingStatus: Int?
    /// Trustworthiness score given by doctors.
    public var creditScore: DecimalText?
    /// Punctuality score given by doctors.
    public var punctualityScore: DecimalText?
    /// 0 awaiting review, 1 enabled, 2 disabled.
    public var verification: Int?
    /// Successful registrations.
    public var joinProjectCount: Int?
    /// Completed visits.
    public var doneProjectCount: Int?
    /// Session token; present on login answers only.
    public var token: String?

    public init(
        id: Int,
        realName: String? = nil,
        phone: String? = nil,
        avatars: String? = nil,
        idCardNumber: String? = nil,
        sex: Int? = nil,
        birthday: String? = nil,
        age: Int? = nil,
        email: String? = nil,
        height: String? = nil,
        weight: String? = nil,
        provinceID: Int? = nil,
        provinceName: String? = nil,
        cityID: Int? = nil,
        cityName: String? = nil,
        countyID: Int? = nil,
        countyName: String? = nil,
        address: String? = nil,
        maritalStatus: Int? = nil,
        drinkStatus: Int? = nil,
        smokingStatus: Int? = nil,
        creditScore: DecimalText? = nil,
        punctualityScore: DecimalText? = nil,
        verification: Int? = nil,
        joinProjectCount: Int? = nil,
        doneProjectCount: Int? = nil,
        token: String? = nil
    ) {
        self.id = id
        self.realName = realName
        self.phone = phone
        self.avatars = avatars
        self.idCardNumber = idCardNumber
        self.sex = sex
        self.birthday = birthday
        self.age = age
        self.email = email
        self.height = height
        self.weight = weight
        self.provinceID = provinceID
        self.provinceName = provinceName
        self.cityID = cityID
        self.cityName = cityName
        self.countyID = countyID
        self.countyName = countyName
        self.address = address
        self.maritalStatus = maritalStatus
        self.drinkStatus = drinkStatus
        self.smokingStatus = smokingStatus
        self.creditScore = creditScore
        self.punctualityScore = punctualityScore
        self.verification = verification
        self.joinProjectCount = joinProjectCount
        self.doneProjectCount = doneProjectCount
        self.token = token
    }

    enum CodingKeys: String, CodingKey {
        case id
        case realName = "real_name"
        case phone
        case avatars
        case idCardNumber = "idno"
        case sex
        case birthday
        case age
        case email
        case height
        case weight
        case provinceID = "province_id"
        case provinceName = "province_name"
        case cityID = "city_id"
        case cityName = "city_name"
        case countyID = "county_id"
        case countyName = "county_name"
        case address = "addr"
        case maritalStatus = "marital_status"
        case drinkStatus = "drink_status"
        case smokingStatus = "smoking_status"
        case creditScore = "credit_score"
        case punctualityScore = "punctuality_score"
        case verification = "is_verify"
        case joinProjectCount = "join_project_count"
        case doneProjectCount = "done_project_count"
        case token
    }

    public init(from decoder: any Decoder) throws {
        let reader = try WireReader(decoder, for: Patient.self, keyedBy: CodingKeys.self)
        id = try reader.int(.id)
        realName = try reader.optionalString(.realName)
        phone = try reader.optionalString(.phone)
        avatars = try reader.optionalString(.avatars)
        idCardNumber = try reader.optionalString(.idCardNumber)
        sex = try reader.optionalInt(.sex)
        birthday = try reader.optionalString(.birthday)
        age = try reader.optionalInt(.age)
        email = try reader.optionalString(.email)
        height = try reader.optionalString(.height)
        weight = try reader.optionalString(.weight)
        provinceID = try reader.optionalInt(.provinceID)
        provinceName = try reader.optionalString(.provinceName)
        cityID = try reader.optionalInt(.cityID)
        cityName = try reader.optionalString(.cityName)
        countyID = try reader.optionalInt(.countyID)
        countyName = try reader.optionalString(.countyName)
        address = try reader.optionalString(.address)
        maritalStatus = try reader.optionalInt(.maritalStatus)
        drinkStatus = try reader.optionalInt(.drinkStatus)
        smokingStatus = try reader.optionalInt(.smokingStatus)
        creditScore = try reader.decimal(.creditScore)
        punctualityScore = try reader.decimal(.punctualityScore)
        verification = try reader.optionalInt(.verification)
        joinProjectCount = try reader.optionalInt(.joinProjectCount)
        doneProjectCount = try reader.optionalInt(.doneProjectCount)
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
        try container.encode(sex, forKey: .sex)
        try container.encode(birthday, forKey: .birthday)
        try container.encode(age, forKey: .age)
        try container.encode(email, forKey: .email)
        try container.encode(height, forKey: .height)
        try container.encode(weight, forKey: .weight)
        try container.encode(provinceID, forKey: .provinceID)
        try container.encode(provinceName, forKey: .provinceName)
        try container.encode(cityID, forKey: .cityID)
        try container.encode(cityName, forKey: .cityName)
        try container.encode(countyID, forKey: .countyID)
        try container.encode(countyName, forKey: .countyName)
        try container.encode(address, forKey: .address)
        try container.encode(maritalStatus, forKey: .maritalStatus)
        try container.encode(drinkStatus, forKey: .drinkStatus)
        try container.encode(smokingStatus, forKey: .smokingStatus)
        try container.encode(creditScore, forKey: .creditScore)
        try container.encode(punctualityScore, forKey: .punctualityScore)
        try container.encode(verification, forKey: .verification)
        try container.encode(joinProjectCount, forKey: .joinProjectCount)
        try container.encode(doneProjectCount, forKey: .doneProjectCount)
        try container.encode(token, forKey: .token)
    }
}
