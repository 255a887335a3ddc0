/// Why a mutation was not accepted. Nothing was queued. Messages name the field and the rule,
/// never the value (it may be a phone or an ID-card number).
public enum MutationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A parameter is missing, of the wrong type, or breaks its rule.
    case invalidParameter(field: String, reason: String)
    /// The logged-in role may not make this mutation.
    case notAllowed(kind: MutationKind, role: String)
    /// No one is logged in: there is no role to act as.
    case notLoggedIn

    public var description: String {
        switch self {
        case .invalidParameter(let field, let reason): "\(field): \(reason)"
        case .notAllowed(let kind, let role): "\(kind.rawValue) is not allowed for the \(role) role"
        case .notLoggedIn: "no one is logged in"
        }
    }

    /// The offending field, for invalid parameters.
    public var field: String? {
        if case .invalidParameter(let field, _) = self { return field }
        return nil
    }
}
