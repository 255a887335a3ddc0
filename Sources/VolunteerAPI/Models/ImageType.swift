import Foundation

/// The photo formats an upload (`/imgupload`, a multipart `file`) may have: JPEG, PNG, GIF and
/// WebP. The document names none; vdapi takes these (docs/reference-server.md), so the agent
/// takes them from front ends and the command line maps file names to them. This is the one
/// list of them.
public enum ImageType: String, CaseIterable, Sendable, Hashable {
    case jpeg = "image/jpeg"
    case png = "image/png"
    case gif = "image/gif"
    case webp = "image/webp"

    /// The registered media type, e.g. `image/jpeg`.
    public var contentType: String { rawValue }

    /// The extension a stored file of this type gets.
    public var fileExtension: String {
        switch self {
        case .jpeg: "jpg"
        case .png: "png"
        case .gif: "gif"
        case .webp: "webp"
        }
    }

    /// Every registered media type, in this order: for schemas and messages.
    public static var contentTypes: [String] { allCases.map(\.contentType) }

    /// The type a declared `Content-Type` names: case and parameters (`; charset=…`) aside, and
    /// `image/jpg`, which is not registered but which some clients send, taken for JPEG.
    public init?(contentType: String) {
        let declared = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        if declared == "image/jpg" {
            self = .jpeg
            return
        }
        self.init(rawValue: declared)
    }

    /// The type a file name's extension says (`jpg` and `jpeg` both JPEG), whatever its case.
    public init?(fileExtension: String) {
        let lowered = fileExtension.lowercased()
        if lowered == "jpeg" {
            self = .jpeg
            return
        }
        guard let type = Self.allCases.first(where: { $0.fileExtension == lowered }) else { return nil }
        self = type
    }
}
