import Testing
import VolunteerAPI

@testable import LocalRPC

/// Subscriptions: the queue's bounds as a value, then pushing, unsubscribing and falling behind
/// on the real socket.
@Suite("Subscriptions")
struct SubscriptionTests {
    func line(_ n: Int) -> [UInt8] { Array("n\(n)".utf8) }

    func drain(_ queue: inout SubscriptionQueue) -> [(String, SubscriptionQueue.Item)] {
        var items: [(String, SubscriptionQueue.Item)] = []
        while let next = queue.next() { items.append((next.id, next.item)) }
        return items
    }

    // MARK: The queue, as a value

    @Test("nothing is delivered before activation; then in order")
    func activation() {
        var queue = SubscriptionQueue(maxPending: 4, maxSubscriptions: 8)
        let id = queue.add(method: "changes", creator: 1)!
        let first = queue.offer(line(1), to: id)
        #expect(first == .queued)
        let early = queue.next()
        #expect(early == nil, "its reply has not been written yet")
        queue.activateAll()
        let second = queue.offer(line(2), to: id)
        #expect(second == .queued)
        #expect(drain(&queue).map(\.1) == [.notification(line(1)), .notification(line(2))])
    }

    @Test("one more than the limit replaces the queue with a single resync_required and ends it")
    func overflow() {
        var queue = SubscriptionQueue(maxPending: 3, maxSubscriptions: 8)
        let id = queue.add(method: "changes", creator: 1)!
        queue.activateAll()
        let offers = (0..<5).map { n in queue.offer(line(n), to: id) }
        #expect(offers == [.queued, .queued, .queued, .overflowed, .ended])
        #expect(!queue.isLive(id))
        #expect(drain(&queue).map(\.1) == [.resyncRequired])
        #expect(queue.entries.isEmpty, "gone once its notice is out")
    }

    @Test("subscriptions take turns; removing one drops what it queued; a failed call's are removed")
    func fairnessAndRemoval() {
        var queue = SubscriptionQueue(maxPending: 10, maxSubscriptions: 2)
        let a = queue.add(method: "a", creator: 1)!
        let b = queue.add(method: "b", creator: 2)!
        let c = queue.add(method: "c", creator: 3)
        #expect(c == nil, "the limit is two")
        queue.activateAll()
        for n in 0..<3 { _ = queue.offer(line(n), to: a) }
        for n in 0..<2 { _ = queue.offer(line(n), to: b) }
        #expect(drain(&queue).map(\.0) == [a, b, a, b, a])
        for n in 0..<3 { _ = queue.offer(line(n), to: a) }
        let removed = queue.remove(a)
        let removedAgain = queue.remove(a)
        #expect(removed && !removedAgain)
        let next = queue.next()
        #expect(next == nil)
        let failed = queue.removeAll(createdBy: 2)
        #expect(failed == [b])
        #expect(queue.liveIDs.isEmpty)
    }

    // MARK: On the socket

    @Test("a subscribe call's reply comes before its notifications, which carry the subscription id")
    func stream() async throws {
        try await TestServer.with { server in
            let client = try await server.client()
            try await client.send(#"{"jsonrpc":"2.0","method":"test.stream","params":{"count":5},"id":1}"#)
            let reply = try await client.nextJSON()
            let id = try #require(reply["result"]?["subscription"])
            for seq in 0..<5 {
                #expect(
                    try await client.nextJSON()
                        == ["jsonrpc": "2.0", "method": "test.tick", "params": ["seq": .integer(seq), "subscription": id]])
            }
            await client.close()
        }
    }

    @Test("a subscriber that keeps up receives every notification, in order, without resync")
    func keepsUp() async throws {
        try await TestServer.with({ $0.maxPendingNotifications = 64 }) { server in
            let subscriber = try await server.client()
            let id = try #require(try await subscriber.call("test.subscribe")["result"]?["subscription"])
            let control = try await server.client()
            for round in 0..<20 {
                let push = try await control.call(
                    "test.push", ["subscription": id, "from": .integer(round * 50), "count": 50, "size": 100])
                #expect(push["result"] == ["queued": 50, "live": true])
                for seq in (round * 50)..<(round * 50 + 50) {
                    let notification = try await subscriber.nextJSON()
                    #expect(notification["method"] == "test.tick" && notification["params"]?["seq"] == .integer(seq))
                }
            }
            await subscriber.close()
            await control.close()
        }
    }

