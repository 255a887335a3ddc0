import Foundation

/// The bookable time slots of a project, cut from its hours the way vdapi does it for
/// `POST /project` and the seeds alike (docs/reference-server.md).
///
/// The document gives publishing no slot parameter but shows `plan_time` as half-hour slots
/// whose places add up to `people_count`, earlier slots holding the remainder (§2.2.8: eleven
/// slots, 74 places as 7×8 + 6×3). So the hours are cut into 30-minute slots from `begin` (the
/// last one ends at `end`, possibly shorter) and the places spread that way; slots left without
/// a place (fewer places than slots) are not offered.
struct SlotPlan: Sendable, Hashable {
    struct Slot: Sendable, Hashable {
        /// `"15:23:00 - 15:53:00"`, as `plan_time` labels it.
        let label: String
        let capacity: Int
    }

    static let length = 30 * 60

    let slots: [Slot]

    /// Slots for hours from `begin` to `end`, in seconds since midnight, holding `places`.
    init(begin: Int, end: Int, places: Int) {
        let starts = Array(stride(from: begin, to: end, by: Self.length))
        guard !starts.isEmpty else {
            slots = []
            return
        }
        let base = places / starts.count
        let remainder = places % starts.count
        slots = starts.enumerated().compactMap { index, start in
            let capacity = base + (index < remainder ? 1 : 0)
            guard capacity > 0 else { return nil }
            return Slot(label: "\(Self.clock(start)) - \(Self.clock(min(start + Self.length, end)))", capacity: capacity)
        }
    }

    /// The `slot_capacity` column: a JSON object of label → places. Labels sort by time, so
    /// sorted keys keep the column identical for identical plans.
    var column: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let map = Dictionary(slots.map { ($0.label, $0.capacity) }, uniquingKeysWith: { first, _ in first })
        return (try? encoder.encode(map)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// `HH:mm:ss` of seconds since midnight.
    static func clock(_ seconds: Int) -> String {
        String(format: "%02d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
    }
}
