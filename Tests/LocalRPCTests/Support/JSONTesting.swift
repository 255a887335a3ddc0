import Foundation
import Testing
import VolunteerAPI

@testable import LocalRPC

func json(_ text: String) throws -> JSONValue {
    try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
}

extension JSONValue {
    /// The reply with every `error` reduced to its code, the part the specification fixes.
    var errorCodesOnly: JSONValue {
        switch self {
        case .array(let elements): return .array(elements.map(\.errorCodesOnly))
        case .object(var members):
            if case .object(let error)? = members["error"], let code = error["code"] { members["error"] = ["code": code] }
            return .object(members)
        default: return self
        }
    }

    var errorCode: Int? {
        if case .integer(let code)? = self["error"]?["code"] { return code }
        return nil
    }

    var int: Int? {
        if case .integer(let value) = self { return value }
        return nil
    }

    var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    var array: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }
}

extension RPCDispatcher {
    /// The reply to one line as JSON, nil when nothing would be sent; for tests without sockets.
    func reply(_ line: String, access: PeerAccess = .readWrite) async throws -> JSONValue? {
        let caller = Caller(peer: .currentProcess, access: access)
        guard let bytes = await respond(toLine: Array(line.utf8), from: caller) else { return nil }
        #expect(!bytes.contains(UInt8(ascii: "\n")), "a reply is one line")
        return try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }
}
