import Foundation

/// A refused field's message in the screens' language. The daemon's `-32602` message is English
/// (`invalid params: 'reason' must be at most 500 characters`): its common problems are said
/// again in Chinese, and any other keeps the daemon's words after a general 格式不正确, so that
/// nothing precise is lost.
enum FieldMessage {
    static func text(for message: String) -> String {
        let problem = problem(of: message)
        if problem.hasPrefix("is required") || problem == "must not be empty" { return KioskStrings.text("field_required") }
        if let count = number(after: "must be at most ", before: " characters", in: problem) {
            return KioskStrings.text("field_too_long").replacingOccurrences(of: "{n}", with: count)
        }
        if let count = number(after: "must hold at most ", before: " ", in: problem) {
            return KioskStrings.text("field_too_many").replacingOccurrences(of: "{n}", with: count)
        }
        if problem.contains("mobile number") { return KioskStrings.text("field_phone") }
        if problem == "must be at most 5 MB" { return KioskStrings.text("field_photo_too_large") }
        if let range = problem.range(of: "between "), let and = problem.range(of: " and ", range: range.upperBound..<problem.endIndex) {
            return KioskStrings.text("field_between").replacingOccurrences(of: "{low}", with: problem[range.upperBound..<and.lowerBound])
                .replacingOccurrences(of: "{high}", with: problem[and.upperBound...])
        }
        return KioskStrings.text("field_invalid") + "（\(message)）"
    }

    /// What follows `'field' ` in `invalid params: 'field' problem`; the whole message otherwise.
    static func problem(of message: String) -> String {
        guard let open = message.range(of: "'"), let close = message.range(of: "' ", range: open.upperBound..<message.endIndex) else {
            return message
        }
        return String(message[close.upperBound...])
    }

    private static func number(after prefix: String, before suffix: String, in text: String) -> String? {
        guard text.hasPrefix(prefix) else { return nil }
        let digits = text.dropFirst(prefix.count).prefix { $0.isNumber }
        guard !digits.isEmpty, text.dropFirst(prefix.count + digits.count).hasPrefix(suffix) else { return nil }
        return String(digits)
    }
}
