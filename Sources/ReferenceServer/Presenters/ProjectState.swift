import Foundation
import GRDB
import VolunteerAPI

/// Where a project stands in time: upcoming, in progress, or over (finished or cancelled),
/// from its date, hours and `status` (``ProjectStatus``).
struct ProjectState: Sendable, Hashable {
    let phase: ProjectPhase
    let cancelled: Bool

    init(date: String, begin: String, end: String, cancelled: Bool, now: Date) {
        let today = APIClock.date(now)
        let clock = APIClock.time(now)
        self.cancelled = cancelled
        if cancelled || date < today || (date == today && end <= clock) {
            phase = .finished
        } else if date == today && begin <= clock {
            phase = .inProgress
        } else {
            phase = .upcoming
        }
    }

    init(row: Row, now: Date) {
        self.init(date: row["date"], begin: row["begin"], end: row["end"], cancelled: (row["status"] as Int) == ProjectStatus.cancelled.rawValue, now: now)
    }

    /// Not started and not cancelled: patients may still join or leave, the doctor may cancel.
    var isUpcoming: Bool { phase == .upcoming }
    var isOver: Bool { phase == .finished }

    /// Whether it can still be booked, for `progress_status`: full once `booked` reaches
    /// `capacity` (nil: no limit).
    func progress(booked: Int, capacity: Int?) -> ProgressStatus {
        if isOver { return .ended }
        if let capacity, booked >= capacity { return .full }
        return .open
    }
}
