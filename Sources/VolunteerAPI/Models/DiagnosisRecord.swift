/// A diagnosis as its raw row, as `/all_diagnoses/{id}` returns them (§3.2.22):
/// the ids the §2.2.9 form leaves out, payment and refund columns, and its casebook, doctor and patient.
public struct DiagnosisRecord: Sendable, Hashable, Codable {
    public var id: Int
    public var hospitalID: Int?
    public var assistantUserID: Int?
    /// The patient.
    public var userID: Int?
    public var doctorUserID: Int?
    public var projectID: Int?
    public var casebookID: Int?
    /// 1 booked, 2 rejected, 3 cancelled.
    public var verifyStatus: Int?
    public var rejectMessage: String?
    public var visitTime: String?
    /// 1 waiting, 2 not seen, 3 seen.
    public var status: Int?
    /// Deposit paid.
    public var amount: DecimalText?
    public var refundStatus: Int?
    public var refundTime: String?
    public var refundSerial: String?
    public var confirmNoRefund: Int?
    /// Order serial number.
    public var serial: String?
    public var result: String?
    public var resultPhotos: [String]
    public var patientCreditScore: Int?
    public var patientPunctualityScore: Int?
    public var patientCommentShow: Int?
    public var doctorCommentTime: String?
    public var doctorScore: Int?
    public var doctorComment: String?
    public var doctorCommentShow: Int?
    public var patientCommentTime: String?
    /// The booked slot label, e.g. `"15:23:00 - 15:53:00"`.
    public var planTime: String?
    public var createdAt: String?
    public var updatedAt: String?
    public var casebook: Casebook?
    public var doctor: UserSummary?
    public var user: UserSummary?

    public init(
        id: Int,
        hospitalID: Int? = nil,
        assistantUserID: Int? = nil,
        userID: Int? = nil,
        doctorUserID: Int? = nil,
        projectID: Int? = nil,
        casebookID: Int? = nil,
        verifyStatus: Int? = nil,
        rejectMessage: String? = nil,
        visitTime: String? = nil,
        status: Int? = nil,
        amount: DecimalText? = nil,
        refundStatus: Int? = nil,
        refundTime: String? = nil,
        refundSerial: String? = nil,
        confirmNoRefund: Int? = nil,
        serial: String? = nil,
        result: String? = nil,
        resultPhotos: [String] = [],
        patientCreditScore: Int? = nil,
        patientPunctualityScore: Int? = nil,
        patientCommentShow: Int? = nil,
        doctorCommentTime: String? = nil,
        doctorScore: Int? = nil,
        doctorComment: String? = nil,
        doctorCommentShow: Int? = nil,
        patientCommentTime: String? = nil,
        planTime: String? = nil,
        createdAt: String? = nil,
        updatedAt: String? = nil,
        casebook: Casebook? = nil,
        doctor: UserSummary? = nil,
        user: UserSummary? = nil
    ) {
        self.id = id
        self.hospitalID = hospitalID
        self.assistantUserID = assistantUserID
        self.userID = userID
        self.doctorUserID = doctorUserID
        self.projectID = projectID
        self.casebookID = casebookID
        self.verifyStatus = verifyStatus
        self.rejectMessage = rejectMessage
        self.visitTime = visitTime
        self.status = status
        self.amount = amount
        self.refundStatus = refundStatus
        self.refundTime = refundTime
        self.refundSerial = refundSerial
        self.confirmNoRefund = confirmNoRefund
        self.serial = serial
        self.result = result
        self.resultPhotos = resultPhotos
        self.patientCreditScore = patientCreditScore
        self.patientPunctualityScore = patientPunctualityScore
        self.patientCommentShow = patientCommentShow
        self.doctorCommentTime = doctorCommentTime
        self.doctorScore = doctorScore
        self.doctorComment = doctorComment
        self.doctorCommentShow = doctorCommentShow
        self.patientCommentTime = patientCommentTime
        self.planTime = planTime
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.casebook = casebook
        self.doctor = doctor
        self.user = user
    }

    enum CodingKeys: String, CodingKey {
        case id
        case hospitalID = "hospital_id"
        case assistantUserID = "assistant_user_id"
        case userID = "user_id"
        case doctorUserID = "doctor_user_id"
        case projectID = "project_id"
        case casebookID = "casebook_id"
        case verifyStatus = "verify_status"
        case rejectMessage = "reject_msg"
        case visitTime = "visit_time"
        case status
        case amount
        case refundStatus = "refund_status"
        case refundTime = "refund_time"
        case refundSerial = "refund_sn"
        case confirmNoRefund = "confirm_no_refund"
        case serial = "sn"
        case result = "diag_result"
        case resultPhotos = "diag_photo"
        case patientCreditScore = "patient_credit_score"
        case patientPunctualityScore = "patient_punctuality_score"
        case patientCommentShow = "patient_comment_show"
        case doctorCommentTime = "doctor_comment_time"
        case doctorScore = "doctor_score"
        case doctorComment = "doctor_comment"
        case doctorCommentShow = "doctor_comment_show"
        case patientCommentTime = "patient_comment_time"
        case planTime = "plan_time"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case casebook
        case doctor
        case user
    }

