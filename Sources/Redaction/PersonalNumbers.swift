/// Masks what could identify or reach a person in text the server wrote (an `error_message`
/// may echo a parameter): every run of 7 or more digits — mainland phones (11 digits), ID-card
/// numbers (15 or 18, the last possibly `X`) — becomes `***`, so rejections can be shown and logged.
///
/// Shorter numbers (ids, counts, codes, years) are kept: they are what makes a message useful.
public enum PersonalNumbers {
    /// The shortest run of digits that is masked.
    public static let minimumDigits = 7

    public static func masked(_ text: String) -> String {
        var result = ""
        var digits = ""
        func flush() {
            result += digits.count >= minimumDigits ? "***" : digits
            digits = ""
        }
        for character in text {
            if character.isASCII, character.isNumber {
                digits.append(character)
            } else if character == "X" || character == "x", digits.count >= minimumDigits {
                // The check letter of an ID-card number belongs to it.
                flush()
            } else {
                flush()
                result.append(character)
            }
        }
        flush()
        return result
    }
}
