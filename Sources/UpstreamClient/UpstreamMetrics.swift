import CoreMetrics
import VolunteerAPI

/// What the upstream client counts, through swift-metrics (the daemon chooses the backend;
/// without one, nothing is kept): requests by endpoint and outcome, their latency, and the bytes
/// of request and answer bodies. Endpoints are named by method and path template, never by a
/// concrete path, so no id or search text becomes a label.
enum UpstreamMetrics {
    static let requests = "vdsync_upstream_requests_total"
    static let duration = "vdsync_upstream_request_duration_seconds"
    static let bytesSent = "vdsync_upstream_body_bytes_sent_total"
    static let bytesReceived = "vdsync_upstream_body_bytes_received_total"

    static func record(_ endpoint: Endpoint, outcome: String, duration elapsed: Duration, sent: Int, received: Int) {
        let name = "\(endpoint.method.rawValue) \(endpoint.path.template)"
        Counter(label: requests, dimensions: [("endpoint", name), ("outcome", outcome)]).increment()
        Timer(label: duration, dimensions: [("endpoint", name)]).recordNanoseconds(
            elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        if sent > 0 { Counter(label: bytesSent).increment(by: sent) }
        if received > 0 { Counter(label: bytesReceived).increment(by: received) }
    }
}
