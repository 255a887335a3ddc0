import Foundation

@testable import VolunteerAPI

/// A decoded envelope of any shape, for tests that walk the whole catalogue.
struct DecodedEnvelope {
    let errorCode: Int
    /// The payload as decoded; nil when `data` held nothing.
    let payload: AnyHashable?
    /// The payload encoded back, as JSON.
    let reencoded: JSONValue?
    /// The paging of a list payload, if any.
    let page: Page?
    let count: Int?
}

/// Decodes `data` as the envelope that `shape` documents, with the model types the catalogue names.
func decodeEnvelope(_ data: Data, as shape: ResponseShape, role: UserRole? = nil) throws -> DecodedEnvelope {
    let decoder = JSONDecoder()
    if let role { decoder.userInfo[UserProfile.expectedRoleKey] = role }

    func decode<Payload: Codable & Hashable & Sendable>(_: Payload.Type) throws -> DecodedEnvelope {
        let envelope = try decoder.decode(Envelope<Payload>.self, from: data)
        let reencoded = try envelope.data.map { try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode($0)) }
        let list = envelope.data as? any ListPayload
        return DecodedEnvelope(
            errorCode: envelope.errorCode, payload: envelope.data.map(AnyHashable.init), reencoded: reencoded,
            page: list?.listPage, count: list?.listCount)
    }
    func list<Record: Codable & Hashable & Sendable>(_: Record.Type) throws -> DecodedEnvelope {
        try decode(RecordList<Record>.self)
    }
    func bare<Record: Codable & Hashable & Sendable>(_: Record.Type) throws -> DecodedEnvelope {
        try decode(RecordArray<Record>.self)
    }
    func one<Record: Codable & Hashable & Sendable>(_: Record.Type) throws -> DecodedEnvelope {
        try decode(Record.self)
    }

    switch shape {
    case .empty, .null: return try decode(EmptyPayload.self)
    case .record(let kind), .optionalRecord(let kind): return try one(kind.modelType)
    case .userByType: return try decode(UserProfile.self)
    case .userByTypeWithIsNew: return try decode(PhoneLogin.self)
    case .list(let kind), .page(let kind): return try list(kind.modelType)
    case .bareArray(let kind): return try bare(kind.modelType)
    case .image: throw WireDecodingError(structure: "image", field: "", problem: "not JSON")
    }
}

/// Lists of any record type, seen without their type.
protocol ListPayload {
    var listPage: Page? { get }
    var listCount: Int { get }
}

extension RecordList: ListPayload {
    var listPage: Page? { page }
    var listCount: Int { records.count }
}

extension RecordArray: ListPayload {
    var listPage: Page? { nil }
    var listCount: Int { records.count }
}
