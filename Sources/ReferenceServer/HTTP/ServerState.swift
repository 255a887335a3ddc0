import Foundation
import Logging
import Synchronization
import VolunteerAPI

/// What every handler shares: the database, the configuration and the fault plan.
final class ServerState: Sendable {
    let database: ReferenceDatabase
    let configuration: ReferenceServerConfiguration
    let faults: FaultInjector
    let baseURL: BaseURL
    let logger: Logger
    /// Seconds added to the configured clock, moved by the admin listener to age tokens
    /// and end projects without waiting.
    let clockOffset = Mutex<TimeInterval>(0)

    /// When no-shows were last marked, in server time.
    let lastNoShowSweep = Mutex<Date?>(nil)

    /// The server's now: the configured clock plus the offset.
    var now: Date {
        configuration.clock().addingTimeInterval(clockOffset.withLock { $0 })
    }

    init(database: ReferenceDatabase, configuration: ReferenceServerConfiguration, faults: FaultInjector, logger: Logger) {
        self.database = database
        self.configuration = configuration
        self.faults = faults
        self.logger = logger
        self.baseURL = BaseURL(configuration.publicBaseURL)
    }
}

/// The base of the URLs the server hands out (uploads); learnt from the listening port when
/// not configured.
extension ServerState {
    /// Marks no-shows, at most once a minute of server time (a real service does it from a
    /// scheduled job): an active booking still waiting (`status` 1) when its project is over
    /// becomes not seen (`status` 2). Its deposit is kept: no refund starts, and
    /// `confirm_no_refund` records that when there was a deposit.
    func sweepNoShows() async throws {
        let now = self.now
        let due = lastNoShowSweep.withLock { last -> Bool in
            if let last, now.timeIntervalSince(last) < 60, now >= last { return false }
            last = now
            return true
        }
        guard due else { return }
        let today = ServerTime.date(now)
        let clock = ServerTime.time(now)
        try await database.write { db in
            try db.execute(
                sql: """
                    UPDATE diagnosis SET status = \(VisitStatus.missed.rawValue), updated_at = ?,
                        confirm_no_refund = CASE WHEN CAST(amount AS REAL) > 0 THEN 1 ELSE confirm_no_refund END
                    WHERE status = \(VisitStatus.waiting.rawValue) AND verify_status = \(BookingStatus.booked.rawValue) AND project_id IN (
                        SELECT id FROM project WHERE status = \(ProjectStatus.active.rawValue) AND (date < ? OR (date = ? AND "end" <= ?)))
                    """,
                arguments: [ServerTime.timestamp(now), today, today, clock])
        }
    }
}

final class BaseURL: Sendable {
    private let storage: Mutex<String?>

    init(_ configured: String?) {
        storage = Mutex(configured)
    }

    var value: String { storage.withLock { $0 } ?? "http://127.0.0.1" }

    func learn(host: String, port: Int) {
        storage.withLock { current in
            if current == nil { current = "http://\(host):\(port)" }
        }
    }
}