    @Test("a subscriber that stops reading gets one resync_required and is dropped; others are not stalled")
    func fallsBehind() async throws {
        try await TestServer.with({
            $0.maxPendingNotifications = 32
            $0.writeBufferHighWaterMark = 16 * 1024
            $0.writeBufferLowWaterMark = 4 * 1024
        }) { server in
            let subscriber = try await server.client(autoRead: false)
            try await subscriber.send(#"{"jsonrpc":"2.0","method":"test.subscribe","id":"sub"}"#)
            let id = try #require(try await server.recorder.subscribed.next())
            let control = try await server.client()
            var sent = 0
            var live = true
            // Each push is a round trip of another client: the server keeps serving it throughout.
            // A push is half the limit, so only a subscriber that is not read from can overflow.
            for _ in 0..<5000 where live {
                let push = try await control.call(
                    "test.push", ["subscription": .string(id), "from": .integer(sent), "count": 16, "size": 1000])
                sent += push["result"]?["queued"]?.int ?? 0
                live = push["result"]?["live"] == true
            }
            #expect(!live)
            let end = try #require(try await server.recorder.ends.next())
            #expect(end.0 == id && end.1 == .resyncRequired)

            // Now it reads: its reply, a gapless prefix of the notifications, one resync_required, nothing more.
            try await subscriber.setAutoRead(true)
            #expect(try await subscriber.nextJSON()["result"] == ["subscription": .string(id)])
            var received = 0
            while true {
                let message = try await subscriber.nextJSON()
                if message["method"] == "resync_required" {
                    #expect(message["params"]?["subscription"] == .string(id))
                    break
                }
                #expect(message["params"]?["seq"] == .integer(received))
                received += 1
            }
            #expect(received > 0 && received < sent)
            #expect(try await subscriber.call("get_data", id: "after")["id"] == "after")
            #expect(
                try await control.call("test.push", ["subscription": .string(id), "from": 0, "count": 1])["result"]
                    == ["queued": 0, "live": false])
            await subscriber.close()
            await control.close()
        }
    }

    @Test("rpc.unsubscribe ends a subscription once; later sends are refused")
    func unsubscribe() async throws {
        try await TestServer.with { server in
            let client = try await server.client()
            let id = try #require(try await client.call("test.subscribe")["result"]?["subscription"])
            #expect(try await client.call("rpc.unsubscribe", ["subscription": id])["result"] == true)
            let end = try #require(try await server.recorder.ends.next())
            #expect(.string(end.0) == id && end.1 == .unsubscribed)
            #expect(try await client.call("rpc.unsubscribe", [id])["result"] == false)
            #expect(
                try await client.call("test.push", ["subscription": id, "from": 0, "count": 3])["result"]
                    == ["queued": 0, "live": false])
            await client.close()
        }
    }

    @Test("closing the connection ends its subscriptions; a failed call's subscription is discarded")
    func endings() async throws {
        try await TestServer.with({ $0.maxSubscriptionsPerConnection = 2 }) { server in
            let client = try await server.client()
            let failed = try await client.call("test.subscribe", ["fail": true])
            #expect(failed.errorCode == -32011)
            let discarded = try #require(try await server.recorder.ends.next())
            #expect(discarded.1 == .callFailed)

            let id = try #require(try await client.call("test.subscribe")["result"]?["subscription"])
            _ = try await client.call("test.subscribe")
            let third = try await client.call("test.subscribe")
            #expect(third.errorCode == RPCError.Code.tooManySubscriptions)
            await client.close()
            var closed: Set<String> = []
            for _ in 0..<2 {
                let end = try #require(try await server.recorder.ends.next())
                #expect(end.1 == .connectionClosed)
                closed.insert(end.0)
            }
            #expect(closed.contains(try #require(id.string)))
        }
    }
}
