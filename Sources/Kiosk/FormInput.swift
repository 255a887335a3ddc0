import Foundation
import Hummingbird
import MultipartKit
import NIOCore

/// A submitted form: its text fields (a name may repeat) and its files, from an
/// `application/x-www-form-urlencoded` or `multipart/form-data` body. Parsing is the libraries'
/// (Foundation's URL components, MultipartKit's parser); this only collects the parts.
public struct FormInput: Sendable, Equatable {
    /// One uploaded file.
    public struct File: Sendable, Equatable {
        public var filename: String?
        public var contentType: String
        public var bytes: [UInt8]
    }

    public private(set) var fields: [String: [String]] = [:]
    public private(set) var files: [String: [File]] = [:]

    public init(fields: [String: [String]] = [:], files: [String: [File]] = [:]) {
        self.fields = fields
        self.files = files
    }

    /// The first value of `name`, trimmed; nil when absent or empty.
    public subscript(name: String) -> String? {
        guard let value = fields[name]?.first?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    /// Why a body could not be read as a form.
    public enum Failure: Error, Equatable {
        case unsupportedType(String)
        case malformed
    }

    /// Reads `body` according to its `Content-Type`.
    public static func parse(_ body: ByteBuffer, contentType: String?) throws(Failure) -> FormInput {
        let type = (contentType ?? "").lowercased()
        if type.hasPrefix("application/x-www-form-urlencoded") || (type.isEmpty && body.readableBytes == 0) {
            return urlEncoded(String(buffer: body))
        }
        if type.hasPrefix("multipart/form-data"), let boundary = boundary(of: contentType ?? "") {
            return try multipart(body, boundary: boundary)
        }
        throw .unsupportedType(contentType ?? "none")
    }

    static func urlEncoded(_ text: String) -> FormInput {
        var components = URLComponents()
        // `+` is a space in forms and not in URLs: made explicit before Foundation decodes.
        components.percentEncodedQuery = text.replacingOccurrences(of: "+", with: "%20")
        var form = FormInput()
        for item in components.queryItems ?? [] { form.fields[item.name, default: []].append(item.value ?? "") }
        return form
    }

    static func multipart(_ body: ByteBuffer, boundary: String) throws(Failure) -> FormInput {
        let parser = MultipartParser(boundary: boundary)
        var parts: [MultipartPart] = []
        var current = MultipartPart(body: ByteBuffer())
        parser.onHeader = { field, value in current.headers.add(name: field, value: value) }
        parser.onBody = { chunk in current.body.writeBuffer(&chunk) }
        parser.onPartComplete = {
            parts.append(current)
            current = MultipartPart(body: ByteBuffer())
        }
        do {
            try parser.execute(body)
        } catch {
            throw .malformed
        }
        var form = FormInput()
        for part in parts {
            guard let name = part.name else { continue }
            let disposition = part.headers.first(name: "Content-Disposition") ?? ""
            if disposition.contains("filename=") {
                // A file input left empty still sends a part, with no name and no bytes.
                guard part.body.readableBytes > 0 else { continue }
                let file = File(
                    filename: filename(in: disposition), contentType: part.headers.first(name: "Content-Type") ?? "application/octet-stream",
                    bytes: Array(part.body.readableBytesView))
                form.files[name, default: []].append(file)
            } else {
                form.fields[name, default: []].append(String(buffer: part.body))
            }
        }
        return form
    }

    static func boundary(of contentType: String) -> String? {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == "boundary" { return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        }
        return nil
    }

    static func filename(in disposition: String) -> String? {
        guard let range = disposition.range(of: "filename=\"") else { return nil }
        let rest = disposition[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }
}
