import Foundation
import Testing

@testable import VolunteerAPI

/// The small value types of the wire model: decimals kept as text, time slots, the week,
/// the user-by-type union, and what a user looks like in a log line.
@Suite("Wire values")
struct WireValueTests {
    @Test("decimals keep their text and compare by value")
    func decimalText() throws {
        let values = try JSONDecoder().decode([DecimalText].self, from: Data(#"["4.50", 4.5, " 127.000000", 3, "-0.5"]"#.utf8))
        #expect(values[0] == values[1])
        #expect(values[0].text == "4.50" && values[1].text == "4.5")
        #expect(values[2].value == 127 && values[2].text == "127.000000")
        #expect(values[3].text == "3")
        #expect(values[4].value == -0.5)
        #expect(String(decoding: try JSONEncoder().encode(values[0]), as: UTF8.self) == #""4.50""#)
        #expect(DecimalText("east") == nil && DecimalText("nan") == nil && DecimalText("inf") == nil)
        #expect(throws: WireDecodingError.self) { try JSONDecoder().decode([DecimalText].self, from: Data(#"["x"]"#.utf8)) }
    }

    @Test("plan_time slots come out in time order, with counts as numbers or text")
    func planTime() throws {
        let json = #"{"16:23:00 - 16:53:00": "6", "09:00:00 - 09:30:00": 7, "15:53:00 - 16:23:00": 0}"#
        let plan = try JSONDecoder().decode(PlanTime.self, from: Data(json.utf8))
        #expect(plan.slots.map(\.label) == ["09:00:00 - 09:30:00", "15:53:00 - 16:23:00", "16:23:00 - 16:53:00"])
        #expect(plan["16:23:00 - 16:53:00"] == 6)
        #expect(plan["10:00:00 - 10:30:00"] == nil)
        let again = try JSONDecoder().decode(PlanTime.self, from: JSONEncoder().encode(plan))
        #expect(again == plan)
        let broken = try #require(throws: WireDecodingError.self) {
            try JSONDecoder().decode(PlanTime.self, from: Data(#"{"09:00:00 - 09:30:00": "lots"}"#.utf8))
        }
        #expect(broken.structure == "PlanTime" && broken.field == "09:00:00 - 09:30:00")
    }

    @Test("a user whose role cannot be told apart is an error, not a guess")
    func unknownUserShape() throws {
        let error = try #require(throws: WireDecodingError.self) {
            try JSONDecoder().decode(UserProfile.self, from: Data(#"{"id": 4, "real_name": "李四", "phone": "13800000000"}"#.utf8))
        }
        #expect(error.structure == "UserProfile")
        #expect(!error.description.contains("13800000000"))

        // The caller that knows the role (it logged in with `type`) is not left guessing.
        let decoder = JSONDecoder()
        decoder.userInfo[UserProfile.expectedRoleKey] = UserRole.assistant
        let told = try decoder.decode(UserProfile.self, from: Data(#"{"id": 4, "real_name": "李四"}"#.utf8))
        #expect(told.role == .assistant && told.id == 4 && told.realName == "李四")
    }

    @Test("users in log lines show who, never phone, ID-card number or token")
    func redaction() throws {
        for file in ["patient", "doctor", "assistant"] {
            let user = try JSONDecoder().decode(UserProfile.self, from: Fixture.data("records/\(file).json"))
            let secrets = ["15512341234", "111000197807138521", try #require(user.token)]
            let texts: [String] = {
                switch user {
                case .patient(let patient): ["\(patient)", String(reflecting: patient), "\(user)"]
                case .doctor(let doctor): ["\(doctor)", String(reflecting: doctor), "\(user)"]
                case .assistant(let assistant): ["\(assistant)", String(reflecting: assistant), "\(user)"]
                }
            }()
            for text in texts {
                #expect(text == "\(file) #1")
                for secret in secrets { #expect(!text.contains(secret)) }
            }
        }
    }

    @Test("JSON values survive a round trip with their kinds")
    func jsonValue() throws {
        let text = #"{"a": [1, 2.5, "3", true, null, {"b": {}}], "c": -7}"#
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(value["a"] == .array([.integer(1), .number(2.5), .string("3"), .bool(true), .null, .object(["b": .object([:])])]))
        #expect(value["c"] == .integer(-7))
        #expect(try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value)) == value)
    }

    @Test("parsing in one pass gives the same kinds as JSONDecoder")
    func parsedKinds() throws {
        let text = #"{"a": [1, 2.5, "3", true, false, null, {"b": {}}, [], 0, 1e2, -0.5], "c": -7, "big": 18446744073709551615, "é": "汉字"}"#
        let parsed = try JSONValue.parse(text)
        #expect(parsed == (try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))))
        #expect(
            parsed["a"]
                == .array([
                    .integer(1), .number(2.5), .string("3"), .bool(true), .bool(false), .null, .object(["b": .object([:])]), .array([]), .integer(0),
                    .integer(100), .number(-0.5),
                ]))
        #expect(parsed["big"] == .number(Double(UInt64.max)))
        #expect(try JSONValue.parse("42") == .integer(42))
        #expect(try JSONValue.parse("\"x\"") == .string("x"))
    }

    @Test("a byte-order mark that begins a key or a string is kept, as JSONDecoder keeps it")
    func byteOrderMarkKept() throws {
        let text = "{\"\u{FEFF}key\": \"\u{FEFF}value\", \"list\": [\"\u{FEFF}\", 1]}"
        let parsed = try JSONValue.parse(text)
        #expect(parsed == .object(["\u{FEFF}key": .string("\u{FEFF}value"), "list": .array([.string("\u{FEFF}"), .integer(1)])]))
        #expect(parsed["key"] == nil)
        #expect(parsed == (try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))))
        #expect(throws: DecodingError.self) { try JSONValue.parse("\u{FEFF}" + String(repeating: "[", count: 514)) }
    }

    @Test("bad or too deeply nested text is an error, never a trap")
    func parseRefusals() {
        for text in ["", "{", "[1 2]", "nul", String(repeating: "[", count: 600) + String(repeating: "]", count: 600), String(repeating: "[", count: 514)] {
            #expect(throws: DecodingError.self) { try JSONValue.parse(text) }
        }
    }

    @Test("the value decoder hands back parsed values and names the path of a mismatch")
    func valueDecoder() throws {
        struct Row: Decodable, Equatable {
            let id: Int
            let tags: [String]
            let extra: JSONValue?
        }
        let decoder = JSONValueDecoder()
        let row = try decoder.decode(Row.self, from: JSONValue.parse(#"{"id": 3, "tags": ["a"], "extra": {"k": [1]}}"#))
        #expect(row == Row(id: 3, tags: ["a"], extra: .object(["k": .array([.integer(1)])])))
        #expect(try decoder.decode([Int?].self, from: JSONValue.parse("[1, null]")) == [1, nil])
        do {
            _ = try decoder.decode(Row.self, from: JSONValue.parse(#"{"id": 3, "tags": ["a", 7]}"#))
            Issue.record("a number where a string is required decoded")
        } catch DecodingError.typeMismatch(_, let context) {
            #expect(context.codingPath.map(\.stringValue) == ["tags", "Index 1"])
        }
        #expect(throws: DecodingError.self) { try decoder.decode(Row.self, from: JSONValue.parse(#"{"tags": []}"#)) }
        #expect(throws: DecodingError.self) { try decoder.decode(Int.self, from: JSONValue.parse("2.5")) }
    }

    @Test("roles carry the document's type numbers")
    func roles() {
        #expect(UserRole(rawValue: 1) == .patient && UserRole(rawValue: 2) == .doctor && UserRole(rawValue: 3) == .assistant)
        #expect(UserRole(rawValue: 4) == nil)
    }
}
