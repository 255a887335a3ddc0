import Foundation
import MirrorStore
import ReferenceServer
import Testing
import UpstreamClient
import VolunteerAPI

@testable import SyncEngine

/// `/chat/{id}` answers without `page`: a dialog longer than one page is still mirrored whole.
@Suite("Chat paging")
struct ChatPagingTests {
    @Test("a dialog of more messages than a page holds is mirrored whole")
    func longDialog() async throws {
        try await SyncWorld.withRunning("13800000001", .doctor) { world in
            let patient = try await world.other("13800000021", .patient)
            for number in 1...(world.puller.pageSize + 15) {
                let sent = await patient.call(
                    .sendChatMessage, parameters: ["content": .string("第 \(number) 条"), "photo": [], "type": 1, "to_user_id": .integer(world.userID)],
                    as: JSONValue.self)
                #expect(sent.isSuccess)
            }
            try await patient.shutdown()
            _ = await world.puller.pullAll()
            let upstream = try await world.upstream("SELECT id FROM chat_message WHERE from_user_id = ? OR to_user_id = ?", [world.userID, world.userID])
            #expect(upstream.count > world.puller.pageSize)
            #expect(try await world.mirrored(.chatMessages) == upstream)
        }
    }
}
