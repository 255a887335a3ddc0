import Foundation

/// A documented path such as `/project/{id}/join`, with its `{name}` placeholders.
///
/// It renders a concrete path from values and matches a concrete path back to them,
/// so the client and the reference server share one spelling of every route.
public struct PathTemplate: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// One piece of a path between slashes: fixed text or a named placeholder.
    public enum Segment: Sendable, Hashable {
        case literal(String)
        case parameter(String)
    }

    /// The path exactly as the document writes it, e.g. `/assistant/project/{id}/paitient`.
    public let template: String
    public let segments: [Segment]

    public init(_ template: String) {
        self.template = template
        self.segments = template.split(separator: "/", omittingEmptySubsequences: true).map { piece in
            if piece.hasPrefix("{"), piece.hasSuffix("}") {
                return .parameter(String(piece.dropFirst().dropLast()))
            }
            return .literal(String(piece))
        }
    }

    public init(stringLiteral value: String) {
        self.init(value)
    }

    public var description: String { template }

    /// The placeholder names in order, e.g. `["id"]`.
    public var parameterNames: [String] {
        segments.compactMap { segment in
            if case .parameter(let name) = segment { return name }
            return nil
        }
    }

    /// The concrete path for these placeholder values, each percent-encoded as a path segment.
    /// Throws ``PathTemplateError/missingValue(_:)`` when a placeholder has no value.
    public func render(_ values: [String: String]) throws(PathTemplateError) -> String {
        var path = ""
        for segment in segments {
            path += "/"
            switch segment {
            case .literal(let text):
                path += text
            case .parameter(let name):
                guard let value = values[name], !value.isEmpty else { throw .missingValue(name) }
                path += Self.percentEncodeSegment(value)
            }
        }
        return path.isEmpty ? "/" : path
    }

    /// The placeholder values if `path` (without query) has this template's shape, else nil.
    public func match(_ path: String) -> [String: String]? {
        let pieces = path.split(separator: "/", omittingEmptySubsequences: true)
        guard pieces.count == segments.count else { return nil }
        var values: [String: String] = [:]
        for (piece, segment) in zip(pieces, segments) {
            switch segment {
            case .literal(let text):
                guard piece == text else { return nil }
            case .parameter(let name):
                values[name] = String(piece).removingPercentEncoding ?? String(piece)
            }
        }
        return values
    }

    private static let segmentCharacters: CharacterSet = {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/")
        return allowed
    }()

    private static func percentEncodeSegment(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: segmentCharacters) ?? value
    }
}

/// Why a ``PathTemplate`` could not be rendered.
public enum PathTemplateError: Error, Sendable, Hashable, CustomStringConvertible {
    case missingValue(String)

    public var description: String {
        switch self {
        case .missingValue(let name): "path parameter '\(name)' has no value"
        }
    }
}
