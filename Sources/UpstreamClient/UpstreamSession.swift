import VolunteerAPI

/// A logged-in session with the upstream: the token `/login` answered, the role it was asked
/// for and the user's id. ``UpstreamClient`` sends the token as `X-auth-token`.
///
/// It is `Codable` so the engine can keep it across restarts (the token is valid for days) and
/// give it back with ``UpstreamClient/restore(_:)``. Guarantees: its description and debug
/// description never show the token (`doctor #12`), so a session can be logged.
public struct UpstreamSession: Sendable, Hashable, Codable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The session token; a secret.
    public var token: String
    public var role: UserRole
    public var userID: Int

    public init(token: String, role: UserRole, userID: Int) {
        self.token = token
        self.role = role
        self.userID = userID
    }

    public var description: String { "\(role) #\(userID)" }
    public var debugDescription: String { "UpstreamSession(\(description), token hidden)" }

    enum CodingKeys: String, CodingKey {
        case token, role
        case userID = "user_id"
    }
}
