import Foundation

/// A keyword search as every list of vdapi does it: the `keyword` parameter, at most 100
/// characters; blanks around it ignored, and a blank keyword meaning no search; matched as a
/// substring with `%`, `_` and `\` taken literally.
struct KeywordSearch: Sendable, Hashable {
    static let maxLength = 100

    /// The keyword without its surrounding blanks.
    let text: String

    /// The search in `parameters[name]`; nil when there is none.
    init?(_ parameters: Parameters, name: String = "keyword") throws(CallError) {
        guard let raw = try parameters.string(name, maxLength: Self.maxLength) else { return nil }
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return nil }
        text = trimmed
    }

    /// The pattern for `column LIKE ? ESCAPE '\'`, finding the keyword anywhere.
    var likePattern: String {
        let escaped =
            text
            .replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
        return "%\(escaped)%"
    }
}
