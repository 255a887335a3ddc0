/// One day of a doctor's weekly schedule: whether they work the morning and the afternoon.
/// `work_time` is an array of seven of these, `{'morning': 1, 'afternoon': 0}` on the wire.
public struct WorkDay: Sendable, Hashable, Codable {
    public var morning: Bool
    public var afternoon: Bool

    public init(morning: Bool, afternoon: Bool) {
        self.morning = morning
        self.afternoon = afternoon
    }

    enum CodingKeys: String, CodingKey {
        case morning, afternoon
    }

    public init(from decoder: any Decoder) throws {
        let reader = try WireReader(decoder, for: WorkDay.self, keyedBy: CodingKeys.self)
        morning = try (reader.optionalInt(.morning) ?? 0) != 0
        afternoon = try (reader.optionalInt(.afternoon) ?? 0) != 0
    }

    /// Writes `1`/`0`, as the document does.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(morning ? 1 : 0, forKey: .morning)
        try container.encode(afternoon ? 1 : 0, forKey: .afternoon)
    }
}
