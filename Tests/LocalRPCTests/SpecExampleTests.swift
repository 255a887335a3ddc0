import Testing
import VolunteerAPI

@testable import LocalRPC

/// One example of JSON-RPC 2.0 section 7: a request line and the reply the specification shows
/// (nil: no reply at all).
struct SpecExample: Sendable, CustomTestStringConvertible {
    let name: String
    let request: String
    let reply: String?

    var testDescription: String { name }

    static let all: [SpecExample] = [
        SpecExample(
            name: "positional params",
            request: #"{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}"#,
            reply: #"{"jsonrpc": "2.0", "result": 19, "id": 1}"#),
        SpecExample(
            name: "positional params, reversed",
            request: #"{"jsonrpc": "2.0", "method": "subtract", "params": [23, 42], "id": 2}"#,
            reply: #"{"jsonrpc": "2.0", "result": -19, "id": 2}"#),
        SpecExample(
            name: "named params",
            request: #"{"jsonrpc": "2.0", "method": "subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3}"#,
            reply: #"{"jsonrpc": "2.0", "result": 19, "id": 3}"#),
        SpecExample(
            name: "named params, reordered",
            request: #"{"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": 4}"#,
            reply: #"{"jsonrpc": "2.0", "result": 19, "id": 4}"#),
        SpecExample(
            name: "notification",
            request: #"{"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]}"#,
            reply: nil),
        SpecExample(
            name: "notification of a missing method",
            request: #"{"jsonrpc": "2.0", "method": "foobar"}"#,
            reply: nil),
        SpecExample(
            name: "non-existent method",
            request: #"{"jsonrpc": "2.0", "method": "foobar", "id": "1"}"#,
            reply: #"{"jsonrpc": "2.0", "error": {"code": -32601, "message": "Method not found"}, "id": "1"}"#),
        SpecExample(
            name: "invalid JSON",
            request: #"{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]"#,
            reply: #"{"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}, "id": null}"#),
        SpecExample(
            name: "invalid request object",
            request: #"{"jsonrpc": "2.0", "method": 1, "params": "bar"}"#,
            reply: #"{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}"#),
        SpecExample(
            name: "batch, invalid JSON",
            request: #"[ {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"}, {"jsonrpc": "2.0", "method" ]"#,
            reply: #"{"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}, "id": null}"#),
        SpecExample(
            name: "empty array",
            request: "[]",
            reply: #"{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}"#),
        SpecExample(
            name: "invalid batch of one",
            request: "[1]",
            reply: #"[{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}]"#),
        SpecExample(
            name: "invalid batch",
            request: "[1,2,3]",
            reply: #"""
                [{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null},
                 {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null},
                 {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}]
                """#),
        SpecExample(
            name: "batch",
            request: #"""
                [{"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"}, {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]}, {"jsonrpc": "2.0", "method": "subtract", "params": [42,23], "id": "2"}, {"foo": "boo"}, {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"}, {"jsonrpc": "2.0", "method": "get_data", "id": "9"}]
                """#,
            reply: #"""
                [{"jsonrpc": "2.0", "result": 7, "id": "1"},
                 {"jsonrpc": "2.0", "result": 19, "id": "2"},
                 {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null},
                 {"jsonrpc": "2.0", "error": {"code": -32601, "message": "Method not found"}, "id": "5"},
                 {"jsonrpc": "2.0", "result": ["hello", 5], "id": "9"}]
                """#),
        SpecExample(
            name: "batch of notifications only",
            request: #"[{"jsonrpc": "2.0", "method": "notify_sum", "params": [1,2,4]}, {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]}]"#,
            reply: nil),
    ]
}

/// Every example of JSON-RPC 2.0 section 7, through the dispatcher and through the real socket.
@Suite("JSON-RPC 2.0 section 7 examples")
struct SpecExampleTests {
    @Test("through the dispatcher", arguments: SpecExample.all)
    func dispatcher(example: SpecExample) async throws {
        let recorder = Recorder()
        let dispatcher = try SampleMethods.dispatcher(recorder: recorder)
        let reply = try await dispatcher.reply(example.request)
        #expect(reply?.errorCodesOnly == (try example.reply.map(json)?.errorCodesOnly))
    }

    @Test("through the socket", arguments: SpecExample.all)
    func socket(example: SpecExample) async throws {
        try await TestServer.with { server in
            let client = try await server.client()
            try await client.send(example.request)
            // A request sent after it: its reply comes first when the example gets none.
            try await client.send(#"{"jsonrpc":"2.0","method":"get_data","id":"after"}"#)
            if let expected = example.reply {
                #expect(try await client.nextJSON().errorCodesOnly == (try json(expected)).errorCodesOnly)
            }
            #expect(try await client.nextJSON()["id"] == "after")
            await client.close()
        }
    }

    @Test("a notification runs its method although nothing is answered")
    func notificationRuns() async throws {
        try await TestServer.with { server in
            let client = try await server.client()
            try await client.send(#"{"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]}"#)
            #expect(try await server.recorder.updates.next() == [1, 2, 3, 4, 5])
            await client.close()
        }
    }

    @Test("replies carry jsonrpc 2.0 and the id unchanged: string, number, fraction, null")
    func ids() async throws {
        let dispatcher = try SampleMethods.dispatcher(recorder: Recorder())
        for id in [#""abc""#, "7", "-3", "1.5", "null"] {
            let reply = try await dispatcher.reply(#"{"jsonrpc":"2.0","method":"get_data","id":\#(id)}"#)
            #expect(reply?["jsonrpc"] == "2.0")
            #expect(reply?["id"] == (try json(id)))
            #expect(reply?["result"] == ["hello", 5])
        }
    }
}
