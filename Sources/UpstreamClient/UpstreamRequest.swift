import Foundation
import MultipartKit
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
///   when configured; `Content-Type: application/json` with a body; `Accept-Encoding: gzip`
///   once ``acceptGzip()`` is called (the client does when ``UpstreamConfiguration/compression``
///   is on, and AsyncHTTPClient then decodes the answer).
/// - An upload (``init(endpoint:path:file:baseURL:token:location:boundary:)``) sends one
///   `multipart/form-data` file part instead, with the same URL and header rules.
///
/// Guarantees: ``description`` shows the method and the path template only, never the token,
/// the location, the query or the body.
public struct UpstreamRequest: Sendable, CustomStringConvertible {
    public let endpoint: Endpoint
    /// The complete URL, query included.
    public let url: String
    public internal(set) var headers: HTTPHeaders
    /// The JSON body of a `POST` or `PUT`, or the multipart body of an upload.
    public let body: ByteBuffer?

    public var method: VolunteerAPI.HTTPMethod { endpoint.method }

    /// Builds the request, or says why it cannot be built (a path placeholder without a value,
    /// a number JSON cannot hold).
    public init(
        endpoint: Endpoint, path: [String: String] = [:], parameters: [String: JSONValue] = [:],
        baseURL: URL, token: String? = nil, location: String? = nil
    ) throws(UpstreamRequestError) {
        var url = try Self.url(of: endpoint, path: path, baseURL: baseURL)
        var headers = Self.headers(token: token, location: location)
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

    /// Builds a `multipart/form-data` upload of `file` for an endpoint whose catalogue entry
    /// takes a file part (`POST /imgupload`): one part, named as the catalogue names it
    /// (`file`), with `Content-Disposition: form-data; name="file"; filename="…"` and the
    /// file's `Content-Type`, serialised by MultipartKit. The URL and the token and `X-location`
    /// headers follow the same rules as every other request.
    ///
    /// - Parameter boundary: the multipart boundary; by default a random one (`vdsync-` and 32
    ///   hex digits), drawn again in the unlikely case the file's bytes contain it.
    /// - Throws: when the endpoint takes no file (or is a `GET`/`DELETE`), the content type
    ///   cannot be a header value (empty, no `/`, or a control character), or a given boundary
    ///   is not a valid one or occurs in the file.
    public init(
        endpoint: Endpoint, path: [String: String] = [:], file: UpstreamFile,
        baseURL: URL, token: String? = nil, location: String? = nil, boundary: String? = nil
    ) throws(UpstreamRequestError) {
        guard endpoint.method == .post || endpoint.method == .put, let part = endpoint.parameters(in: .file).first else {
            throw .takesNoFile(endpoint: endpoint.description)
        }
        guard Self.isHeaderSafe(file.contentType), file.contentType.contains("/") else { throw .invalidContentType }
        let url = try Self.url(of: endpoint, path: path, baseURL: baseURL)
        let chosen: String
        if let boundary {
            guard Self.isValidBoundary(boundary), !file.bytes.contains(Array(boundary.utf8)) else {
                throw .invalidBoundary
            }
            chosen = boundary
        } else {
            var random = Self.randomBoundary()
            while file.bytes.contains(Array(random.utf8)) { random = Self.randomBoundary() }
            chosen = random
        }
        var headers = Self.headers(token: token, location: location)
        headers.add(name: "Content-Type", value: "multipart/form-data; boundary=\(chosen)")
        self.body = try Self.multipartBody(file, name: part.name, boundary: chosen)
        self.endpoint = endpoint
        self.url = url
        self.headers = headers
    }

    /// Asks for a gzip answer (`Accept-Encoding: gzip`). Only for a client that decodes it:
    /// AsyncHTTPClient's decompression keeps a header that is there and adds none of its own.
    public mutating func acceptGzip() {
        headers.replaceOrAdd(name: "Accept-Encoding", value: "gzip")
    }

    /// `GET /project/{id}` (the template: ids and parameters stay out of descriptions).
    public var description: String { endpoint.description }

    // MARK: - Encodings

    /// The base URL without trailing slashes, then the catalogue's rendered path.
    private static func url(of endpoint: Endpoint, path: [String: String], baseURL: URL) throws(UpstreamRequestError) -> String {
        let renderedPath: String
        do {
            renderedPath = try endpoint.path.render(path)
        } catch {
            throw .missingPathValue(endpoint: endpoint.description, name: Self.missingName(error))
        }
        var base = baseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        return base + renderedPath
    }

    /// The headers every request carries: `Accept`, `User-Agent`, and the token and location when given.
    private static func headers(token: String?, location: String?) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add(name: "Accept", value: "application/json")
        headers.add(name: "User-Agent", value: "vdsync")
        if let token, !token.isEmpty { headers.add(name: "X-auth-token", value: token) }
        if let location, !location.isEmpty { headers.add(name: "X-location", value: location) }
        return headers
    }

    /// One `multipart/form-data` body holding `file` as the part `name`, ended by the closing boundary.
    public static func multipartBody(_ file: UpstreamFile, name: String, boundary: String) throws(UpstreamRequestError) -> ByteBuffer {
        var partHeaders = HTTPHeaders()
        partHeaders.add(
            name: "Content-Disposition",
            value: "form-data; name=\"\(name)\"; filename=\"\(UpstreamFile.sanitizedFilename(file.filename))\"")
        partHeaders.add(name: "Content-Type", value: file.contentType)
        var buffer = ByteBuffer()
        buffer.reserveCapacity(file.bytes.count + 256)
        do {
            try MultipartSerializer().serialize(
                parts: [MultipartPart(headers: partHeaders, body: ByteBuffer(bytes: file.bytes))], boundary: boundary, into: &buffer)
        } catch {
            throw .unencodableBody
        }
        return buffer
    }

    /// `vdsync-` and 128 random bits in hex: 39 characters, all allowed in a boundary (RFC 2046).
    public static func randomBoundary() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        func hex(_ value: UInt64) -> String {
            let digits = String(value, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
        return "vdsync-" + hex(high) + hex(low)
    }

    /// 1 to 70 characters of RFC 2046's `bcharsnospace` (no space: the boundary is sent unquoted).
    private static func isValidBoundary(_ boundary: String) -> Bool {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'()+_,-./:=?")
        return (1...70).contains(boundary.count) && boundary.allSatisfy(allowed.contains)
    }

    /// Not empty, and printable ASCII only: no CR, LF or other control character.
    private static func isHeaderSafe(_ value: String) -> Bool {
        !value.isEmpty && value.unicodeScalars.allSatisfy { (0x20..<0x7F).contains($0.value) }
    }

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
    /// The parameters cannot be written as JSON (a NaN or infinite number), or a file as multipart.
    case unencodableBody
    /// A file was given for an endpoint whose catalogue entry takes no file part.
    case takesNoFile(endpoint: String)
    /// A file's content type cannot be sent: empty, without `/`, or not printable ASCII.
    case invalidContentType
    /// A multipart boundary given by the caller is not a valid one, or occurs in the file.
    case invalidBoundary

    public var description: String {
        switch self {
        case .missingPathValue(let endpoint, let name): "\(endpoint): path parameter '\(name)' has no value"
        case .unencodableBody: "the parameters cannot be written as JSON"
        case .takesNoFile(let endpoint): "\(endpoint) takes no file"
        case .invalidContentType: "the file's content type cannot be sent"
        case .invalidBoundary: "the multipart boundary is not valid for this file"
        }
    }
}
