import Testing

@testable import Kiosk

/// The Host and Origin allow-lists as a plain value: what DNS rebinding and cross-site pages send.
@Suite("LoopbackGuard")
struct LoopbackGuardTests {
    let guardian = LoopbackGuard(extraHosts: ["Kiosk.Clinic.Lan"])

    @Test("loopback names and configured names pass, with or without a port, in any case")
    func allowed() {
        for host in ["127.0.0.1:8780", "localhost", "LOCALHOST:1", "[::1]:8780", "[::1]", "kiosk.clinic.lan", "localhost.:80"] {
            #expect(guardian.refusal(host: host, origin: nil) == nil, "\(host)")
        }
        #expect(guardian.refusal(host: "127.0.0.1:8780", origin: "http://127.0.0.1:8780") == nil)
        #expect(guardian.refusal(host: "localhost", origin: "http://kiosk.clinic.lan:8080") == nil)
    }

    @Test("a rebinding name, a missing Host, or a malformed one is refused")
    func foreignHosts() {
        #expect(guardian.refusal(host: nil, origin: nil) == .missingHost)
        #expect(guardian.refusal(host: "", origin: nil) == .missingHost)
        for host in [
            "evil.example", "evil.example:8780", "127.0.0.1.evil.example", "localhost.evil.example", "127.0.0.2", "[::2]:80",
            "localhost:abc", "user@localhost", "localhost/path", "[::1",
        ] {
            #expect(guardian.refusal(host: host, origin: nil) == .foreignHost(host), "\(host)")
        }
    }

    @Test("an Origin of another site, of https, or null is refused even with a loopback Host")
    func foreignOrigins() {
        for origin in ["http://evil.example", "https://127.0.0.1:8780", "null", "file://", "http://localhost.evil.example", ""] {
            #expect(guardian.refusal(host: "127.0.0.1:8780", origin: origin) == .foreignOrigin(origin), "\(origin)")
        }
    }
}
