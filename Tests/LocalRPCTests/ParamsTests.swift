import Testing
import VolunteerAPI

@testable import LocalRPC

/// Params by name and by position, typed accessors, and the -32602 that names the field.
@Suite("Params")
struct ParamsTests {
    let method = RPCMethod(
        "people.find", summary: "", access: .read,
        params: [.required("phone", RPCSchema.string()), .optional("limit", RPCSchema.integer())],
        result: .init("people", RPCSchema.array(of: RPCSchema.object()))
    ) { _, _ in .null }

    func field(of error: RPCError) -> String? { error.data?["field"]?.string }

    @Test("by position maps onto the declared names; by name is taken as it is")
    func binding() throws {
        let positional = try method.bind(["13800000001", 20])
        #expect(try positional.requiredString("phone") == "13800000001")
        #expect(try positional.optionalInt("limit") == 20)
        #expect(positional.positional == ["13800000001", 20])
        let named = try method.bind(["phone": "13800000001"])
        #expect(try named.optionalInt("limit") == nil)
        #expect(named.positional == nil)
    }

    @Test("a missing required param, or too many positional ones, is -32602 naming the field")
    func bindingErrors() {
        #expect(throws: RPCError.invalidParams(field: "phone", problem: "is required")) { try method.bind(nil) }
        #expect(throws: RPCError.invalidParams(field: "phone", problem: "is required")) { try method.bind(["limit": 3]) }
        #expect(throws: RPCError.invalidParams(field: "phone", problem: "is required")) { try method.bind(["phone": nil]) }
        do {
            _ = try method.bind(["a", 1, true])
            Issue.record("expected an error")
        } catch {
            #expect(error.code == RPCError.Code.invalidParams && field(of: error) == "params")
        }
    }

    @Test("typed accessors: the wrong kind names the field in the message and in data.field")
    func typed() throws {
        let params = RPCParams([
            "phone": 138, "limit": "ten", "big": 1000, "ratio": 0.5, "flag": true, "whole": 3.0, "items": [1],
            "draft": ["name": 1],
        ])
        let cases: [(String, () throws(RPCError) -> Any)] = [
            ("phone", { () throws(RPCError) in try params.requiredString("phone") }),
            ("limit", { () throws(RPCError) in try params.optionalInt("limit") as Any }),
            ("big", { () throws(RPCError) in try params.optionalInt("big", in: 1...500) as Any }),
            ("ratio", { () throws(RPCError) in try params.requiredInt("ratio") }),
            ("flag", { () throws(RPCError) in try params.requiredString("flag") }),
            ("items", { () throws(RPCError) in try params.requiredObject("items") }),
            ("missing", { () throws(RPCError) in try params.requiredBool("missing") }),
            ("draft.name", { () throws(RPCError) in try params.required("draft", as: Draft.self) }),
        ]
        for (name, access) in cases {
            do {
                _ = try access()
                Issue.record("expected an error for \(name)")
            } catch {
                #expect(error.code == RPCError.Code.invalidParams)
                #expect(field(of: error) == name)
                #expect(error.message.contains("'\(name)'"))
            }
        }
        #expect(try params.requiredInt("whole") == 3)
        #expect(try params.requiredDouble("big") == 1000)
        #expect(try params.requiredBool("flag"))
        #expect(try params.optionalArray("items") == [1])
    }

    struct Draft: Decodable {
        let name: String
    }

    @Test("decoding failures never quote the value")
    func noValueInErrors() {
        let params = RPCParams(["draft": ["name": 13_800_000_001]])
        do {
            _ = try params.required("draft", as: Draft.self)
            Issue.record("expected an error")
        } catch {
            #expect(!"\(error.message) \(String(describing: error.data))".contains("13800000001"))
        }
    }

    @Test("through the dispatcher: -32602 with data.field")
    func dispatched() async throws {
        let dispatcher = try SampleMethods.dispatcher(recorder: Recorder())
        let reply = try await dispatcher.reply(#"{"jsonrpc":"2.0","method":"subtract","params":{"minuend":1},"id":1}"#)
        #expect(reply?.errorCode == RPCError.Code.invalidParams)
        #expect(reply?["error"]?["data"] == ["field": "subtrahend"])
        let wrongKind = try await dispatcher.reply(#"{"jsonrpc":"2.0","method":"test.echo","params":{"limit":"x"},"id":1}"#)
        #expect(wrongKind?["error"]?["data"] == ["field": "limit"])
    }
}
