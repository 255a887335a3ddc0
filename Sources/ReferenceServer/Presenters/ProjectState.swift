import Foundation
import GRDB

/// Where a project stands in time: upcoming, in progress, or over (finished or cancelled),
/// from its date, hours and `status` (1 active, 0 cancelled by the doctor).
struct ProjectState: Sendable, Hashable {
    let projectStatus: Int
    let cancelled: Bool

    init(date: String, begin: String, end: String, cancelled: Bool, now: Date) {
        let today = ServerTime.date(now)
        let clock = ServerTime.time(now)
        self.cancelled = cancelled
        if cancelled || date < today || (date == today && end <= clock) {
            projectStatus = 3
        } else if date == today && begin <= clock {
            projectStatus = 2
        } else {
            projectStatus = 1
        }
    }

    init(row: Row, now: Date) {
        self.init(date: row["date"], begin: row["begin"], end: row["end"], cancelled: (row["status"] as Int) == 0, now: now)
    }

    /// Not started and not cancelled: patients may still join or leave, the doctor may cancel.
    var isUpcoming: Bool { projectStatus == 1 }
    var isOver: Bool { projectStatus == 3 }
}
