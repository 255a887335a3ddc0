import Testing
import VolunteerAPI

@testable import LocalRPC

/// Oversized lines, garbage, too many connections, idle clients, half-closed and vanishing clients.
@Suite("Limits and misbehaving clients")
struct LimitsTests {
    @Test("an oversized line gets one 'line too long' error with id null, then the connection closes")
    func oversizedLine() async throws {
        try await TestServer.with({ $0.maxLineBytes = 1024 }) { server in
            for terminated in [true, false] {
                let client = try await server.client()
                let line = #"{"jsonrpc":"2.0","method":"get_data","id":1,"pad":""# + String(repeating: "a", count: 4096) + "\"}"
                try await client.sendRaw(Array(line.utf8) + (terminated ? [UInt8(ascii: "\n")] : []))
                let reply = try await client.nextJSON()
                #expect(reply.errorCode == RPCError.Code.invalidRequest)
                #expect(reply["error"]?["message"] == "line too long")
                #expect(reply["id"] == .null)
                #expect(try await client.nextLine() == nil, "closed")
            }
            let other = try await server.client()
            #expect(try await other.call("get_data")["result"] == ["hello", 5])
            await other.close()
        }
    }

    @Test("garbage bytes and invalid UTF-8 are parse errors and the connection stays usable")
    func garbage() async throws {
        try await TestServer.with { server in
            let client = try await server.client()
            let invalidUTF8 = Array(#"{"jsonrpc":"2.0","method":"get_data","id":""#.utf8) + [0xFF, 0xC0] + Array("\"}\n".utf8)
            for bytes in [[0x00, 0xFF, 0xFE, 0x0A], invalidUTF8, Array("\u{1}\u{2}not json at all\n".utf8)] {
                try await client.sendRaw(bytes)
                let reply = try await client.nextJSON()
                #expect(reply == ["jsonrpc": "2.0", "id": nil, "error": ["code": -32700, "message": "parse error"]])
            }
            try await client.send(String(repeating: "[", count: 200_000))
            #expect(try await client.nextJSON().errorCode == RPCError.Code.parseError)
            // Blank lines get nothing.
            try await client.sendRaw(Array("\n\r\n  \n".utf8))
            #expect(try await client.call("subtract", [1, 1])["result"] == 0)
            await client.close()
        }
    }

    @Test("beyond the connection limit a client gets one error and is closed; admitted ones are unaffected")
    func tooManyConnections() async throws {
        try await TestServer.with({ $0.maxConnections = 2 }) { server in
            let first = try await server.client()
            let second = try await server.client()
            // Both are admitted once they have an answer.
            #expect(try await first.call("get_data")["result"] != nil)
            #expect(try await second.call("get_data")["result"] != nil)
            let third = try await server.client()
            let refusal = try await third.nextJSON()
            #expect(refusal.errorCode == RPCError.Code.tooManyConnections)
            #expect(refusal["error"]?["data"]?["kind"] == "too_many_connections")
            #expect(refusal["id"] == .null)
            #expect(try await third.nextLine() == nil)
            #expect(try await first.call("subtract", [2, 1])["result"] == 1)
            await first.close()
            await second.close()
        }
    }

    @Test("an idle connection is closed after the idle timeout")
    func idle() async throws {
        try await TestServer.with({ $0.idleTimeout = .milliseconds(200) }) { server in
            let client = try await server.client()
            #expect(try await client.call("get_data")["result"] != nil)
            #expect(try await client.nextLine(timeout: .seconds(20)) == nil, "closed by the server")
        }
    }

    @Test("a half-closed client gets every reply it asked for, the last line unterminated, then EOF")
    func halfClosed() async throws {
        try await TestServer.with { server in
            let client = try await server.client()
            try await client.send(#"{"jsonrpc":"2.0","method":"subtract","params":[10,1],"id":1}"#)
            try await client.send(#"{"jsonrpc":"2.0","method":"subtract","params":[10,2],"id":2}"#)
            try await client.send(#"{"jsonrpc":"2.0","method":"update","params":[1]}"#)
            try await client.sendRaw(Array(#"{"jsonrpc":"2.0","method":"subtract","params":[10,3],"id":3}"#.utf8))
            try await client.closeOutput()
            #expect(try await client.nextJSON()["result"] == 9)
            #expect(try await client.nextJSON()["result"] == 8)
            #expect(try await client.nextJSON()["result"] == 7)
            #expect(try await client.nextLine() == nil)
        }
    }

    @Test("a client that disconnects mid-reply affects nobody else")
    func disconnectMidReply() async throws {
        try await TestServer.with { server in
            let other = try await server.client()
            let leaving = try await server.client(autoRead: false)
            try await leaving.send(#"{"jsonrpc":"2.0","method":"test.big","params":{"size":8388608},"id":1}"#)
            #expect(try await server.recorder.bigReturned.next() == 8_388_608)
            await leaving.close()
            #expect(try await other.call("subtract", [5, 2])["result"] == 3)
            // And a new client is served too.
            let later = try await server.client()
            #expect(try await later.call("get_data")["result"] == ["hello", 5])
            await other.close()
            await later.close()
        }
    }

    @Test("a client that never reads its replies does not stall others")
    func neverReads() async throws {
        try await TestServer.with({
            $0.writeBufferHighWaterMark = 16 * 1024
            $0.writeBufferLowWaterMark = 4 * 1024
        }) { server in
            let stuck = try await server.client(autoRead: false)
            // Far more replies than the socket buffers hold: the server must stop reading, not buffer.
            let request = #"{"jsonrpc":"2.0","method":"test.big","params":{"size":65536},"id":1}"# + "\n"
            let batch = Array(String(repeating: request, count: 64).utf8)
            try await stuck.sendRaw(batch)
            _ = try await server.recorder.bigReturned.next()
            let other = try await server.client()
            for n in 0..<20 {
                #expect(try await other.call("subtract", [.integer(n), 1])["result"] == .integer(n - 1))
            }
            // It stopped well short of answering everything the stuck client sent.
            #expect(1 + server.recorder.bigReturned.received.count < 64)
            await other.close()
            await stuck.close()
        }
    }
}
