import Testing
import VolunteerAPI

@testable import LocalRPC

/// `rpc.discover` describes exactly the methods that are dispatched.
@Suite("OpenRPC document")
struct OpenRPCTests {
    @Test("the document lists every dispatched method, and every listed method is dispatched")
    func sameMethods() async throws {
        let dispatcher = try SampleMethods.dispatcher(recorder: Recorder())
        let dispatched = dispatcher.methods.keys.sorted()
        #expect(dispatcher.document.methodNames == dispatched)
        #expect(dispatched.contains("rpc.discover") && dispatched.contains("rpc.unsubscribe"))
        let reply = try await dispatcher.reply(#"{"jsonrpc":"2.0","method":"rpc.discover","id":1}"#)
        let listed = reply?["result"]?["methods"]?.array?.compactMap { $0["name"]?.string }
        #expect(listed == dispatched)
        // Each listed name reaches a method: nothing listed answers "method not found".
        for name in dispatched {
            let answer = try await dispatcher.reply(#"{"jsonrpc":"2.0","method":"\#(name)","params":{"size":0,"count":0},"id":1}"#)
            #expect(answer?.errorCode != RPCError.Code.methodNotFound, "\(name)")
        }
        let unknown = try await dispatcher.reply(#"{"jsonrpc":"2.0","method":"not.listed","id":1}"#)
        #expect(unknown?.errorCode == RPCError.Code.methodNotFound)
    }

    @Test("the document's shape: openrpc, info, each method's summary, params, result and access")
    func shape() throws {
        let dispatcher = try SampleMethods.dispatcher(recorder: Recorder())
        let document = dispatcher.document.json
        #expect(document["openrpc"] == .string(OpenRPCDocument.openRPCVersion))
        #expect(document["info"] == ["title": "vdsync test", "version": "0.0.0"])
        let subtract = document["methods"]?.array?.first { $0["name"] == "subtract" }
        #expect(
            subtract
                == [
                    "name": "subtract", "summary": "minuend - subtrahend", "paramStructure": "either", "x-access": "read",
                    "params": [
                        ["name": "minuend", "required": true, "schema": ["type": "integer"]],
                        ["name": "subtrahend", "required": true, "schema": ["type": "integer"]],
                    ],
                    "result": ["name": "difference", "schema": ["type": "integer"]],
                ])
        let update = document["methods"]?.array?.first { $0["name"] == "update" }
        #expect(update?["x-access"] == "write")
    }

    @Test("through the socket")
    func socket() async throws {
        try await TestServer.with { server in
            let client = try await server.client()
            let reply = try await client.call("rpc.discover")
            let listed = reply["result"]?["methods"]?.array?.compactMap { $0["name"]?.string }
            #expect(listed == server.server.dispatcher.methods.keys.sorted())
            await client.close()
        }
    }

    @Test("registration refuses reserved, invalid and duplicate names")
    func registration() {
        let method = { (name: String) in
            RPCMethod(name, summary: "", access: .read, result: .init("r", RPCSchema.any)) { _, _ in .null }
        }
        var registry = RPCRegistry()
        #expect(throws: RPCRegistry.Failure.reservedName("rpc.mine")) { try registry.register(method("rpc.mine")) }
        #expect(throws: RPCRegistry.Failure.invalidName("a b")) { try registry.register(method("a b")) }
        #expect(throws: RPCRegistry.Failure.invalidName("")) { try registry.register(method("")) }
        #expect(throws: Never.self) { try registry.register(method("mirror.list")) }
        #expect(throws: RPCRegistry.Failure.duplicate("mirror.list")) { try registry.register(method("mirror.list")) }
    }
}
