/// The answer of `/login/phone` (§3.1.14): the user, with `is_new` set when the call
/// registered a new account.
public struct PhoneLogin: Sendable, Hashable, Codable {
    public var user: UserProfile
    public var isNew: Bool

    public init(user: UserProfile, isNew: Bool) {
        self.user = user
        self.isNew = isNew
    }

    enum CodingKeys: String, CodingKey {
        case isNew = "is_new"
    }

    public init(from decoder: any Decoder) throws {
        let reader = try WireReader(decoder, for: PhoneLogin.self, keyedBy: CodingKeys.self)
        isNew = try (reader.optionalInt(.isNew) ?? 0) != 0
        user = try UserProfile(from: decoder)
    }

    /// The user's fields with `is_new` beside them, as the document shows.
    public func encode(to encoder: any Encoder) throws {
        try user.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(isNew ? 1 : 0, forKey: .isNew)
    }
}
