import Foundation
import LocalRPC
import VolunteerAPI

/// A photo given on the command line, as a mutation's `photos` param wants it: an http(s) URL
/// is passed on as it is; anything else is a local file, read and sent as
/// `{data: base64, content_type, filename}` so the daemon can upload it when online.
///
/// The content type comes from the file's extension (the daemon accepts JPEG, PNG, GIF and
/// WebP only); an unknown extension or an unreadable file is a usage error here, before anything
/// reaches the daemon.
public enum PhotoArgument {
    /// Why a photo argument cannot be used.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case unsupportedType(path: String)
        case unreadable(path: String)

        public var description: String {
            switch self {
            case .unsupportedType(let path): "\(path): not a photo the daemon accepts (.jpg, .jpeg, .png, .gif or .webp)"
            case .unreadable(let path): "\(path): cannot be read"
            }
        }
    }

    /// The param value for `argument`, a URL or a path (relative paths from the current directory).
    public static func value(for argument: String) throws(Failure) -> JSONValue {
        let lowered = argument.lowercased()
        if lowered.hasPrefix("http://") || lowered.hasPrefix("https://") { return .string(argument) }
        let url = URL(fileURLWithPath: argument)
        guard let type = ImageType(fileExtension: url.pathExtension) else { throw .unsupportedType(path: argument) }
        guard let data = try? Data(contentsOf: url) else { throw .unreadable(path: argument) }
        return ["data": .string(data.base64EncodedString()), "content_type": .string(type.contentType), "filename": .string(url.lastPathComponent)]
    }
}
