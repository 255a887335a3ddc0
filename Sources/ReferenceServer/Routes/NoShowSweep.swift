import Foundation
import Synchronization
import VolunteerAPI

/// Marks no-shows, as a real service does from a scheduled job: an active booking still waiting
/// (`status` 1) when its project is over becomes not seen (`status` 2). Its deposit is kept: no
/// refund starts, and `confirm_no_refund` records that when there was a deposit.
///
/// vdapi has no scheduler, so the sweep runs before a call, at most once a minute of server time.
final class NoShowSweep: Sendable {
    /// When no-shows were last marked, in server time.
    private let lastSweep = Mutex<Date?>(nil)

    /// How long, in server time, a sweep holds before the next one.
    static let interval: TimeInterval = 60

    /// Sweeps when the last sweep is older than ``interval`` (or in the future: the clock moved back).
    func runIfDue(_ database: ReferenceDatabase, now: Date) async throws {
        let due = lastSweep.withLock { last -> Bool in
            if let last, now.timeIntervalSince(last) < Self.interval, now >= last { return false }
            last = now
            return true
        }
        guard due else { return }
        let today = APIClock.date(now)
        let clock = APIClock.time(now)
        try await database.write { db in
            try db.execute(
                sql: """
                    UPDATE diagnosis SET status = \(VisitStatus.missed.rawValue), updated_at = ?,
                        confirm_no_refund = CASE WHEN CAST(amount AS REAL) > 0 THEN 1 ELSE confirm_no_refund END
                    WHERE status = \(VisitStatus.waiting.rawValue) AND verify_status = \(BookingStatus.booked.rawValue) AND project_id IN (
                        SELECT id FROM project WHERE status = \(ProjectStatus.active.rawValue) AND (date < ? OR (date = ? AND "end" <= ?)))
                    """,
                arguments: [APIClock.timestamp(now), today, today, clock])
        }
    }
}
