import Foundation

/// A file to upload (`POST /imgupload`): its bytes, a file name and a content type. A plain value.
///
/// The file name is sanitised when the value is made, so it can be written into a multipart
/// `Content-Disposition` header as is: only its last path component is kept (`/` and `\` both
/// separate), quotes, backslashes and control characters (CR and LF among them) are dropped, it
/// is cut to ``maximumFilenameLength`` characters, and a name left empty (or `.`/`..`) becomes
/// `upload`. The content type is kept as given, trimmed; the request refuses one that cannot be a
/// header value (see ``UpstreamRequest/init(endpoint:path:file:baseURL:token:location:boundary:)``).
///
/// Guarantees: ``description`` and ``debugDescription`` show the name, the type and the size,
/// never the bytes (`photo.png (image/png, 67 bytes)`), and a mirror of the value shows the same.
public struct UpstreamFile: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The file's contents.
    public let bytes: [UInt8]
    /// The sanitised file name, as it is sent.
    public let filename: String
    /// The declared type, e.g. `image/jpeg`; vdapi accepts JPEG, PNG, GIF and WebP.
    public let contentType: String

    /// The longest file name sent, in characters.
    public static let maximumFilenameLength = 128

    public init(bytes: [UInt8], filename: String, contentType: String) {
        self.bytes = bytes
        self.filename = Self.sanitizedFilename(filename)
        self.contentType = contentType.trimmingCharacters(in: .whitespaces)
    }

    public init(data: Data, filename: String, contentType: String) {
        self.init(bytes: [UInt8](data), filename: filename, contentType: contentType)
    }

    /// `photo.png (image/png, 67 bytes)`.
    public var description: String { "\(filename) (\(contentType), \(bytes.count) bytes)" }
    public var debugDescription: String { "UpstreamFile(\(description))" }
    public var customMirror: Mirror {
        Mirror(self, children: ["filename": filename, "contentType": contentType, "size": bytes.count], displayStyle: .struct)
    }

    /// The name as it may travel in a quoted header parameter: the last path component, without
    /// quotes, backslashes or control characters, at most ``maximumFilenameLength`` characters;
    /// `upload` when nothing usable is left.
    public static func sanitizedFilename(_ name: String) -> String {
        let lastComponent = name.split(omittingEmptySubsequences: false) { $0 == "/" || $0 == "\\" }.last.map(String.init) ?? ""
        var kept = String.UnicodeScalarView()
        for scalar in lastComponent.unicodeScalars where !isDropped(scalar) {
            kept.append(scalar)
        }
        var cleaned = String(String(kept).trimmingCharacters(in: .whitespaces).prefix(maximumFilenameLength))
        cleaned = cleaned.trimmingCharacters(in: .whitespaces)
        return cleaned.isEmpty || cleaned == "." || cleaned == ".." ? "upload" : cleaned
    }

    private static func isDropped(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "\"", "\\", "/": true
        default:
            // C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
            scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "\u{2028}" || scalar == "\u{2029}"
        }
    }
}
