/// A doctor's application to an organisation, as `/org/my` lists it (§3.2.21).
/// Its ``id`` is what `/org_remove/{id}` takes.
public struct OrgMembership: Sendable, Hashable, Codable {
    public var id: Int
    /// Review state of the application.
    public var verifyStatus: Int?
    public var organisationID: Int?
    public var doctorID: Int?
    public var organisation: Organisation?

    public init(
        id: Int,
        verifyStatus: Int? = nil,
        organisationID: Int? = nil,
        doctorID: Int? = nil,
        organisation: Organisation? = nil
    ) {
        self.id = id
        self.verifyStatus = verifyStatus
        self.organisationID = organisationID
        self.doctorID = doctorID
        self.organisation = organisation
    }

    enum CodingKeys: String, CodingKey {
        case id
        case verifyStatus = "verify_status"
        case organisationID = "org_id"
        case doctorID = "doctor_id"
        case organisation = "org"
    }

    public init(from decoder: any Decoder) throws {
        let reader = try WireReader(decoder, for: OrgMembership.self, keyedBy: CodingKeys.self)
        id = try reader.int(.id)
        verifyStatus = try reader.optionalInt(.verifyStatus)
        organisationID = try reader.optionalInt(.organisationID)
        doctorID = try reader.optionalInt(.doctorID)
        organisation = try reader.record(.organisation, Organisation.self)
    }

    /// Writes every documented field, `null` when unset (docs/reference-server.md).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(verifyStatus, forKey: .verifyStatus)
        try container.encode(organisationID, forKey: .organisationID)
        try container.encode(doctorID, forKey: .doctorID)
        try container.encode(organisation, forKey: .organisation)
    }
}
