import Testing

@testable import Redaction

/// What the log redaction masks, and — as important — what it leaves alone.
@Suite("Log redaction")
struct LogRedactionTests {
    @Test(
        "secrets in key/value form are masked, key and quotes kept",
        arguments: [
            ("pwd=demo123", "pwd=***"),
            ("login phono=13800000001&pwd=demo123&type=2", "login phono=138****0001&pwd=***&type=2"),
            ("POST /login?pwd=s3cret&type=2", "POST /login?pwd=***&type=2"),
            (#"{"phono":"13800000001","pwd":"demo123","type":2}"#, #"{"phono":"138****0001","pwd":"***","type":2}"#),
            (#"{"password": "hunter2 with spaces"}"#, #"{"password": "***"}"#),
            (#"{"password":"esc\"aped"}"#, #"{"password":"***"}"#),
            (#"body="{\"pwd\":\"demo123\",\"type\":2}""#, #"body="{\"pwd\":\"***\",\"type\":2}""#),
            ("X-auth-token: 6f476a45", "X-auth-token: ***"),
            ("x-auth-token=abc", "x-auth-token=***"),
            ("Authorization: Bearer eyJhbGciOi.abc.def", "Authorization: ***"),
            ("authorization=Basic dXNlcjpwYXNz", "authorization=***"),
            ("token=abc123 next=1", "token=*** next=1"),
            ("TOKEN = abc", "TOKEN = ***"),
            ("access_token=a1b2; path=/", "access_token=***; path=/"),
            ("new_password='p w'", "new_password='***'"),
            ("passwd=x", "passwd=***"),
            ("verify_code=482913", "verify_code=***"),
            (#""verifyCode":"482913""#, #""verifyCode":"***""#),
            ("idno=111000197807138521", "idno=***"),
            (#"{"idno": 111000197807138521}"#, #"{"idno": ***}"#),
            ("client_secret=xyz", "client_secret=***"),
            ("[token: abc, page: 1]", "[token: ***, page: 1]"),
            ("sent with Bearer abc.def-ghi", "sent with Bearer ***"),
        ])
    func keyValues(input: String, expected: String) {
        #expect(LogRedaction.redact(input) == expected)
    }

    @Test(
        "token-like runs of 32+ characters are masked",
        arguments: [
            ("token 6f476a45e20898330f07cbc4ff03e3df5a35203f36e3c expired", "token *** expired"),
            ("hash ABCDEF0123456789ABCDEF0123456789", "hash ***"),
            ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl, next", "jwt ***, next"),
            ("header-only eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9", "header-only ***"),
            ("key dGhpcyBpcyBhIHNlY3JldCBrZXkgMTIzNDU2Nzg5MA==", "key ***"),
            ("url-safe Zm9vYmFyX2Jhel9xdXhfMTIzNDU2Nzg5MC1hYmNkZWY", "url-safe ***"),
        ])
    func tokenRuns(input: String, expected: String) {
        #expect(LogRedaction.redact(input) == expected)
    }

    @Test(
        "mainland mobile numbers keep the first 3 and last 4 digits",
        arguments: [
            ("13812345678", "138****5678"),
            ("call 19912345678.", "call 199****5678."),
            ("手机13812345678,请回电", "手机138****5678,请回电"),
            ("+8613812345678", "+86138****5678"),
            ("0086 15012345678", "0086 150****5678"),
            ("138 1234 5678", "138****5678"),
            ("138-1234-5678", "138****5678"),
            ("phones 13800000001/13800000002", "phones 138****0001/138****0002"),
            (#"{"phone":"17712345678"}"#, #"{"phone":"177****5678"}"#),
        ])
    func mobiles(input: String, expected: String) {
        #expect(LogRedaction.redact(input) == expected)
    }

    @Test(
        "ID-card numbers (18 digits, possibly ending in X, or 15) are masked",
        arguments: [
            ("idcard 111000197807138521 ok", "idcard *** ok"),
            ("11010519491231002X", "***"),
            ("11010519491231002x,", "***,"),
            ("old 110105491231002 card", "old *** card"),
            ("身份证号:44030419900101123X。", "身份证号:***。"),
            (#"{"id_card":"110105194912310021"}"#, #"{"id_card":"***"}"#),
        ])
    func idCards(input: String, expected: String) {
        #expect(LogRedaction.redact(input) == expected)
    }

    @Test(
        "ordinary text and numbers are left alone",
        arguments: [
            "verification code 482913 sent",  // a 6-digit number
            "diagnosis 20261129001 created",  // an 11-digit id that is no phone (starts 20)
            "diagnosis id=1234567 status=3",
            "project 12 page 3 of 40, 25 per page",
            "date 2026-11-29 time 04:15:00 at 2026-11-29T04:15:00.123Z",
            "took 1.5 seconds, retry in 120s, 3 attempts",
            "upstream http://127.0.0.1:8080/doctor/project answered 200",
            "[::1]:8443 and 10.0.0.12",
            "request 550e8400-e29b-41d4-a716-446655440000",
            "request E621E1F8-C36C-495A-93FC-0C247A3E6E5F",
            "path /var/lib/vdsync/mirror/database.sqlite-wal",
            "socket /run/vdsyncd/vdsyncd.sock listening",
            "unix time 1795846500 and ms 1795846500123",  // 10 and 13 digits: not a phone inside
            "12345678901",  // 11 digits, but not 1[3-9]
            "21381234567890",  // a phone-like run inside a longer one (14 digits)
            "1381234567",  // 10 digits
            "amount 1380.50 yuan",
            "tokens_used=5 token_type=bearer",
            "reset flow: GET /reset/pwd returned 200",
            "the password was wrong",
            "error_code=4001 error_message=\"登录失败\"",
            "seq 9007199254740991",  // 16 digits: neither an ID card nor a phone
            "supercalifragilisticexpialidocious_and_more_words",  // a long word, no digits or capitals
        ])
    func leftAlone(text: String) {
        #expect(LogRedaction.redact(text) == text)
    }

    @Test("masking is idempotent")
    func idempotent() {
        let once = LogRedaction.redact("pwd=x phone 13812345678 id 111000197807138521 token 6f476a45e20898330f07cbc4ff03e3df5a")
        #expect(LogRedaction.redact(once) == once)
        #expect(once == "pwd=*** phone 138****5678 id *** token ***")
    }
}
