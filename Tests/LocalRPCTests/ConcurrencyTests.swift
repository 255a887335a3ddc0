import Testing
import VolunteerAPI

@testable import LocalRPC

/// Many clients at once, and batches mixing methods, through the real socket.
@Suite("Concurrent clients and batches")
struct ConcurrencyTests {
    @Test("64 concurrent clients each doing several calls get every reply right")
    func sixtyFourClients() async throws {
        try await TestServer.with { server in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for clientNumber in 0..<64 {
                    group.addTask {
                        let client = try await server.client()
                        var correct = 0
                        for call in 0..<5 {
                            let minuend = clientNumber * 1000 + call
                            let id = JSONValue.string("c\(clientNumber)-\(call)")
                            let reply = try await client.call("subtract", [.integer(minuend), 7], id: id)
                            if reply["id"] == id && reply["result"] == .integer(minuend - 7) { correct += 1 }
                        }
                        let batch = try await client.call(
                            line:
                                #"[{"jsonrpc":"2.0","method":"sum","params":[\#(clientNumber),1],"id":"s"},{"jsonrpc":"2.0","method":"get_data","id":"g"}]"#
                        )
                        if batch == [
                            ["jsonrpc": "2.0", "id": "s", "result": .integer(clientNumber + 1)],
                            ["jsonrpc": "2.0", "id": "g", "result": ["hello", 5]],
                        ] {
                            correct += 1
                        }
                        await client.close()
                        return correct
                    }
                }
                var total = 0
                for try await correct in group { total += correct }
                #expect(total == 64 * 6)
            }
        }
    }

    @Test("a batch mixing methods, params styles, notifications and errors, answered in request order")
    func mixedBatch() async throws {
        try await TestServer.with { server in
            let client = try await server.client()
            let reply = try await client.call(
                line:
                    #"""
                    [{"jsonrpc":"2.0","method":"subtract","params":{"minuend":10,"subtrahend":4},"id":1},{"jsonrpc":"2.0","method":"update","params":[9]},{"jsonrpc":"2.0","method":"test.echo","params":{"limit":0},"id":2},{"jsonrpc":"2.0","method":"sum","params":[1,2,3],"id":null},{"jsonrpc":"2.0","method":"test.fail","id":"f"},{"jsonrpc":"2.0","method":"nope","id":4},"x"]
                    """#)
            #expect(
                reply.errorCodesOnly
                    == [
                        ["jsonrpc": "2.0", "id": 1, "result": 6],
                        ["jsonrpc": "2.0", "id": 2, "error": ["code": -32602]],
                        ["jsonrpc": "2.0", "id": nil, "result": 6],
                        ["jsonrpc": "2.0", "id": "f", "error": ["code": -32603]],
                        ["jsonrpc": "2.0", "id": 4, "error": ["code": -32601]],
                        ["jsonrpc": "2.0", "id": nil, "error": ["code": -32600]],
                    ])
            #expect(try await server.recorder.updates.next() == [9])
            await client.close()
        }
    }

    @Test("pipelined requests on one connection are answered in order")
    func pipelined() async throws {
        try await TestServer.with { server in
            let client = try await server.client()
            var lines = ""
            for n in 0..<200 { lines += #"{"jsonrpc":"2.0","method":"subtract","params":[\#(n),0],"id":\#(n)}"# + "\n" }
            try await client.sendRaw(Array(lines.utf8))
            for n in 0..<200 {
                let reply = try await client.nextJSON()
                #expect(reply["id"] == .integer(n) && reply["result"] == .integer(n))
            }
            await client.close()
        }
    }
}