    public init(from decoder: any Decoder) throws {
        let reader = try WireReader(decoder, for: DiagnosisRecord.self, keyedBy: CodingKeys.self)
        id = try reader.int(.id)
        hospitalID = try reader.optionalInt(.hospitalID)
        assistantUserID = try reader.optionalInt(.assistantUserID)
        userID = try reader.optionalInt(.userID)
        doctorUserID = try reader.optionalInt(.doctorUserID)
        projectID = try reader.optionalInt(.projectID)
        casebookID = try reader.optionalInt(.casebookID)
        verifyStatus = try reader.optionalInt(.verifyStatus)
        rejectMessage = try reader.optionalString(.rejectMessage)
        visitTime = try reader.timestamp(.visitTime)
        status = try reader.optionalInt(.status)
        amount = try reader.decimal(.amount)
        refundStatus = try reader.optionalInt(.refundStatus)
        refundTime = try reader.timestamp(.refundTime)
        refundSerial = try reader.optionalString(.refundSerial)
        confirmNoRefund = try reader.optionalInt(.confirmNoRefund)
        serial = try reader.optionalString(.serial)
        result = try reader.optionalString(.result)
        resultPhotos = try reader.strings(.resultPhotos)
        patientCreditScore = try reader.optionalInt(.patientCreditScore)
        patientPunctualityScore = try reader.optionalInt(.patientPunctualityScore)
        patientCommentShow = try reader.optionalInt(.patientCommentShow)
        doctorCommentTime = try reader.timestamp(.doctorCommentTime)
        doctorScore = try reader.optionalInt(.doctorScore)
        doctorComment = try reader.optionalString(.doctorComment)
        doctorCommentShow = try reader.optionalInt(.doctorCommentShow)
        patientCommentTime = try reader.timestamp(.patientCommentTime)
        planTime = try reader.optionalString(.planTime)
        createdAt = try reader.timestamp(.createdAt)
        updatedAt = try reader.timestamp(.updatedAt)
        casebook = try reader.record(.casebook, Casebook.self)
        doctor = try reader.record(.doctor, UserSummary.self)
        user = try reader.record(.user, UserSummary.self)
    }

    /// Writes every documented field, `null` when unset (docs/reference-server.md).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(hospitalID, forKey: .hospitalID)
        try container.encode(assistantUserID, forKey: .assistantUserID)
        try container.encode(userID, forKey: .userID)
        try container.encode(doctorUserID, forKey: .doctorUserID)
        try container.encode(projectID, forKey: .projectID)
        try container.encode(casebookID, forKey: .casebookID)
        try container.encode(verifyStatus, forKey: .verifyStatus)
        try container.encode(rejectMessage, forKey: .rejectMessage)
        try container.encode(visitTime, forKey: .visitTime)
        try container.encode(status, forKey: .status)
        try container.encode(amount, forKey: .amount)
        try container.encode(refundStatus, forKey: .refundStatus)
        try container.encode(refundTime, forKey: .refundTime)
        try container.encode(refundSerial, forKey: .refundSerial)
        try container.encode(confirmNoRefund, forKey: .confirmNoRefund)
        try container.encode(serial, forKey: .serial)
        try container.encode(result, forKey: .result)
        try container.encode(resultPhotos, forKey: .resultPhotos)
        try container.encode(patientCreditScore, forKey: .patientCreditScore)
        try container.encode(patientPunctualityScore, forKey: .patientPunctualityScore)
        try container.encode(patientCommentShow, forKey: .patientCommentShow)
        try container.encode(doctorCommentTime, forKey: .doctorCommentTime)
        try container.encode(doctorScore, forKey: .doctorScore)
        try container.encode(doctorComment, forKey: .doctorComment)
        try container.encode(doctorCommentShow, forKey: .doctorCommentShow)
        try container.encode(patientCommentTime, forKey: .patientCommentTime)
        try container.encode(planTime, forKey: .planTime)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(casebook, forKey: .casebook)
        try container.encode(doctor, forKey: .doctor)
        try container.encode(user, forKey: .user)
    }
}
