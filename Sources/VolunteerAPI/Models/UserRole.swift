/// The three kinds of account the API knows, with the document's `type` numbers
/// (1 patient, 2 doctor, 3 assistant/医助). Used by `/register`, `/login`, `/reset/pwd`
/// and to pick the shape of a "user by type" answer.
public enum UserRole: Int, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case patient = 1
    case doctor = 2
    case assistant = 3

    public var description: String {
        switch self {
        case .patient: "patient"
        case .doctor: "doctor"
        case .assistant: "assistant"
        }
    }
}
