/// A special campaign (专题活动, §2.2.12, V2.0) grouping projects of an organisation.
public struct SpecialProject: Sendable, Hashable, Codable {
    public var id: Int
    public var date: String?
    public var begin: String?
    public var end: String?
    public var capacity: Int?
    public var joinedCount: Int?
    public var address: String?
    public var longitude: DecimalText?
    public var latitude: DecimalText?
    public var abstract: String?
    /// Image URL.
    public var photo: String?
    /// Deposit (押金).
    public var price: Int?
    /// Present in the document's example, not described.
    public var status: Int?
    /// 1 open for booking, 2 full, 3 ended.
    public var progressStatus: Int?
    public var serviceTargets: [String]
    public var hospital: Hospital?
    public var organisation: Organisation?
    /// 1 upcoming, 2 in progress, 3 finished.
    public var projectStatus: Int?
    public var joinedUsers: [Patient]

    public init(
        id: Int,
        date: String? = nil,
        begin: String? = nil,
        end: String? = nil,
        capacity: Int? = nil,
        joinedCount: Int? = nil,
        address: String? = nil,
        longitude: DecimalText? = nil,
        latitude: DecimalText? = nil,
        abstract: String? = nil,
        photo: String? = nil,
        price: Int? = nil,
        status: Int? = nil,
        progressStatus: Int? = nil,
        serviceTargets: [String] = [],
        hospital: Hospital? = nil,
        organisation: Organisation? = nil,
        projectStatus: Int? = nil,
        joinedUsers: [Patient] = []
    ) {
        self.id = id
        self.date = date
        self.begin = begin
        self.end = end
        self.capacity = capacity
        self.joinedCount = joinedCount
        self.address = address
        self.longitude = longitude
        self.latitude = latitude
        self.abstract = abstract
        self.photo = photo
        self.price = price
        self.status = status
        self.progressStatus = progressStatus
        self.serviceTargets = serviceTargets
        self.hospital = hospital
        self.organisation = organisation
        self.projectStatus = projectStatus
        self.joinedUsers = joinedUsers
    }

    enum CodingKeys: String, CodingKey {
        case id
        case date
        case begin
        case end
        case capacity = "people_count"
        case joinedCount = "join_people_count"
        case address = "addr"
        case longitude = "lng"
        case latitude = "lat"
        case abstract
        case photo
        case price
        case status
        case progressStatus = "progress_status"
        case serviceTargets = "service_target"
        case hospital = "hospital_info"
        case organisation = "org_info"
        case projectStatus = "project_status"
        case joinedUsers = "join_user"
    }

    public init(from decoder: any Decoder) throws {
        let reader = try WireReader(decoder, for: SpecialProject.self, keyedBy: CodingKeys.self)
        id = try reader.int(.id)
        date = try reader.optionalString(.date)
        begin = try reader.timestamp(.begin)
        end = try reader.timestamp(.end)
        capacity = try reader.optionalInt(.capacity)
        joinedCount = try reader.optionalInt(.joinedCount)
        address = try reader.optionalString(.address)
        longitude = try reader.decimal(.longitude)
        latitude = try reader.decimal(.latitude)
        abstract = try reader.optionalString(.abstract)
        photo = try reader.optionalString(.photo)
        price = try reader.optionalInt(.price)
        status = try reader.optionalInt(.status)
        progressStatus = try reader.optionalInt(.progressStatus)
        serviceTargets = try reader.strings(.serviceTargets)
        hospital = try reader.record(.hospital, Hospital.self)
        organisation = try reader.record(.organisation, Organisation.self)
        projectStatus = try reader.optionalInt(.projectStatus)
        joinedUsers = try reader.records(.joinedUsers, of: Patient.self)
    }

    /// Writes every documented field, `null` when unset (docs/reference-server.md).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(date, forKey: .date)
        try container.encode(begin, forKey: .begin)
        try container.encode(end, forKey: .end)
        try container.encode(capacity, forKey: .capacity)
        try container.encode(joinedCount, forKey: .joinedCount)
        try container.encode(address, forKey: .address)
        try container.encode(longitude, forKey: .longitude)
        try container.encode(latitude, forKey: .latitude)
        try container.encode(abstract, forKey: .abstract)
        try container.encode(photo, forKey: .photo)
        try container.encode(price, forKey: .price)
        try container.encode(status, forKey: .status)
        try container.encode(progressStatus, forKey: .progressStatus)
        try container.encode(serviceTargets, forKey: .serviceTargets)
        try container.encode(hospital, forKey: .hospital)
        try container.encode(organisation, forKey: .organisation)
        try container.encode(projectStatus, forKey: .projectStatus)
        try container.encode(joinedUsers, forKey: .joinedUsers)
    }
}
