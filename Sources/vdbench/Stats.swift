/// Latency percentiles and rates.
struct Latencies: Codable, Sendable {
    var count: Int
    var p50Milliseconds: Double
    var p99Milliseconds: Double
    var maxMilliseconds: Double
    var meanMilliseconds: Double

    init(nanoseconds samples: [UInt64]) {
        let sorted = samples.sorted()
        count = sorted.count
        func at(_ fraction: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            let index = min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.up)) - 1)
            return Double(sorted[max(index, 0)]) / 1e6
        }
        p50Milliseconds = at(0.50)
        p99Milliseconds = at(0.99)
        maxMilliseconds = Double(sorted.last ?? 0) / 1e6
        meanMilliseconds = sorted.isEmpty ? 0 : Double(sorted.reduce(0, +)) / Double(sorted.count) / 1e6
    }
}
