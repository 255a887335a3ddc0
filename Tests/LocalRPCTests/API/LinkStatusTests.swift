import Foundation
import Testing
import UpstreamClient
import VolunteerAPI

@testable import LocalAPI
@testable import LocalRPC
@testable import SocketClient

/// `status` shows what the link carried today and on the last days (issue #21: a metered link),
/// as its OpenRPC description says.
@Suite("status: the link's bytes per day")
struct LinkStatusTests {
    @Test("after a login and a pull, status shows today's requests and bytes, fewer on the wire than decoded")
    func linkInStatus() async throws {
        try await AgentWorld.with { world in
            let client = try await LocalAPITests.loggedInDoctor(world)
            let status = try await client.result("status")
            let link = try #require(status["link"], "\(status)")
            let today = try #require(link["today"])
            #expect(today["date"] == .string(LinkUsage.Day(Date()).description))
            guard case .integer(let requests)? = today["requests"], case .integer(let sent)? = today["bytes_sent"],
                case .integer(let received)? = today["bytes_received"], case .integer(let decoded)? = today["bytes_decoded"]
            else { throw UnexpectedReply(reply: status) }
            #expect(requests > 1 && sent > 0 && received > 0)
            #expect(received < decoded, "vdapi gzips the larger lists, the agent decodes them: \(today)")
            guard case .array(let days)? = link["days"] else { throw UnexpectedReply(reply: status) }
            #expect(days.last?["date"] == today["date"])

            // The answer's members are exactly those the OpenRPC document describes.
            let discover = try await client.result("rpc.discover", id: 9)
            guard case .array(let methods)? = discover["methods"], let described = methods.first(where: { $0["name"] == "status" }),
                case .object(let properties)? = described["result"]?["schema"]?["properties"], case .object(let members) = status,
                case .object(let linkProperties)? = properties["link"]?["properties"], case .object(let linkMembers) = link,
                case .object(let dayProperties)? = linkProperties["today"]?["properties"], case .object(let dayMembers) = today
            else { throw UnexpectedReply(reply: discover) }
            #expect(Set(properties.keys) == Set(members.keys))
            #expect(Set(linkProperties.keys) == Set(linkMembers.keys))
            #expect(Set(dayProperties.keys) == Set(dayMembers.keys))
        }
    }
}
