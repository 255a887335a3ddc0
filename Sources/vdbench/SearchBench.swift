import Foundation
import MirrorStore
import NIOPosix

/// Part 6: `search` through the socket over the mirror holding the synthetic diagnoses, one
/// request after another, beside the floor: the very same search run in-process on the same
/// file (`MirrorStore.search`: the same SQL through GRDB, no socket, no JSON).
struct SearchFigures: Codable, Sendable {
    var diagnosesMirrored: Int
    var queries: [SearchQueryFigures]
}

struct SearchQueryFigures: Codable, Sendable {
    /// What the query is (a 3-character name, a phone's last digits, a 2-character scan).
    var label: String
    var query: String
    /// Whether the trigram index answers it (3 characters or more), the case of the target.
    var indexed: Bool
    var hits: Int
    var items: Int
    var ours: ReadRun
    var floor: ReadRun
    /// ours p99 / floor p99.
    var p99Ratio: Double
}

enum SearchBench {
    /// Measures each query for `duration` after `warmup`, through vdsyncd's socket at
    /// `socketPath` and in-process on its database at `databasePath`.
    static func run(
        socketPath: String, databasePath: String, mirrored: Int, duration: Duration, warmup: Duration, log: (String) -> Void
    ) async throws -> SearchFigures {
        let sample = min(4_321, max(0, mirrored / 2))
        let name = SyntheticDiagnoses.name(sample)
        let queries: [(String, String)] = [
            ("name, 3 characters", name),
            ("phone, last 4 digits", String(SyntheticDiagnoses.phone(sample).suffix(4))),
            ("name, 2 characters (scan)", String(name.prefix(2))),
        ]
        let control = try LineSocket(path: socketPath)
        let store = try MirrorStore(path: databasePath)
        defer { try? store.close() }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var figures: [SearchQueryFigures] = []
        for (label, query) in queries {
            let line = LineSocket.request("search", ["query": query], id: 1)
            let reply = try JSONSerialization.jsonObject(with: Data(try control.exchange(line))) as? [String: Any]
            guard let result = reply?["result"] as? [String: Any] else { throw BenchError("search \(query): \(reply ?? [:])") }
            let ours = try await ReadLoad.run(path: socketPath, line: line, clients: 1, warmup: warmup, duration: duration, group: group)
            let floor = try await inProcess(store, MirrorSearch(query), warmup: warmup, duration: duration)
            let figure = SearchQueryFigures(
                label: label, query: query, indexed: query.count >= 3, hits: result["total"] as? Int ?? 0, items: (result["items"] as? [Any])?.count ?? 0,
                ours: ours, floor: floor, p99Ratio: ours.latency.p99Milliseconds / max(floor.latency.p99Milliseconds, 1e-9))
            figures.append(figure)
            log(
                "    search \(label) (\(figure.hits) hits): ours p50 \(ms(ours.latency.p50Milliseconds / 1000)) p99 \(ms(ours.latency.p99Milliseconds / 1000)); in-process p50 \(ms(floor.latency.p50Milliseconds / 1000)) p99 \(ms(floor.latency.p99Milliseconds / 1000))"
            )
        }
        try await group.shutdownGracefully()
        return SearchFigures(diagnosesMirrored: mirrored, queries: figures)
    }

    /// `search` run again and again in-process for `warmup` + `duration`; latencies after the warm-up.
    private static func inProcess(_ store: MirrorStore, _ search: MirrorSearch, warmup: Duration, duration: Duration) async throws -> ReadRun {
        let start = monotonicNanoseconds()
        let recordFrom = start + UInt64(warmup.seconds * 1e9)
        let deadline = recordFrom + UInt64(duration.seconds * 1e9)
        var latencies: [UInt64] = []
        while true {
            let sent = monotonicNanoseconds()
            _ = try await store.search(search)
            let now = monotonicNanoseconds()
            if sent >= recordFrom { latencies.append(now - sent) }
            if now >= deadline { break }
        }
        let seconds = Double(max(monotonicNanoseconds(), deadline) - recordFrom) / 1e9
        return ReadRun(requests: latencies.count, seconds: seconds, perSecond: Double(latencies.count) / seconds, latency: Latencies(nanoseconds: latencies))
    }
}
