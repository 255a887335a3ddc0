import Foundation
import NIOCore
import NIOHTTP1
import VolunteerAPI

/// One HTTP request for an ``Endpoint`` of the catalogue, ready to send: the concrete URL, the
/// headers and the body. A plain value, built and tested without sockets.
///
/// - The path is the catalogue's (`endpoint.path.render(path)`), appended to the base URL.
/// - `GET` and `DELETE` send their parameters in the query string, `POST` and `PUT` as a JSON
///   object body (the catalogue places every parameter that way; vdapi and the document's PHP
///   server read both). Lists travel as `name[]=a&name[]=b` in a query (brackets
///   percent-encoded, `name%5B%5D=a`, which every server decodes to `name[]`) and as JSON arrays
///   in a body.
/// - Headers: `Accept: application/json`; `X-auth-token` when a token is given; `X-location`
///   when configured; `Content-Type: application/json` with a body.
///
/// Guarantees: ``description`` shows the method and the path template only, never the token,
/// the location, the query or the body.
public struct UpstreamRequest: Sendable, CustomStringConvertible {
    public let endpoint: Endpoint
    /// The complete URL, query included.
    public let url: String
    public let headers: HTTPHeaders
    /// The JSON body of a `POST` or `PUT`.
    public let body: ByteBuffer?

    public var method: VolunteerAPI.HTTPMethod { endpoint.method }

    /// Builds the request, or says why it cannot be built (a path placeholder without a value,
    /// a number JSON cannot hold).
    public init(
        endpoint: Endpoint, path: [String: String] = [:], parameters: [String: JSONValue] = [:],
        baseURL: URL, token: String? = nil, location: String? = nil
    ) throws(UpstreamRequestError) {
        let renderedPath: String
        do {
            renderedPath = try endpoint.path.render(path)
        } catch {
            throw .missingPathValue(endpoint: endpoint.description, name: Self.missingName(error))
        }
        var base = baseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        var url = base + renderedPath

        var headers = HTTPHeaders()
        headers.add(name: "Accept", value: "application/json")
        headers.add(name: "User-Agent", value: "vdsync")
        if let token, !token.isEmpty { headers.add(name: "X-auth-token", value: token) }
        if let location, !location.isEmpty { headers.add(name: "X-location", value: location) }

        switch endpoint.method {
        case .get, .delete:
            let query = Self.queryString(parameters)
            if !query.isEmpty { url += "?" + query }
            body = nil
        case .post, .put:
            body = try Self.jsonBody(parameters)
            headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        }
        self.endpoint = endpoint
        self.url = url
        self.headers = headers
    }

    /// `GET /project/{id}` (the template: ids and parameters stay out of descriptions).
    public var description: String { endpoint.description }

    // MARK: - Encodings

    /// `a=1&b%5B%5D=x&b%5B%5D=y`: names sorted, every character but the unreserved ones
    /// (`A-Z a-z 0-9 - . _ ~`) percent-encoded, lists as repeated `name[]`, `null` and empty
    /// lists left out, booleans as `1`/`0`, objects as JSON text.
    public static func queryString(_ parameters: [String: JSONValue]) -> String {
        var pairs: [String] = []
        for (name, value) in parameters.sorted(by: { $0.key < $1.key }) {
            switch value {
            case .null:
                continue
            case .array(let elements):
                for element in elements where element != .null {
                    pairs.append(encode(name + "[]") + "=" + encode(text(element)))
                }
            default:
                pairs.append(encode(name) + "=" + encode(text(value)))
            }
        }
        return pairs.joined(separator: "&")
    }

    /// The parameters as one JSON object, keys sorted.
    public static func jsonBody(_ parameters: [String: JSONValue]) throws(UpstreamRequestError) -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return ByteBuffer(bytes: try encoder.encode(JSONValue.object(parameters)))
        } catch {
            throw .unencodableBody
        }
    }

    private static let unreserved: CharacterSet = {
        var set = CharacterSet()
        set.insert(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return set
    }()

    private static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    private static func text(_ value: JSONValue) -> String {
        switch value {
        case .null: ""
        case .bool(let flag): flag ? "1" : "0"
        case .integer(let number): String(number)
        case .number(let number): number.rounded() == number && abs(number) < 1e15 ? String(Int(number)) : String(number)
        case .string(let text): text
        case .array, .object:
            (try? JSONEncoder().encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        }
    }

    private static func missingName(_ error: PathTemplateError) -> String {
        switch error {
        case .missingValue(let name): name
        }
    }
}

/// Why an ``UpstreamRequest`` could not be built. The client turns it into a local
/// ``UpstreamRejection``: resending the same call cannot succeed.
public enum UpstreamRequestError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A `{placeholder}` of the path has no (or an empty) value.
    case missingPathValue(endpoint: String, name: String)
    /// The parameters cannot be written as JSON (a NaN or infinite number).
    case unencodableBody

    public var description: String {
        switch self {
        case .missingPathValue(let endpoint, let name): "\(endpoint): path parameter '\(name)' has no value"
        case .unencodableBody: "the parameters cannot be written as JSON"
        }
    }
}
