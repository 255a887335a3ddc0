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
}
