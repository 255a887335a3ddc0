import Foundation
import MirrorStore
import VolunteerAPI

/// Reads a mutation's parameters (a JSON object from the local interface) with errors that
/// name the field. Text is taken as sent; lengths count Unicode scalars, as the server counts.
struct MutationParameters {
    let values: [String: JSONValue]

    func integer(_ name: String, in range: ClosedRange<Int>? = nil) throws(MutationError) -> Int {
        guard let value = try optionalInteger(name, in: range) else { throw .invalidParameter(field: name, reason: "is required") }
        return value
    }

    func optionalInteger(_ name: String, in range: ClosedRange<Int>? = nil) throws(MutationError) -> Int? {
        let number: Int
        switch values[name] {
        case nil, .null?: return nil
        case .integer(let value)?: number = value
        case .number(let value)? where value.rounded() == value && abs(value) < 1e15: number = Int(value)
        case .string(let text)? where Int(text) != nil: number = Int(text)!
        default: throw .invalidParameter(field: name, reason: "must be an integer")
        }
        if let range, !range.contains(number) {
            throw .invalidParameter(field: name, reason: "must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return number
    }

    /// A record id: a server id, or a temporary (negative) id of a record created offline.
    func id(_ name: String) throws(MutationError) -> Int {
        let id = try integer(name)
        guard id != 0 else { throw .invalidParameter(field: name, reason: "must be a record id") }
        return id
    }

    func text(_ name: String, maximumLength: Int? = nil, pattern: String? = nil, rule: String? = nil) throws(MutationError) -> String {
        guard let value = try optionalText(name, maximumLength: maximumLength, pattern: pattern, rule: rule) else {
            throw .invalidParameter(field: name, reason: "is required")
        }
        return value
    }

    func optionalText(_ name: String, maximumLength: Int? = nil, pattern: String? = nil, rule: String? = nil) throws(MutationError) -> String? {
        let text: String
        switch values[name] {
        case nil, .null?: return nil
        case .string(let value)?: text = value
        case .integer(let value)?: text = String(value)
        default: throw .invalidParameter(field: name, reason: "must be a string")
        }
        guard !text.isEmpty else { return nil }
        if let maximumLength, text.unicodeScalars.count > maximumLength {
            throw .invalidParameter(field: name, reason: "must be at most \(maximumLength) characters")
        }
        if let pattern, text.range(of: pattern, options: .regularExpression) == nil {
            throw .invalidParameter(field: name, reason: rule ?? "has the wrong format")
        }
        return text
    }

    func texts(_ name: String, maximumCount: Int, maximumLength: Int = 500) throws(MutationError) -> [String] {
        switch values[name] {
        case nil, .null?: return []
        case .array(let elements)?:
            guard elements.count <= maximumCount else { throw .invalidParameter(field: name, reason: "must hold at most \(maximumCount) items") }
            var texts: [String] = []
            for (index, element) in elements.enumerated() {
                guard case .string(let text) = element, !text.isEmpty, text.unicodeScalars.count <= maximumLength else {
                    throw .invalidParameter(field: "\(name)[\(index)]", reason: "must be a non-empty string")
                }
                texts.append(text)
            }
            return texts
        default: throw .invalidParameter(field: name, reason: "must be an array of strings")
        }
    }

    /// Photos: each an http(s) URL the server already has, or `{data: base64, content_type,
    /// filename?}` taken offline (uploaded through `/imgupload` first).
    func photos(_ name: String, maximumCount: Int) throws(MutationError) -> [PhotoInput] {
        switch values[name] {
        case nil, .null?: return []
        case .array(let elements)?:
            guard elements.count <= maximumCount else { throw .invalidParameter(field: name, reason: "must hold at most \(maximumCount) photos") }
            var photos: [PhotoInput] = []
            for (index, element) in elements.enumerated() {
                let field = "\(name)[\(index)]"
                switch element {
                case .string(let url):
                    guard url.hasPrefix("http://") || url.hasPrefix("https://"), url.unicodeScalars.count <= 500 else {
                        throw .invalidParameter(field: field, reason: "must be an http(s) URL")
                    }
                    photos.append(.url(url))
                case .object:
                    let photo = MutationParameters(values: element.objectMembers)
                    let contentType = try photo.text("content_type")
                    guard ImageType(rawValue: contentType) != nil else {
                        throw .invalidParameter(field: "\(field).content_type", reason: "must be one of \(ImageType.contentTypes.joined(separator: ", "))")
                    }
                    guard let data = Data(base64Encoded: try photo.text("data")), !data.isEmpty else {
                        throw .invalidParameter(field: "\(field).data", reason: "must be base64-encoded image bytes")
                    }
                    guard data.count <= Self.maximumPhotoSize else {
                        throw .invalidParameter(field: "\(field).data", reason: "must be at most 5 MB")
                    }
                    let filename = try photo.optionalText("filename", maximumLength: 100) ?? "photo"
                    photos.append(.file(OutboxBlob(data: data, contentType: contentType, filename: filename)))
                default:
                    throw .invalidParameter(field: field, reason: "must be a URL or {data, content_type}")
                }
            }
            return photos
        default: throw .invalidParameter(field: name, reason: "must be an array")
        }
    }

    static let maximumPhotoSize = 5 * 1024 * 1024
}

/// A photo as a front end gives it: a URL, or bytes to upload.
enum PhotoInput: Sendable, Hashable {
    case url(String)
    case file(OutboxBlob)
}

extension JSONValue {
    var objectMembers: [String: JSONValue] {
        if case .object(let members) = self { return members }
        return [:]
    }
}
