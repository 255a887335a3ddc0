import Foundation
import VolunteerAPI

/// Turns a submitted form into a mutation's params: text as the socket takes it (absent when
/// empty, so the daemon names the missing field), photos as base64 with their type.
enum Forms {
    static func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }

    /// The files of `name` as the socket's photos, or nil when none was chosen.
    static func photos(_ form: FormInput, _ name: String) -> JSONValue? {
        guard let files = form.files[name], !files.isEmpty else { return nil }
        return .array(
            files.map { file in
                var photo: [String: JSONValue] = [
                    "data": .string(Data(file.bytes).base64EncodedString()), "content_type": .string(file.contentType),
                ]
                if let filename = file.filename, !filename.isEmpty { photo["filename"] = .string(filename) }
                return .object(photo)
            })
    }

    /// `base` with `extra`'s members added; null members are left out.
    static func merging(_ base: JSONValue, _ extra: [String: JSONValue]) -> JSONValue {
        guard case .object(var members) = base else { return base }
        for (key, value) in extra { members[key] = value }
        return .object(members.filter { $0.value != .null })
    }

    /// An object's null members left out, so an empty field reads as absent.
    static func compact(_ params: JSONValue) -> JSONValue { merging(params, [:]) }
}
