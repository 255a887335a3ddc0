import Foundation

/// The one list of keys whose values are secret or personal, wherever they appear: log lines
/// (``LogRedaction`` masks their values), the command line's output (it leaves them out), and
/// anything else that shows records.
///
/// Secret keys, case-insensitive: any key ending in `token`, `password`, `passwd`, `pwd` or
/// `secret` (`x-auth-token`, `access_token`, `new_pwd`), `authorization`, `verify_code`, `idno`,
/// `id_no`, `id_card`. Personal keys: `phone` and the API's `phono`; their values are also
/// masked by shape in logs (``LogRedaction``), which keeps a phone's first and last digits.
public enum SensitiveKeys {
    /// A regular expression matching a whole secret key (case-insensitive).
    public static let secretPattern =
        "[A-Za-z0-9_-]*(?:token|password|passwd|pwd|secret)|authorization|verify_?code|idno|id_no|id_?card(?:_?no)?"

    /// A word every secret key contains: a line without any of them holds no secret key. Kept in
    /// step with ``secretPattern`` by `SensitiveKeysTests`.
    public static let secretWords = ["token", "passw", "pwd", "secret", "authorization", "verify", "idno", "id_no", "idcard", "id_card"]

    /// Keys of personal data that is not secret but never shown in a summary.
    public static let personal: Set<String> = ["phone", "phono"]

    private static let secretKey = try! NSRegularExpression(pattern: "^(?:" + secretPattern + ")$", options: [.caseInsensitive])

    /// Whether `key`'s value is a secret (a token, a password, a code, an ID-card number).
    public static func isSecret(_ key: String) -> Bool {
        secretKey.firstMatch(in: key, range: NSRange(location: 0, length: (key as NSString).length)) != nil
    }

    /// Whether `key`'s value must not be shown: a secret, or personal data.
    public static func isHidden(_ key: String) -> Bool {
        personal.contains(key.lowercased()) || isSecret(key)
    }
}
