/// A chat dialog between one patient and one doctor (§2.2.14, V2.0), with its last message.
public struct ChatDialog: Sendable, Hashable, Codable {
    public var id: Int
    public var patientUserID: Int?
    public var doctorUserID: Int?
    /// The id of the last message, as text (the document types it `[string]`; its example is
    /// `"xxxx"`). It moves whenever a message is added: the cue to refetch the dialog.
    public var lastMessageID: String?
    public var lastMessage: ChatMessage?
    public var patientUser: Patient?
    public var doctorUser: Doctor?

    public init(
        id: Int,
        patientUserID: Int? = nil,
        doctorUserID: Int? = nil,
        lastMessageID: String? = nil,
        lastMessage: ChatMessage? = nil,
        patientUser: Patient? = nil,
        doctorUser: Doctor? = nil
    ) {
        self.id = id
        self.patientUserID = patientUserID
        self.doctorUserID = doctorUserID
        self.lastMessageID = lastMessageID
        self.lastMessage = lastMessage
        self.patientUser = patientUser
        self.doctorUser = doctorUser
    }

    enum CodingKeys: String, CodingKey {
        case id
        case patientUserID = "patient_user_id"
        case doctorUserID = "doctor_user_id"
        case lastMessageID = "last_msg_id"
        case lastMessage = "last_msg"
        case patientUser = "patient_user"
        case doctorUser = "doctor_user"
    }

    public init(from decoder: any Decoder) throws {
        let reader = try WireReader(decoder, for: ChatDialog.self, keyedBy: CodingKeys.self)
        id = try reader.int(.id)
        patientUserID = try reader.optionalInt(.patientUserID)
        doctorUserID = try reader.optionalInt(.doctorUserID)
        lastMessageID = try reader.optionalString(.lastMessageID)
        lastMessage = try reader.record(.lastMessage, ChatMessage.self)
        patientUser = try reader.record(.patientUser, Patient.self)
        doctorUser = try reader.record(.doctorUser, Doctor.self)
    }

    /// Writes every documented field, `null` when unset (docs/reference-server.md).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(patientUserID, forKey: .patientUserID)
        try container.encode(doctorUserID, forKey: .doctorUserID)
        try container.encode(lastMessageID, forKey: .lastMessageID)
        try container.encode(lastMessage, forKey: .lastMessage)
        try container.encode(patientUser, forKey: .patientUser)
        try container.encode(doctorUser, forKey: .doctorUser)
    }
}
