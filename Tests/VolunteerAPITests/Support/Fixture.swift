import Foundation
import Testing

@testable import VolunteerAPI

/// Loads the JSON fixtures made from the document's examples (Fixtures/records, Fixtures/responses).
enum Fixture {
    static var root: URL {
        get throws {
            try #require(Bundle.module.resourceURL).appendingPathComponent("Fixtures")
        }
    }

    static func data(_ relativePath: String) throws -> Data {
        try Data(contentsOf: try root.appendingPathComponent(relativePath))
    }

    static func json(_ relativePath: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: try data(relativePath))
    }

    /// The record fixtures, by file name without extension, with the kind each decodes as.
    static let records: [(file: String, kind: RecordKind)] = [
        ("banner", .banner), ("news", .news), ("patient", .patient), ("doctor", .doctor),
        ("assistant", .assistant), ("casebook", .casebook), ("systemMessage", .systemMessage),
        ("project", .project), ("diagnosis", .diagnosis), ("diagnosis-objects", .diagnosis),
        ("hospital", .hospital), ("organisation", .organisation), ("specialProject", .specialProject),
        ("chatMessage", .chatMessage), ("chatDialog", .chatDialog), ("city", .city),
        ("orgMembership", .orgMembership), ("diagnosisRecord", .diagnosisRecord),
    ]

    /// One entry of Fixtures/responses/manifest.json.
    struct Response: Decodable, Sendable, CustomTestStringConvertible {
        let file: String
        let method: String
        let path: String
        let role: Int?

        var testDescription: String { file }
    }

    static func responses() throws -> [Response] {
        try JSONDecoder().decode([Response].self, from: try data("responses/manifest.json"))
    }
}

extension JSONValue {
    /// Encodes the value as JSON bytes.
    var data: Data {
        get throws { try JSONEncoder().encode(self) }
    }

    /// This value with `transform` applied to every value below it, innermost first.
    func rewritten(_ transform: (JSONValue) -> JSONValue) -> JSONValue {
        switch self {
        case .array(let elements):
            return transform(.array(elements.map { $0.rewritten(transform) }))
        case .object(let members):
            return transform(.object(members.mapValues { $0.rewritten(transform) }))
        default:
            return transform(self)
        }
    }

    /// The object's members, or nil.
    var members: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }
}

/// Decodes `type` twice, from the JSON text with `JSONDecoder` and from the parsed value with
/// `JSONValueDecoder` (what the engine uses), and records an issue unless both agree: the same
/// value, or the same error. Every wire test that decodes through it checks the second decoder.
func decodeBoth<T: Decodable & Equatable>(_ type: T.Type, from data: Data) throws -> T {
    let viaText = Result { try JSONDecoder().decode(T.self, from: data) }
    let viaValue = Result { try JSONValueDecoder().decode(T.self, from: JSONValue.parse(data)) }
    switch (viaText, viaValue) {
    case (.success(let a), .success(let b)):
        #expect(a == b, "JSONValueDecoder decoded \(T.self) differently from JSONDecoder")
    case (.failure(let a), .failure(let b)):
        if a is WireDecodingError || b is WireDecodingError {
            #expect(String(describing: a) == String(describing: b), "the two decoders fail differently on \(T.self)")
        }
    case (.success, .failure(let error)):
        Issue.record("JSONValueDecoder failed where JSONDecoder decoded \(T.self): \(error)")
    case (.failure(let error), .success):
        Issue.record("JSONValueDecoder decoded \(T.self) where JSONDecoder failed: \(error)")
    }
    return try viaText.get()
}

/// Decodes a model of an existential type (with both decoders) and encodes it back, as JSONValue.
func roundTrip(_ type: any (Codable & Sendable & Hashable).Type, _ json: JSONValue) throws -> (model: AnyHashable, encoded: JSONValue) {
    func open<T: Codable & Hashable>(_: T.Type) throws -> (AnyHashable, JSONValue) {
        let model = try decodeBoth(T.self, from: try json.data)
        let encoded = try JSONDecoder().decode(JSONValue.self, from: try JSONEncoder().encode(model))
        return (AnyHashable(model), encoded)
    }
    return try open(type)
}

/// Decodes `json` as a model of `type`, for comparing decodings of variations.
func decodeModel(_ type: any (Codable & Sendable & Hashable).Type, _ json: JSONValue) throws -> AnyHashable {
    try roundTrip(type, json).model
}

/// Whether `encoded` says everything `original` says: each non-null field of `original` is in
/// `encoded` with the same meaning. A number and its text are the same; `null`, `""` and `[]`
/// are the same absence; a string and a one-element array of it are the same list; an object
/// and a one-element array of it are the same record. Returns the first difference's path.
func firstDifference(_ original: JSONValue, _ encoded: JSONValue?, path: String = "") -> String? {
    func isAbsent(_ value: JSONValue?) -> Bool {
        switch value {
        case nil, .null?: true
        case .string(let text)?: text.isEmpty
        case .array(let elements)?: elements.isEmpty
        case .object(let members)?: members.isEmpty
        default: false
        }
    }
    func number(_ value: JSONValue?) -> Double? {
        switch value {
        case .integer(let number)?: Double(number)
        case .number(let number)?: number
        case .string(let text)?: Double(text)
        case .bool(let flag)?: flag ? 1 : 0
        default: nil
        }
    }
    // An absent field may be written as absent, null or empty: all mean "not given".
    if isAbsent(original) { return nil }
    if original == encoded { return nil }
    if let lhs = number(original), let rhs = number(encoded), lhs == rhs { return nil }
    switch (original, encoded) {
    case (.string(let text), .array(let elements)?) where elements == [.string(text)]:
        return nil
    case (.array(let elements), .object?) where elements.count == 1:
        return firstDifference(elements[0], encoded, path: path)
    case (.array(let lhs), .array(let rhs)?) where lhs.count == rhs.count:
        for (index, (left, right)) in zip(lhs, rhs).enumerated() {
            if let difference = firstDifference(left, right, path: "\(path).\(index)") { return difference }
        }
        return nil
    case (.object(let lhs), .object(let rhs)?):
        for (key, value) in lhs.sorted(by: { $0.key < $1.key }) {
            if let difference = firstDifference(value, rhs[key], path: "\(path).\(key)") { return difference }
        }
        return nil
    default:
        return path.isEmpty ? "(top)" : path
    }
}
