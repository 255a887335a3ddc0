import Foundation

/// Masks secrets and personal numbers in any text before it is logged. ``JournalLogHandler``
/// passes every line through ``redact(_:)``, so no call site has to remember to.
///
/// What is masked, in this order:
/// 1. The value of a sensitive key, in any of the forms logs carry it: `pwd=...` (also in a URL
///    query), `token: ...` (a header), `"password":"..."` (JSON, also JSON escaped inside a
///    string), `authorization=Bearer ...`. Sensitive keys are ``SensitiveKeys``'s secret ones
///    (`x-auth-token`, `new_pwd`, `verify_code`, `idno`...). The key and its quotes stay, the
///    value becomes `***`.
/// 2. A bearer credential: `Bearer <anything>` becomes `Bearer ***`; a JSON Web Token
///    (`eyJ...` and dot-separated parts) becomes `***`.
/// 3. Token-like runs of 32 or more characters of `[A-Za-z0-9+/_-]`: all hex digits (the
///    upstream's tokens are 45 hex digits), or mixing digits, lower and upper case letters
///    (base64 and JWT parts). Paths, words and UUIDs, which never mix all three, stay.
/// 4. Mainland ID-card numbers: 18 digits (the last possibly `X`) or 15 digits, not inside a
///    longer run of digits, become `***`.
/// 5. Mainland mobile numbers: `1[3-9]` and 9 more digits, not inside a longer run of digits,
///    optionally after `+86`/`0086`/`86` or split as `138 1234 5678`, become `138****5678`.
///
/// What is kept, on purpose: shorter numbers (ids, counts, six-digit codes in a message's
/// text, years), dates, times, durations, UUIDs, addresses and ports; without them a log
/// cannot be read. Over-masking a harmless value is acceptable; missing a secret is not.
public enum LogRedaction {
    /// `text` with every secret and personal number masked.
    public static func redact(_ text: String) -> String {
        // Most lines need few of the rules; a rule runs only if the line holds what it looks for.
        // Masking only ever removes such clues, so the clues of the original line suffice.
        let clues = Clues(text)
        var result = text
        if clues.sensitiveWord {
            result = replace(keyValue, in: result) { group in
                // The value's quotes stay, so the line keeps its shape (JSON stays JSON).
                let value = group(4)
                let masked: String
                if value.hasPrefix(#"\""#) {
                    masked = #"\"***\""#
                } else if let quote = value.first, quote == "\"" || quote == "'" {
                    masked = "\(quote)***\(quote)"
                } else {
                    masked = "***"
                }
                return group(1) + group(2) + group(3) + masked
            }
        }
        if clues.bearer {
            result = replace(bearer, in: result) { group in group(1) + "***" }
        }
        if clues.jwt {
            result = replace(jwt, in: result) { _ in "***" }
        }
        if clues.longestTokenRun >= 32 {
            result = replace(tokenRun, in: result) { group in
                looksLikeToken(group(0)) ? "***" : group(0)
            }
        }
        if clues.digits >= 11 {
            result = replace(idCard, in: result) { _ in "***" }
            result = replace(mobile, in: result) { group in group(1) + group(2) + "****" + group(4) }
        }
        return result
    }

    /// What a line holds that some rule looks for, found in one pass.
    private struct Clues {
        var digits = 0
        var longestTokenRun = 0
        var sensitiveWord = false
        var bearer = false
        var jwt = false

        init(_ text: String) {
            var run = 0
            for byte in text.utf8 {
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"):
                    digits += 1
                    run += 1
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "_"), UInt8(ascii: "-"):
                    run += 1
                default:
                    run = 0
                }
                longestTokenRun = max(longestTokenRun, run)
            }
            let lower = text.lowercased()
            sensitiveWord = SensitiveKeys.secretWords.contains { lower.contains($0) }
            bearer = lower.contains("bearer")
            jwt = text.contains("eyJ")
        }
    }

    /// Whether a run of 32+ token characters is a credential rather than a path or a word.
    static func looksLikeToken(_ run: String) -> Bool {
        if run.allSatisfy(\.isHexDigit) {
            return true
        }
        var digit = false
        var lower = false
        var upper = false
        for character in run.unicodeScalars {
            switch character {
            case "0"..."9": digit = true
            case "a"..."z": lower = true
            case "A"..."Z": upper = true
            default: break
            }
        }
        return digit && lower && upper
    }

    // MARK: - The rules

    private static let sensitiveKey = SensitiveKeys.secretPattern

    /// 1: key (with an optional quote, plain or JSON-escaped), separator, value. Groups: 1 the
    /// opening quote of the key, 2 the key and its closing quote, 3 the separator, 4 the value.
    private static let keyValue = regex(
        #"(?<![A-Za-z0-9_-])(\\?["']?)((?:"# + sensitiveKey + #")\\?["']?)(\s*[:=]\s*)("#
            + #"\\"(?:(?!\\").)*\\"|"(?:[^"\\]|\\.)*"|'[^']*'|(?:(?:bearer|basic|token)\s+)?[^\s"',;&}\])]+)"#,
        caseInsensitive: true)

    private static let bearer = regex(#"\b(bearer\s+)(?!\*\*\*)[A-Za-z0-9._~+/=-]+"#, caseInsensitive: true)

    /// A JSON Web Token: base64url segments separated by dots, the first an encoded `{"`.
    private static let jwt = regex(#"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*)?"#)

    private static let tokenRun = regex(#"(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{32,}={0,2}"#)

    private static let idCard = regex(#"(?<![0-9])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9])"#)

    /// Groups: 1 the country prefix (kept), 2 the first three digits (kept), 3 the middle
    /// four with any separators (masked), 4 the last four (kept).
    private static let mobile = regex(
        #"(?<![0-9])((?:\+|00)?86[ -]?)?(1[3-9][0-9])([ -]?[0-9]{4}[ -]?)([0-9]{4})(?![0-9])"#)

    // MARK: - Regular expressions

    private static func regex(_ pattern: String, caseInsensitive: Bool = false) -> NSRegularExpression {
        // The patterns are constants of this file; a typo must fail the first test, loudly.
        try! NSRegularExpression(pattern: pattern, options: caseInsensitive ? [.caseInsensitive] : [])
    }

    /// `text` with each match of `regex` replaced by `transform`, which reads capture groups
    /// by number (an unmatched group reads as "").
    private static func replace(
        _ regex: NSRegularExpression, in text: String, with transform: (_ group: (Int) -> String) -> String
    ) -> String {
        let source = text as NSString
        let matches = regex.matches(in: text, range: NSRange(location: 0, length: source.length))
        guard !matches.isEmpty else { return text }
        var result = ""
        var position = 0
        for match in matches {
            result += source.substring(with: NSRange(location: position, length: match.range.location - position))
            result += transform { index in
                let range = match.range(at: index)
                return range.location == NSNotFound ? "" : source.substring(with: range)
            }
            position = match.range.location + match.range.length
        }
        result += source.substring(from: position)
        return result
    }
}
