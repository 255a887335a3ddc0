import Foundation
import Logging
import Synchronization
import Testing
import UpstreamClient

@testable import SyncEngine

/// The journal's `pulled` line says what the link carried (issue #21: a metered link).
@Suite("The pulled log line")
struct PullLogTests {
    /// Keeps every record logged through it.
    final class Records: Sendable {
        let lines = Mutex<[(message: String, metadata: Logger.Metadata)]>([])

        var logger: Logger {
            var logger = Logger(label: "pull-log-test") { _ in Handler(records: self) }
            logger.logLevel = .info
            return logger
        }

        struct Handler: LogHandler {
            let records: Records
            var metadata: Logger.Metadata = [:]
            var logLevel: Logger.Level = .info

            subscript(metadataKey key: String) -> Logger.Metadata.Value? {
                get { metadata[key] }
                set { metadata[key] = newValue }
            }

            func log(event: LogEvent) {
                let merged = metadata.merging(event.metadata ?? [:]) { $1 }
                records.lines.withLock { $0.append((event.message.description, merged)) }
            }
        }
    }

    @Test("after a pull, its bytes received and the day's total are in the pulled line, and nothing else of the link")
    func pulledLineCarriesBytes() async throws {
        try await SyncWorld.withRunning("13800000021", .patient) { world in
            let records = Records()
            let service = SyncService(
                puller: world.puller, configuration: .init(intervals: [.hot: .seconds(3600), .warm: .seconds(3600), .cold: .seconds(3600)]),
                logger: records.logger)
            let stream = await service.events()
            let loop = Task { await service.run() }
            var iterator = stream.makeAsyncIterator()
            let first = await iterator.next()
            loop.cancel()
            await loop.value
            guard case .pulled(_, let report, _)? = first else {
                Issue.record("no pull: \(String(describing: first))")
                return
            }
            let line = try #require(records.lines.withLock { $0.first { $0.message == "pulled" } })
            let pulled = try #require(line.metadata["bytes_received"].flatMap { Int("\($0)") })
            let today = try #require(line.metadata["bytes_received_today"].flatMap { Int("\($0)") })
            // The login before the pull counts today, not in the pull.
            #expect(report.requests > 1 && pulled > 0)
            #expect(today > pulled, "the login came first: \(line.metadata)")
            #expect(today == world.client.linkUsage.report().today.traffic.bytesReceived)
            #expect(Set(line.metadata.keys) == ["tiers", "requests", "changes", "connectivity", "bytes_received", "bytes_received_today"])
        }
    }
}
