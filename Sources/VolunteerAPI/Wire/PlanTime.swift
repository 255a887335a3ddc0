/// The bookable time slots of a project and how many places each has left
/// (`plan_time: {"15:23:00 - 15:53:00": 7, ...}`), in time order.
public struct PlanTime: Sendable, Hashable, Codable {
    /// One slot, labelled as the API labels it (`"15:23:00 - 15:53:00"`).
    public struct Slot: Sendable, Hashable {
        public let label: String
        public var remaining: Int

        public init(_ label: String, remaining: Int) {
            self.label = label
            self.remaining = remaining
        }
    }

    /// Slots sorted by label, which sorts them by start time (`HH:MM:SS` text).
    public var slots: [Slot]

    public init(_ slots: [Slot]) {
        self.slots = slots.sorted { $0.label < $1.label }
    }

    /// The places left in the slot with this label, or nil when there is no such slot.
    public subscript(label: String) -> Int? {
        slots.first { $0.label == label }?.remaining
    }

    public init(from decoder: any Decoder) throws {
        let reader = try WireReader(decoder, for: PlanTime.self, keyedBy: AnyCodingKey.self)
        var slots: [Slot] = []
        for key in reader.allKeys {
            slots.append(Slot(key.stringValue, remaining: try reader.int(key)))
        }
        self.init(slots)
    }

    /// An object of label to count, as the document shows it.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyCodingKey.self)
        for slot in slots {
            try container.encode(slot.remaining, forKey: AnyCodingKey(slot.label))
        }
    }
}
