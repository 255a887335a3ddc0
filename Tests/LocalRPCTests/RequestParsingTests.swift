import Testing
import VolunteerAPI

@testable import LocalRPC

/// The rules of a request object and of a line, as a value: no sockets.
@Suite("Request parsing")
struct RequestParsingTests {
    func incoming(_ line: String) -> RPCIncoming { RPCIncoming(line: Array(line.utf8)) }

    @Test("a request, a notification, a null id")
    func kinds() {
        #expect(
            incoming(#"{"jsonrpc":"2.0","method":"a.b","params":{"x":1},"id":"7"}"#)
                == .single(.request(RPCRequest(id: .string("7"), method: "a.b", params: ["x": 1]))))
        #expect(incoming(#"{"jsonrpc":"2.0","method":"a.b"}"#) == .single(.request(RPCRequest(id: nil, method: "a.b"))))
        #expect(
            incoming(#"{"jsonrpc":"2.0","method":"a.b","id":null}"#)
                == .single(.request(RPCRequest(id: .null, method: "a.b"))))
    }

    @Test(
        "invalid request objects",
        arguments: [
            #"{"method":"a"}"#, #"{"jsonrpc":"1.0","method":"a"}"#, #"{"jsonrpc":2.0,"method":"a"}"#,
            #"{"jsonrpc":"2.0"}"#, #"{"jsonrpc":"2.0","method":null}"#, #"{"jsonrpc":"2.0","method":"a","params":3}"#,
            #"{"jsonrpc":"2.0","method":"a","params":"x"}"#, #"{"jsonrpc":"2.0","method":"a","params":null}"#,
            #""just a string""#, "42", "true", "null",
        ])
    func invalid(line: String) {
        guard case .single(.invalid(let id, let error)) = incoming(line) else {
            Issue.record("expected an invalid request")
            return
        }
        #expect(id == .null)
        #expect(error.code == RPCError.Code.invalidRequest)
    }

    @Test("an invalid request with a valid id is answered with that id; an invalid id gives null")
    func invalidWithID() {
        guard case .single(.invalid(let id, _)) = incoming(#"{"jsonrpc":"1.0","method":"a","id":9}"#) else {
            Issue.record("expected an invalid request")
            return
        }
        #expect(id == .integer(9))
        for badID in ["true", "[1]", #"{"a":1}"#] {
            guard case .single(.invalid(let id, let error)) = incoming(#"{"jsonrpc":"2.0","method":"a","id":\#(badID)}"#)
            else {
                Issue.record("expected an invalid request for id \(badID)")
                continue
            }
            #expect(id == .null && error.code == RPCError.Code.invalidRequest)
        }
    }

    @Test("members are read exactly: a byte-order mark that begins a key or a value is kept")
    func byteOrderMark() {
        // Found by fuzzing: Foundation's JSONSerialization drops a U+FEFF that begins a string,
        // so "\u{FEFF}jsonrpc" was taken for "jsonrpc" and "\u{FEFF}id" for "id".
        guard case .single(.invalid(let id, let error)) = incoming("{\"\u{FEFF}jsonrpc\":\"2.0\",\"method\":\"a.b\",\"id\":3}") else {
            Issue.record("a request without a \"jsonrpc\" member was taken")
            return
        }
        #expect(id == .integer(3) && error.code == RPCError.Code.invalidRequest)
        #expect(
            incoming("{\"jsonrpc\":\"2.0\",\"method\":\"a.b\",\"\u{FEFF}id\":3}") == .single(.request(RPCRequest(id: nil, method: "a.b", params: nil))),
            "without an \"id\" member it is a notification")
        #expect(
            incoming("{\"jsonrpc\":\"2.0\",\"method\":\"a.b\",\"params\":{\"x\":\"\u{FEFF}y\"},\"id\":1}")
                == .single(.request(RPCRequest(id: .integer(1), method: "a.b", params: ["x": .string("\u{FEFF}y")]))))
    }

    @Test("not JSON, invalid UTF-8, lone surrogates and absurd nesting are parse errors")
    func parseErrors() {
        #expect(incoming("{") == .parseError)
        #expect(incoming("hello") == .parseError)
        #expect(RPCIncoming(line: [0xFF, 0xFE, 0x00]) == .parseError)
        // Found by fuzzing: Foundation traps when the bracket past its nesting limit is the last
        // byte; and deep nesting costs more than linear time. Requests nest a few levels at most.
        #expect(incoming(String(repeating: "[", count: 513)) == .parseError)
        #expect(incoming("[1," + String(repeating: "[", count: 512)) == .parseError)
        #expect(incoming(String(repeating: "[", count: 33) + String(repeating: "]", count: 33)) == .parseError)
        #expect(RPCIncoming(line: Array(#"{"jsonrpc":"2.0","method":""#.utf8) + [0xC3, 0x28] + Array(#"","id":1}"#.utf8)) == .parseError)
        #expect(incoming(#"{"jsonrpc":"2.0","method":"\ud800","id":1}"#) == .parseError)
        #expect(incoming(String(repeating: "[", count: 100_000)) == .parseError)
    }

    @Test("blank lines are ignored; a carriage return before the newline is whitespace")
    func blank() {
        #expect(incoming("") == .blank)
        #expect(incoming(" \t\r") == .blank)
        #expect(incoming("{\"jsonrpc\":\"2.0\",\"method\":\"a\"}\r") == .single(.request(RPCRequest(id: nil, method: "a"))))
    }

    @Test("batches: empty, mixed, nested arrays are invalid entries")
    func batches() {
        #expect(incoming("[]") == .emptyBatch)
        guard case .batch(let entries) = incoming(#"[{"jsonrpc":"2.0","method":"a","id":1}, 5, [], {"jsonrpc":"2.0","method":"b"}]"#)
        else {
            Issue.record("expected a batch")
            return
        }
        #expect(entries.count == 4)
        #expect(entries[0] == .request(RPCRequest(id: .integer(1), method: "a")))
        #expect(entries[3] == .request(RPCRequest(id: nil, method: "b")))
        for entry in entries[1...2] {
            guard case .invalid(.null, let error) = entry else {
                Issue.record("expected an invalid entry")
                continue
            }
            #expect(error.code == RPCError.Code.invalidRequest)
        }
    }

    @Test("a batch longer than the limit is refused whole with one error")
    func batchLimit() async throws {
        let dispatcher = RPCDispatcher(
            registry: try SampleMethods.registry(recorder: Recorder()), info: TestServer.info, maxBatchEntries: 3,
            logger: .init(label: "test"))
        let call = #"{"jsonrpc":"2.0","method":"get_data","id":1}"#
        let three = try await dispatcher.reply("[\(call),\(call),\(call)]")
        #expect(three?.array?.count == 3)
        let four = try await dispatcher.reply("[\(call),\(call),\(call),\(call)]")
        #expect(four?.errorCode == RPCError.Code.invalidRequest)
        #expect(four?["id"] == .null)
    }
}
