/// A free clinic (义诊 project, §2.2.8, V2.0): when and where a doctor sees patients,
/// how many places it has, and its bookable time slots.
public struct Project: Sendable, Hashable, Codable {
    public var id: Int
    /// `yyyy-MM-dd`.
    public var date: String?
    /// `HH:mm:ss`.
    public var begin: String?
    /// `HH:mm:ss`.
    public var end: String?
    /// Places offered.
    public var capacity: Int?
    /// Places taken.
    public var joinedCount: Int?
    public var address: String?
    public var longitude: DecimalText?
    public var latitude: DecimalText?
    public var abstract: String?
    /// Deposit (押金).
    public var price: Int?
    /// Present in the document's example, not described.
    public var status: Int?
    /// 1 open for booking, 2 full, 3 ended.
    public var progressStatus: Int?
    /// Who it serves, e.g. 老年人.
    public var serviceTargets: [String]
    public var hospital: Hospital?
    public var doctor: Doctor?
    /// Patients who joined.
    public var joinedUsers: [Patient]
    /// 1 upcoming, 2 in progress, 3 finished.
    public var projectStatus: Int?
    /// 1 when the caller may cancel (doctor) or leave (patient).
    public var canCancel: Int?
    /// 1 when the caller has joined.
    public var isJoined: Int?
    /// Patients the calling assistant booked into it.
    public var assistantJoinCount: Int?
    /// Places left per time slot.
    public var planTime: PlanTime?

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
        price: Int? = nil,
        status: Int? = nil,
        progressStatus: Int? = nil,
        serviceTargets: [String] = [],
        hospital: Hospital? = nil,
        doctor: Doctor? = nil,
        joinedUsers: [Patient] = [],
        projectStatus: Int? = nil,
        canCancel: Int? = nil,
        isJoined: Int? = nil,
        assistantJoinCount: Int? = nil,
        planTime: PlanTime? = nil
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
        self.price = price
        self.status = status
        self.progressStatus = progressStatus
        self.serviceTargets = serviceTargets
        self.hospital = hospital
        self.doctor = doctor
        self.joinedUsers = joinedUsers
        self.projectStatus = projectStatus
        self.canCancel = canCancel
        self.isJoined = isJoined
        self.assistantJoinCount = assistantJoinCount
        self.planTime = planTime
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
        case price
        case status
        case progressStatus = "progress_status"
        case serviceTargets = "service_target"
        case hospital = "hospital_info"
        case doctor = "doctor_info"
        case joinedUsers = "join_user"
        case projectStatus = "project_status"
        case canCancel = "op_cancel"
        case isJoined = "is_join"
        case assistantJoinCount = "assistant_join_count"
        case planTime = "plan_time"
    }

    public init(from decoder: any Decoder) throws {
        let reader = try WireReader(decoder, for: Project.self, keyedBy: CodingKeys.self)
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
        price = try reader.optionalInt(.price)
        status = try reader.optionalInt(.status)
        progressStatus = try reader.optionalInt(.progressStatus)
        serviceTargets = try reader.strings(.serviceTargets)
        hospital = try reader.record(.hospital, Hospital.self)
        doctor = try reader.record(.doctor, Doctor.self)
        joinedUsers = try reader.records(.joinedUsers, of: Patient.self)
        projectStatus = try reader.optionalInt(.projectStatus)
        canCancel = try reader.optionalInt(.canCancel)
        isJoined = try reader.optionalInt(.isJoined)
        assistantJoinCount = try reader.optionalInt(.assistantJoinCount)
        planTime = try reader.record(.planTime, PlanTime.self)
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
        try container.encode(price, forKey: .price)
        try container.encode(status, forKey: .status)
        try container.encode(progressStatus, forKey: .progressStatus)
        try container.encode(serviceTargets, forKey: .serviceTargets)
        try container.encode(hospital, forKey: .hospital)
        try container.encode(doctor, forKey: .doctor)
        try container.encode(joinedUsers, forKey: .joinedUsers)
        try container.encode(projectStatus, forKey: .projectStatus)
        try container.encode(canCancel, forKey: .canCancel)
        try container.encode(isJoined, forKey: .isJoined)
        try container.encode(assistantJoinCount, forKey: .assistantJoinCount)
        try container.encode(planTime, forKey: .planTime)
    }
}

extension Project {
    /// ``status`` by name (vdapi's reading of an undescribed field: ``ProjectStatus``).
    public var state: ProjectStatus? { status.flatMap(ProjectStatus.init(rawValue:)) }
    /// ``progressStatus`` by name.
    public var progress: ProgressStatus? { progressStatus.flatMap(ProgressStatus.init(rawValue:)) }
    /// ``isJoined`` as a truth value: the caller has joined (nil when the answer does not say).
    public var hasJoined: Bool? { isJoined.map { $0 == 1 } }
}
