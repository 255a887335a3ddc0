/// A doctor account (§2.2.4, V2.0), with schedule, scores and organisations.
/// Its ``description`` never shows the phone, ID-card number or token.
public struct Doctor: Sendable, Hashable, Codable {
    public var id: Int
    public var realName: String?
    public var phone: String?
    /// Avatar image URL.
    public var avatars: String?
    /// ID-card number (身份证号).
    public var idCardNumber: String?
    /// Name of the hospital the doctor works at.
    public var hospital: String?
    public var departments: String?
    public var jobPosition: String?
    /// Specialities.
    public var goodAt: String?
    /// Proof-of-employment image URLs.
    public var workPhotos: [String]
    /// Self-introduction.
    public var abstract: String?
    /// Clinics held.
    public var visitsCount: Int?
    /// Patients served.
    public var patientCount: Int?
    /// Total service time, in minutes.
    public var serviceMinutes: Int?
    /// Weekly schedule: seven days, Monday first, or empty when not given.
    public var workTime: [WorkDay]
    /// 0 awaiting review, 1 enabled, 2 disabled.
    public var verification: Int?
    /// Average rating by patients.
    public var score: DecimalText?
    /// Session token; present on login answers only.
    public var token: String?
    /// Organisations the doctor belongs to.
    public var organisations: [Organisation]

    public init(
        id: Int,
        realName: String? = nil,
        phone: String? = nil,
        avatars: String? = nil,
        idCardNumber: String? = nil,
        hospital: String? = nil,
        departments: String? = nil,
        jobPosition: String? = nil,
        goodAt: String? = nil,
        workPhotos: [String] = [],
        abstract: String? = nil,
        visitsCount: Int? = nil,
        patientCount: Int? = nil,
        serviceMinutes: Int? = nil,
        workTime: [WorkDay] = [],
        verification: Int? = nil,
        score: DecimalText? = nil,
        token: String? = nil,
        organisations: [Organisation] = []
    ) {
        self.id = id
        self.realName = realName
        self.phone = phone
        self.avatars = avatars
        self.idCardNumber = idCardNumber
        self.hospital = hospital
        self.departments = departments
        self.jobPosition = jobPosition
        self.goodAt = goodAt
        self.workPhotos = workPhotos
        self.abstract = abstract
        self.visitsCount = visitsCount
        self.patientCount = patientCount
        self.serviceMinutes = serviceMinutes
        self.workTime = workTime
        self.verification = verification
        self.score = score
        self.token = token
        self.organisations = organisations
    }

    enum CodingKeys: String, CodingKey {
        case id
        case realName = "real_name"
        case phone
        case avatars
        case idCardNumber = "idno"
        case hospital
        case departments
        case jobPosition = "job_position"
        case goodAt = "good_at"
        case workPhotos = "work_photo"
        case abstract
        case visitsCount = "visits_count"
        case patientCount = "patient_count"
        case serviceMinutes = "service_time_long"
        case workTime = "work_time"
        case verification = "is_verify"
        case score
        case token
        case organisations = "org_list"
    }

    public init(from decoder: any Decoder) throws {
        let reader = try WireReader(decoder, for: Doctor.self, keyedBy: CodingKeys.self)
        id = try reader.int(.id)
        realName = try reader.optionalString(.realName)
        phone = try reader.optionalString(.phone)
        avatars = try reader.optionalString(.avatars)
        idCardNumber = try reader.optionalString(.idCardNumber)
        hospital = try reader.optionalString(.hospital)
        departments = try reader.optionalString(.departments)
        jobPosition = try reader.optionalString(.jobPosition)
        goodAt = try reader.optionalString(.goodAt)
        workPhotos = try reader.strings(.workPhotos)
        abstract = try reader.optionalString(.abstract)
        visitsCount = try reader.optionalInt(.visitsCount)
        patientCount = try reader.optionalInt(.patientCount)
        serviceMinutes = try reader.optionalInt(.serviceMinutes)
        workTime = try reader.records(.workTime, of: WorkDay.self)
        try Self.checkWeek(workTime, reader: reader)
        verification = try reader.optionalInt(.verification)
        score = try reader.decimal(.score)
        token = try reader.optionalString(.token)
        organisations = try reader.records(.organisations, of: Organisation.self)
    }

    /// Writes every documented field, `null` when unset (docs/reference-server.md).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(realName, forKey: .realName)
        try container.encode(phone, forKey: .phone)
        try container.encode(avatars, forKey: .avatars)
        try container.encode(idCardNumber, forKey: .idCardNumber)
        try container.encode(hospital, forKey: .hospital)
        try container.encode(departments, forKey: .departments)
        try container.encode(jobPosition, forKey: .jobPosition)
        try container.encode(goodAt, forKey: .goodAt)
        try container.encode(workPhotos, forKey: .workPhotos)
        try container.encode(abstract, forKey: .abstract)
        try container.encode(visitsCount, forKey: .visitsCount)
        try container.encode(patientCount, forKey: .patientCount)
        try container.encode(serviceMinutes, forKey: .serviceMinutes)
        try container.encode(workTime, forKey: .workTime)
        try container.encode(verification, forKey: .verification)
        try container.encode(score, forKey: .score)
        try container.encode(token, forKey: .token)
        try container.encode(organisations, forKey: .organisations)
    }

    /// A week has seven days; anything else in `work_time` is a broken record.
    static func checkWeek(_ days: [WorkDay], reader: WireReader<CodingKeys>) throws {
        guard days.isEmpty || days.count == 7 else {
            throw reader.problem(.workTime, "expected 7 days, found \(days.count)")
        }
    }
}
