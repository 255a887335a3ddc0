import Foundation
import Testing
import VolunteerAPI

/// `VDSYNC_COMPRESSION`: the real daemon asks vdapi for gzip unless told not to, and `status`
/// shows the difference in its link figures (issue #21).
@Suite("vdsyncd process: VDSYNC_COMPRESSION", .tags(.process), .timeLimit(.minutes(2)))
struct CompressionSettingTests {
    /// Today's link figures of a daemon that pulled, and its support report's setting.
    private static func pulledLink(_ settings: [String: String?]) async throws -> (today: JSONValue, setting: JSONValue?) {
        var result: (JSONValue, JSONValue?)?
        try await DaemonWorld.with { world in
            let daemon = try await OperationsTests.pulled(world, settings)
            defer { daemon.kill() }
            let status = try await world.status()
            let report = try await world.call("support.report")
            result = (try #require(status["link"]?["today"], "\(status)"), report["configuration"]?["VDSYNC_COMPRESSION"])
        }
        return try #require(result)
    }

    private static func figures(_ today: JSONValue) throws -> (received: Int, decoded: Int) {
        guard case .integer(let received)? = today["bytes_received"], case .integer(let decoded)? = today["bytes_decoded"] else {
            throw OperationsTests.ParseFailure("no figures in \(today)")
        }
        return (received, decoded)
    }

    @Test("on by default: gzip answers, fewer bytes on the wire than decoded")
    func onByDefault() async throws {
        let (today, setting) = try await Self.pulledLink([:])
        let (received, decoded) = try Self.figures(today)
        #expect(setting == "on")
        #expect(received > 0 && received < decoded, "\(today)")
    }

    @Test("off: plain answers, the same bytes on the wire as decoded")
    func off() async throws {
        let (today, setting) = try await Self.pulledLink(["VDSYNC_COMPRESSION": "off"])
        let (received, decoded) = try Self.figures(today)
        #expect(setting == "off")
        #expect(received > 0 && received == decoded, "\(today)")
    }
}
