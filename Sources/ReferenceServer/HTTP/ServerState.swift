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

    /// Marks the bookings nobody came to, before each call.
    let noShows = NoShowSweep()

    /// Quirks mode, on from the configuration and switched at run time by tests.
    let quirks: QuirkSwitch

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
        self.quirks = QuirkSwitch(configuration.quirks)
    }
}

/// The base of the URLs the server hands out (uploads); learnt from the listening port when
/// not configured.
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
