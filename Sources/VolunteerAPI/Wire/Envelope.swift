/// The envelope every answer comes in (§1.3.1): `{error_code, data, error_message}`.
///
/// `error_code` 0 is success; anything else is an API error whose `data` may be anything
/// (`{}`, `[]`, `null`), so ``data`` is decoded only on success. Use ``payload()`` to get
/// the data or the ``EnvelopeError``.
public struct Envelope<Payload: Sendable>: Sendable {
    public let errorCode: Int
    public let errorMessage: String?
    /// The decoded `data` of a successful answer; nil on error or when `data` is null or absent.
    public let data: Payload?

    public init(data: Payload) {
        self.errorCode = 0
        self.errorMessage = ""
        self.data = data
    }

    public init(error: EnvelopeError) {
        self.errorCode = error.code
        self.errorMessage = error.message
        self.data = nil
    }

    /// Whether the server reported success (`error_code == 0`).
    public var isSuccess: Bool { errorCode == 0 }

    /// The payload of a successful answer, or the API error the server reported.
    /// A success without data is a ``WireDecodingError`` (the server broke the document).
    public func payload() throws -> Payload {
        guard isSuccess else { throw EnvelopeError(code: errorCode, message: errorMessage ?? "") }
        guard let data else {
            throw WireDecodingError(structure: "Envelope", field: "data", problem: "required on success, but missing or null")
        }
        return data
    }

    enum CodingKeys: String, CodingKey {
        case errorCode = "error_code"
        case data
        case errorMessage = "error_message"
    }
}

extension Envelope: Decodable where Payload: Decodable {
    public init(from decoder: any Decoder) throws {
        let reader = try WireReader(decoder, for: Envelope.self, keyedBy: CodingKeys.self)
        errorCode = try reader.int(.errorCode)
        errorMessage = try reader.optionalString(.errorMessage)
        if errorCode != 0 {
            data = nil
        } else if Payload.self == EmptyPayload.self {
            data = EmptyPayload() as? Payload
        } else {
            data = try reader.payload(.data, Payload.self)
        }
    }
}

extension Envelope: Encodable where Payload: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(errorCode, forKey: .errorCode)
        if let data {
            try container.encode(data, forKey: .data)
        } else if isSuccess {
            try container.encodeNil(forKey: .data)
        } else {
            try container.encode(EmptyPayload(), forKey: .data)
        }
        try container.encode(errorMessage ?? "", forKey: .errorMessage)
    }
}

extension Envelope: Equatable where Payload: Equatable {}
extension Envelope: Hashable where Payload: Hashable {}

/// A business error the server reported with a non-zero `error_code` (codes are not documented).
public struct EnvelopeError: Error, Sendable, Hashable, CustomStringConvertible {
    public let code: Int
    public let message: String

    public init(code: Int, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "API error \(code): \(message)" }
}

/// The `data` of answers that carry nothing (`{}`, `[]`, `null`): any value is accepted
/// and ignored; it encodes as `{}`.
public struct EmptyPayload: Sendable, Hashable, Codable {
    public init() {}

    public init(from decoder: any Decoder) throws {}

    public func encode(to encoder: any Encoder) throws {
        _ = encoder.container(keyedBy: AnyCodingKey.self)
    }
}
