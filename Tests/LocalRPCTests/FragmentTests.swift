import Logging
import MirrorStore
import Testing
import VolunteerAPI

@testable import LocalAPI
@testable import LocalRPC
@testable import SocketClient

/// Stored JSON carried into a reply verbatim (`RequestContext.encodedJSON`): the line is the one
/// encoding the parsed value would give, in single calls and batches, and nothing a client sends
/// is taken for a placeholder.
@Suite("Verbatim JSON in replies")
struct FragmentTests {
    /// `test.stored` answers the texts it is given, each through `encodedJSON`.
    static func dispatcher() throws -> RPCDispatcher {
        var registry = RPCRegistry()
        try registry.register(
            RPCMethod(
                "test.stored", summary: "Echoes JSON texts verbatim.", access: .read,
                params: [.required("texts", RPCSchema.array(of: RPCSchema.string())), .optional("plain", RPCSchema.string())],
                result: .init("result", RPCSchema.object())
            ) { params, context in
                let texts = try params.requiredArray("texts").map { value -> String in
                    guard case .string(let text) = value else { return "null" }
                    return text
                }
                return ["items": .array(texts.map(context.encodedJSON)), "plain": .string(try params.optionalString("plain") ?? "")]
            })
        return RPCDispatcher(registry: registry, info: TestServer.info, logger: Logger(label: "test.fragments"))
    }

    static func canonical(_ value: JSONValue) throws -> String {
        String(decoding: try RPCJSON.encode(value), as: UTF8.self)
    }

    @Test("a stored text goes into the line as it is, and the line parses to the same value")
    func verbatim() async throws {
        let dispatcher = try Self.dispatcher()
        let records: [JSONValue] = [
            ["id": 7, "name": "王建国", "tags": ["a", "b/c"], "note": "line\nbreak \"quoted\"", "score": 4.5],
            [], "text", 0, .null, ["nested": ["deep": [1, 2, ["x": true]]]],
        ]
        let texts = try records.map(Self.canonical)
        let request: JSONValue = ["jsonrpc": "2.0", "method": "test.stored", "id": 1, "params": ["texts": .array(texts.map(JSONValue.string))]]
        let line = try #require(await dispatcher.respond(toLine: try RPCJSON.encode(request), from: .init(peer: .currentProcess, access: .readOnly)))
        let text = String(decoding: line, as: UTF8.self)
        let expected: JSONValue = ["jsonrpc": "2.0", "id": 1, "result": ["items": .array(records), "plain": ""]]
        #expect(text == (try Self.canonical(expected)), "the spliced line is byte for byte what encoding the values gives")
        #expect(!text.contains("\\u0001"))
    }

    @Test("in a batch every call's texts land in its own reply")
    func batch() async throws {
        let dispatcher = try Self.dispatcher()
        let calls: [JSONValue] = (0..<5).map { index in
            [
                "jsonrpc": "2.0", "method": "test.stored", "id": .integer(index),
                "params": ["texts": .array((0...index).map { .string(String($0 * 10 + index)) })],
            ]
        }
        let line = try #require(await dispatcher.respond(toLine: try RPCJSON.encode(.array(calls)), from: .init(peer: .currentProcess, access: .readOnly)))
        guard case .array(let replies) = try JSONValue.parse(String(decoding: line, as: UTF8.self)) else {
            Issue.record("not a batch reply")
            return
        }
        #expect(replies.count == 5)
        for reply in replies {
            guard case .integer(let index)? = reply["id"] else { continue }
            #expect(reply["result"]?["items"] == .array((0...index).map { .integer($0 * 10 + index) }))
        }
    }

    @Test("a client's string shaped like a placeholder stays a string")
    func lookalike() async throws {
        let dispatcher = try Self.dispatcher()
        for plain in ["\u{1}", "\u{1}00000000-0000-0000-0000-000000000000:0", "\u{1}x:0\"", "\\u0001"] {
            let request: JSONValue = ["jsonrpc": "2.0", "method": "test.stored", "id": 1, "params": ["texts": ["1"], "plain": .string(plain)]]
            let line = try #require(await dispatcher.respond(toLine: try RPCJSON.encode(request), from: .init(peer: .currentProcess, access: .readOnly)))
            let reply = try JSONValue.parse(String(decoding: line, as: UTF8.self))
            #expect(reply["result"]?["plain"] == .string(plain))
            #expect(reply["result"]?["items"] == [1])
        }
    }

    @Test("called directly, without a reply line, the text is parsed")
    func direct() async throws {
        let dispatcher = try Self.dispatcher()
        let request = RPCRequest(id: .integer(1), method: "test.stored", params: .object(["texts": [#"{"a":[1]}"#]]))
        let response = try #require(await dispatcher.respond(to: request, from: .init(peer: .currentProcess, access: .readOnly)))
        #expect(response.json["result"]?["items"] == [["a": [1]]])
    }
}

/// The items of a read are written as text directly; they must be what encoding them gives.
@Suite("Read items written directly")
struct ItemTextTests {
    @Test("an item's text is the encoding of its value", arguments: [[], [3], [3, 17]])
    func itemText(pending: [Int]) throws {
        let record: JSONValue = ["a": [1, "b/c"], "z": .null, "名": "王"]
        let row = MirrorRow(id: 42, json: String(decoding: try RPCJSON.encode(record), as: UTF8.self), pendingEntries: pending)
        let value: JSONValue = [
            "id": 42, "pending": .bool(!pending.isEmpty), "pending_mutations": .array(pending.map(JSONValue.integer)), "record": record,
        ]
        #expect(LocalAPI.itemJSON(row) == String(decoding: try RPCJSON.encode(value), as: UTF8.self))
    }
}
