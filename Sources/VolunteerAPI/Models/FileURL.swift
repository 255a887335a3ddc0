/// The `{url}` answer of `/imgupload` and `/weixin/media`.
public struct FileURL: Sendable, Hashable, Codable {
    public var url: String

    public init(
        url: String
    ) {
        self.url = url
    }

    enum CodingKeys: String, CodingKey {
        case url
    }

    public init(from decoder: any Decoder) throws {
        let reader = try WireReader(decoder, for: FileURL.self, keyedBy: CodingKeys.self)
        url = try reader.string(.url)
    }

    /// Writes every documented field, `null` when unset (docs/reference-server.md).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(url, forKey: .url)
    }
}
