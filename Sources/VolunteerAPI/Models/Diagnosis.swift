/// One patient's booking of one project and everything that follows (诊断, §2.2.9):
/// review, visit, result, refund and the two ratings.
public struct Diagnosis: Sendable, Hashable, Codable {
    public var id: Int
    /// The assistant who booked it for the patient; 0 or nil when the patient did. The field list calls it `assistant_id`, which is read too.
    public var assistantUserID: Int?
    /// 1 booked, 2 rejected, 3 cancelled.
    public var verifyStatus: Int?
    /// Why the doctor rejected it.
    public var rejectMessage: String?
    public var visitTime: String?
    /// The diagnosis result text.
    public var result: String?
    public var resultPhotos: [String]
    /// 1 waiting, 2 not seen (no-show), 3 seen.
    public var status: Int?
    /// 1 refund requested, 2 refunding, 3 refunded.
    public var refundStatus: Int?
    /// The doctor's trust rating of the patient.
    public var patientCreditScore: Int?
    /// The doctor's punctuality rating of the patient.
    public var patientPunctualityScore: Int?
    /// When the doctor rated the patient (the field list misspells it `doctoy_comment_time`, which is read too).
    public var doctorCommentTime: String?
    /// The patient's rating of the doctor.
    public var doctorScore: Int?
    /// The patient's comment on the doctor.
    public var doctorComment: String?
    /// When the patient rated the doctor.
    public var patientCommentTime: String?
    public var patient: Patient?
    public var casebook: Casebook?

    public init(
        id: Int,
        assistantUserID: Int? = nil,
        verifyStatus: Int? = nil,
        rejectMessage: String? = nil,
        visitTime: String? = nil,
        result: String? = nil,
        resultPhotos: [String] = [],
        status: Int? = nil,
        refundStatus: Int? = nil,
        patientCreditScore: Int? = nil,
        patientPunctualityScore: Int? = nil,
        doctorCommentTime: String? = nil,
        doctorScore: Int? = nil,
        doctorComment: String? = nil,
        patientCommentTime: String? = nil,
        patient: Patient? = nil,
        casebook: Casebook? = nil
    ) {
        self.id = id
        self.assistantUserID = assistantUserID
        self.verifyStatus = verifyStatus
        self.rejectMessage = rejectMessage
        self.visitTime = visitTime
        self.result = result
        self.resultPhotos = resultPhotos
        self.status = status
        self.refundStatus = refundStatus
        self.patientCreditScore = patientCreditScore
        self.patientPunctualityScore = patientPunctualityScore
        self.doctorCommentTime = doctorCommentTime
        self.doctorScore = doctorScore
        self.doctorComment = doctorComment
        self.patientCommentTime = patientCommentTime
        self.patient = patient
        self.casebook = casebook
    }

    enum CodingKeys: String, CodingKey {
        case id
        case assistantUserID = "assistant_user_id"
        case verifyStatus = "verify_status"
        case rejectMessage = "reject_msg"
        case visitTime = "visit_time"
        case result = "diag_result"
        case resultPhotos = "diag_photo"
        case status
        case refundStatus = "refund_status"
        case patientCreditScore = "patient_credit_score"
        case patientPunctualityScore = "patient_punctuality_score"
        case doctorCommentTime = "doctor_comment_time"
        case doctorScore = "doctor_score"
        case doctorComment = "doctor_comment"
        case patientCommentTime = "patient_comment_time"
        case patient = "user_info"
        case casebook = "casebook_info"
    }

    public init(from decoder: any Decoder) throws {
        let reader = try WireReader(decoder, for: Diagnosis.self, keyedBy: CodingKeys.self)
        let aliases = try reader.aliases()
        id = try reader.int(.id)
        assistantUserID = try reader.contains(.assistantUserID) ? reader.optionalInt(.assistantUserID) : aliases.optionalInt(AnyCodingKey("assistant_id"))
        verifyStatus = try reader.optionalInt(.verifyStatus)
        rejectMessage = try reader.optionalString(.rejectMessage)
        visitTime = try reader.timestamp(.visitTime)
        result = try reader.optionalString(.result)
        resultPhotos = try reader.strings(.resultPhotos)
        status = try reader.optionalInt(.status)
        refundStatus = try reader.optionalInt(.refundStatus)
        patientCreditScore = try reader.optionalInt(.patientCreditScore)
        patientPunctualityScore = try reader.optionalInt(.patientPunctualityScore)
        doctorCommentTime =
            try reader.contains(.doctorCommentTime) ? reader.timestamp(.doctorCommentTime) : aliases.timestamp(AnyCodingKey("doctoy_comment_time"))
        doctorScore = try reader.optionalInt(.doctorScore)
        doctorComment = try reader.optionalString(.doctorComment)
        patientCommentTime = try reader.timestamp(.patientCommentTime)
        patient = try reader.record(.patient, Patient.self)
        casebook = try reader.record(.casebook, Casebook.self)
    }

    /// Writes every documented field, `null` when unset (docs/reference-server.md).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(assistantUserID, forKey: .assistantUserID)
        try container.encode(verifyStatus, forKey: .verifyStatus)
        try container.encode(rejectMessage, forKey: .rejectMessage)
        try container.encode(visitTime, forKey: .visitTime)
        try container.encode(result, forKey: .result)
        try container.encode(resultPhotos, forKey: .resultPhotos)
        try container.encode(status, forKey: .status)
        try container.encode(refundStatus, forKey: .refundStatus)
        try container.encode(patientCreditScore, forKey: .patientCreditScore)
        try container.encode(patientPunctualityScore, forKey: .patientPunctualityScore)
        try container.encode(doctorCommentTime, forKey: .doctorCommentTime)
        try container.encode(doctorScore, forKey: .doctorScore)
        try container.encode(doctorComment, forKey: .doctorComment)
        try container.encode(patientCommentTime, forKey: .patientCommentTime)
        try container.encode(patient, forKey: .patient)
        try container.encode(casebook, forKey: .casebook)
    }
}

extension Diagnosis {
    /// ``verifyStatus`` by name; nil when absent or a code the document does not define.
    public var bookingStatus: BookingStatus? { verifyStatus.flatMap(BookingStatus.init(rawValue:)) }
    /// ``status`` by name.
    public var visitStatus: VisitStatus? { status.flatMap(VisitStatus.init(rawValue:)) }
    /// ``refundStatus`` by name.
    public var refund: RefundStatus? { refundStatus.flatMap(RefundStatus.init(rawValue:)) }
}
