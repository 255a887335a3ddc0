extension RecordKind {
    /// The Swift type that decodes one record of this kind.
    public var modelType: any (Codable & Sendable & Hashable).Type {
        switch self {
        case .banner: Banner.self
        case .news: News.self
        case .patient: Patient.self
        case .doctor: Doctor.self
        case .assistant: Assistant.self
        case .casebook: Casebook.self
        case .systemMessage: SystemMessage.self
        case .project: Project.self
        case .diagnosis: Diagnosis.self
        case .hospital: Hospital.self
        case .organisation: Organisation.self
        case .specialProject: SpecialProject.self
        case .chatMessage: ChatMessage.self
        case .chatDialog: ChatDialog.self
        case .city: City.self
        case .orgMembership: OrgMembership.self
        case .diagnosisRecord: DiagnosisRecord.self
        case .userCenter: UserCenter.self
        case .doctorIndex: DoctorIndex.self
        case .patientHomepage: PatientHomepage.self
        case .assistantHomepage: AssistantHomepage.self
        case .fileURL: FileURL.self
        }
    }
}
