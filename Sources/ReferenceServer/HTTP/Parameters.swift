import Foundation
import MultipartKit
import NIOCore
import VolunteerAPI

/// The parameters of one API call, from wherever the client put them: path placeholders, the
/// query string, and a JSON, form-encoded or multipart body. The document does not say which
/// body encoding clients use, so all three are accepted; array parameters may be written
/// `photo[]=a&photo[]=b`, `photo=a&photo=b`, `photo[0]=a` or as a JSON array.
///
/// Accessors validate as they read and throw an ``CallError`` naming the parameter.
struct Parameters: Sendable {
    /// A file part of a multipart body.
    struct File: Sendable {
        let contentType: String
        let bytes: ByteBuffer
    }

    enum Value: Sendable {
        case text(String)
        case list([String])
        case file(File)
    }

    private(set) var values: [String: Value] = [:]

    init() {}

    /// The names of every parameter given.
    var names: Set<String> { Set(values.keys) }

    subscript(name: String) -> Value? { values[name] }

    mutating func set(_ name: String, _ value: Value) {
        values[name] = value
    }

    /// Adds one occurrence of `rawName`; `x[]`, `x[3]` and repeated names build a list.
    mutating func add(_ rawName: String, _ value: String) {
        var name = rawName
        var isList = false
        if let bracket = name.firstIndex(of: "["), name.hasSuffix("]") {
            let inside = name[name.index(after: bracket)..<name.index(before: name.endIndex)]
            if inside.isEmpty || inside.allSatisfy(\.isNumber) {
                name = String(name[..<bracket])
                isList = true
            }
        }
        switch values[name] {
        case .list(let existing)?: values[name] = .list(existing + [value])
        case .text(let existing)?: values[name] = .list([existing, value])
        case .file?, nil: values[name] = isList ? .list([value]) : .text(value)
        }
    }

    // MARK: - Reading

    /// A text parameter as sent; nil when absent or empty. Lengths count Unicode scalars, as
    /// JSON Schema's `maxLength` does, so docs/openapi.yaml states exactly this rule.
    func string(_ name: String, maxLength: Int = 10_000) throws(CallError) -> String? {
        switch values[name] {
        case nil: return nil
        case .text(let text)?:
            if text.isEmpty { return nil }
            guard text.unicodeScalars.count <= maxLength else { throw .invalid(name, "超过 \(maxLength) 个字符") }
            return text
        case .list?: throw .invalid(name, "应为单个值")
        case .file?: throw .invalid(name, "应为文本")
        }
    }

    func requiredString(_ name: String, maxLength: Int = 10_000) throws(CallError) -> String {
        guard let value = try string(name, maxLength: maxLength) else { throw .missing(name) }
        return value
    }

    /// A whole-number parameter; nil when absent. An empty value is not a number, so it is
    /// refused (docs/openapi.yaml types it `integer`).
    func int(_ name: String, in range: ClosedRange<Int> = Int.min...Int.max) throws(CallError) -> Int? {
        if case .text("")? = values[name] { throw .invalid(name, "应为整数") }
        guard let text = try string(name, maxLength: 32) else { return nil }
        guard let value = Int(text) else { throw .invalid(name, "应为整数") }
        guard range.contains(value) else { throw .invalid(name, "应在 \(range.lowerBound) 到 \(range.upperBound) 之间") }
        return value
    }

    func requiredInt(_ name: String, in range: ClosedRange<Int> = Int.min...Int.max) throws(CallError) -> Int {
        guard let value = try int(name, in: range) else { throw .missing(name) }
        return value
    }

    /// A list parameter; a single value is a one-element list and a JSON-array text is its elements.
    func strings(_ name: String, maxCount: Int = 100, maxLength: Int = 2_000) throws(CallError) -> [String] {
        let raw: [String]
        switch values[name] {
        case nil: return []
        case .list(let list)?: raw = list
        case .file?: throw .invalid(name, "应为文本")
        case .text(let text)?:
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.hasPrefix("["), let decoded = try? JSONDecoder().decode([JSONValue].self, from: Data(trimmed.utf8)) {
                raw = decoded.compactMap { value in
                    switch value {
                    case .string(let text): text
                    case .integer(let number): String(number)
                    case .number(let number): String(number)
                    default: nil
                    }
                }
            } else {
                raw = [trimmed]
            }
        }
        let list = raw.filter { !$0.isEmpty }
        guard list.count <= maxCount else { throw .invalid(name, "最多 \(maxCount) 项") }
        guard list.allSatisfy({ $0.unicodeScalars.count <= maxLength }) else { throw .invalid(name, "单项超过 \(maxLength) 个字符") }
        return list
    }

    func file(_ name: String) -> File? {
        if case .file(let file)? = values[name] { return file }
        return nil
    }

    // MARK: - Parsing

    /// Adds the `a=b&c=d` pairs of a query string or a form body (`+` is a space).
    mutating func addFormEncoded(_ text: String) throws(CallError) {
        guard !text.isEmpty else { return }
        let spaced = text.replacingOccurrences(of: "+", with: "%20")
        guard let components = URLComponents(string: "http://vdapi/?" + spaced) else {
            throw CallError(.invalidParameter, "参数编码无效")
        }
        for item in components.queryItems ?? [] {
            add(item.name, item.value ?? "")
        }
    }

    /// Adds the members of a JSON object body; nested arrays become lists, objects stay JSON text.
    mutating func addJSON(_ bytes: ByteBuffer) throws(CallError) {
        guard bytes.readableBytes > 0 else { return }
        let body: JSONValue
        do {
            body = try JSONDecoder().decode(JSONValue.self, from: Data(bytes.readableBytesView))
        } catch {
            throw CallError(.invalidParameter, "请求体不是有效的 JSON")
        }
        guard case .object(let members) = body else { throw CallError(.invalidParameter, "请求体应为 JSON 对象") }
        for (name, value) in members {
            switch value {
            case .null: continue
            case .string(let text): set(name, .text(text))
            case .integer(let number): set(name, .text(String(number)))
            case .number(let number): set(name, .text(String(number)))
            case .bool(let flag): set(name, .text(flag ? "1" : "0"))
            case .array(let elements):
                set(
                    name,
                    .list(
                        elements.compactMap { element in
                            switch element {
                            case .string(let text): text
                            case .integer(let number): String(number)
                            case .number(let number): String(number)
                            case .object, .array: (try? JSONEncoder().encode(element)).map { String(decoding: $0, as: UTF8.self) }
                            default: nil
                            }
                        }))
            case .object:
                let text = (try? JSONEncoder().encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
                set(name, .text(text))
            }
        }
    }

    /// Adds the parts of a `multipart/form-data` body: files as files, the rest as text.
    mutating func addMultipart(_ bytes: ByteBuffer, boundary: String) throws(CallError) {
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
            try parser.execute(bytes)
        } catch {
            throw CallError(.invalidParameter, "multipart 请求体无效")
        }
        for part in parts {
            guard let name = part.name else { continue }
            // A part that names a file is a file; its name is not kept (uploads are named by id).
            let disposition = part.headers.first(name: "Content-Disposition") ?? ""
            if disposition.contains("filename=") || disposition.contains("filename*=") {
                let type = part.headers.first(name: "Content-Type") ?? "application/octet-stream"
                set(name, .file(File(contentType: type, bytes: part.body)))
            } else {
                add(name, String(buffer: part.body))
            }
        }
    }
}
