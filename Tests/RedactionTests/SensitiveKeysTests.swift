import Testing

@testable import Redaction

/// The one list of sensitive keys: what it covers, and the quick test words kept in step.
@Suite("Sensitive keys")
struct SensitiveKeysTests {
    static let secrets = [
        "token", "X-auth-token", "access_token", "pwd", "new_pwd", "password", "passwd", "secret", "authorization", "verify_code",
        "verifycode", "idno", "id_no", "id_card", "idcard_no",
    ]

    @Test("secret keys are found whatever their case; ids, names and counts are not secret")
    func secrets() {
        for key in Self.secrets { #expect(SensitiveKeys.isSecret(key), "\(key)") }
        for key in ["id", "real_name", "phone", "status", "tokens_used_count"] { #expect(!SensitiveKeys.isSecret(key), "\(key)") }
    }

    @Test("hidden from display: every secret, and phones")
    func hidden() {
        for key in Self.secrets + ["phone", "phono", "PHONE"] { #expect(SensitiveKeys.isHidden(key), "\(key)") }
        #expect(!SensitiveKeys.isHidden("real_name"))
    }

    @Test("every secret key holds one of the quick test words, so a line without them is skipped safely")
    func wordsInStep() {
        for key in Self.secrets {
            #expect(SensitiveKeys.secretWords.contains { key.lowercased().contains($0) }, "\(key)")
        }
    }
}
