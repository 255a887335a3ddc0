import Foundation
import NIOCore
import VolunteerAPI

/// A captcha to show before an SMS code is sent (`GET /captcha/app`, §1.2.3): the image as the
/// server sent it, and the id it set as the `captcha_id` cookie, which `/verifycode` must carry
/// back with the answer. Its description never shows the id.
public struct CaptchaChallenge: Sendable, Hashable, CustomStringConvertible {
    public let image: [UInt8]
    public let contentType: String
    public let id: String

    public init(image: [UInt8], contentType: String, id: String) {
        self.image = image
        self.contentType = contentType
        self.id = id
    }

    public var description: String { "captcha (\(contentType), \(image.count) bytes)" }
}

/// The account flows of §1.2 and §3.1 besides the password login: SMS codes (with or without a
/// captcha), the login by phone and code, registering, a new password. Each is one request with
/// an outcome like every other call; none is retried here (a code is used up once). Codes and
/// passwords travel only in request bodies, which are never logged.
extension UpstreamClient {
    /// Fetches a captcha image and the id to answer it with.
    public func captcha() async -> UpstreamOutcome<CaptchaChallenge> {
        await perform(.captcha, path: [:], parameters: [:]) { exchange in
            Self.captchaOutcome(exchange)
        }
    }

    /// Asks the server to send an SMS code to `phone`: with a `captcha` answer through
    /// `POST /verifycode` (§1.2.4), else through `POST /phone/verifycode` (§3.1.11).
    public func sendVerifyCode(phone: String, captcha: (id: String, answer: String)? = nil) async -> UpstreamOutcome<EmptyPayload> {
        guard let captcha else {
            return await call(.sendVerifyCode, parameters: ["phone": .string(phone)], as: EmptyPayload.self)
        }
        guard !captcha.id.isEmpty, captcha.id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            return .rejected(UpstreamRejection(message: "the captcha id is not one the server set"))
        }
        let baseURL = configuration.baseURL
        let location = configuration.location
        let parameters: [String: JSONValue] = ["phone": .string(phone), "captcha_code": .string(captcha.answer)]
        return await perform(
            .sendVerifyCodeWithCaptcha,
            build: { token throws(UpstreamRequestError) in
                var request = try UpstreamRequest(
                    endpoint: .sendVerifyCodeWithCaptcha, parameters: parameters, baseURL: baseURL, token: token, location: location)
                request.headers.add(name: "Cookie", value: "captcha_id=\(captcha.id)")
                return request
            },
            classify: { exchange in OutcomeClassifier.outcome(of: exchange, as: EmptyPayload.self, isLogin: true) })
    }

    /// Logs in with `phone` and an SMS code (`POST /login/phone`, §3.1.14; the document names
    /// the phone field `photo`) and keeps the answered token as the session, as
    /// ``login(phone:password:role:)`` does. `isNew` says the call registered the account.
    public func loginByCode(phone: String, code: String) async -> UpstreamOutcome<PhoneLogin> {
        let outcome = await call(.loginByPhone, parameters: ["photo": .string(phone), "verify_code": .string(code)], as: PhoneLogin.self)
        guard case .applied(let answer) = outcome else { return outcome }
        guard let token = answer.user.token, !token.isEmpty else {
            return .unknown(UpstreamUncertainty(.undecodablePayload("PhoneLogin field 'token': missing in the login answer"), httpStatus: 200))
        }
        session = UpstreamSession(token: token, role: answer.user.role, userID: answer.user.id)
        return outcome
    }

    /// Registers an account of `role` with `phone`, an SMS code and a password
    /// (`POST /register`, §3.1.1); the answer carries a token, kept as the session.
    public func register(phone: String, code: String, password: String, role: UserRole) async -> UpstreamOutcome<UserProfile> {
        let parameters: [String: JSONValue] = [
            "phono": .string(phone), "verify_code": .string(code), "pwd": .string(password), "type": .integer(role.rawValue),
        ]
        let outcome = await perform(.register, path: [:], parameters: parameters) { exchange in
            OutcomeClassifier.outcome(of: exchange, as: UserProfile.self, isLogin: true, expectedRole: role)
        }
        if case .applied(let profile) = outcome, let token = profile.token, !token.isEmpty {
            session = UpstreamSession(token: token, role: role, userID: profile.id)
        }
        return outcome
    }

    /// Sets a new password with an SMS code (`POST /reset/pwd`, §3.1.7). The server ends every
    /// session of the account.
    public func resetPassword(phone: String, code: String, password: String, role: UserRole) async -> UpstreamOutcome<EmptyPayload> {
        let parameters: [String: JSONValue] = [
            "phono": .string(phone), "verify_code": .string(code), "pwd": .string(password), "type": .integer(role.rawValue),
        ]
        return await perform(.resetPassword, path: [:], parameters: parameters) { exchange in
            OutcomeClassifier.outcome(of: exchange, as: EmptyPayload.self, isLogin: true)
        }
    }

    /// A captcha answer is an image, not an envelope: an image with the cookie is the captcha;
    /// anything else is classified as every answer is (a refusal is an envelope), and a success
    /// that is not an image is an answer this client cannot use.
    static func captchaOutcome(_ exchange: UpstreamExchange) -> UpstreamOutcome<CaptchaChallenge> {
        let contentType = exchange.headers.first(name: "Content-Type") ?? ""
        let httpStatus = exchange.status
        if exchange.error == nil, httpStatus == 200, contentType.lowercased().hasPrefix("image/"), let body = exchange.body {
            let cookie = exchange.headers["Set-Cookie"].lazy.compactMap(Self.captchaID(inSetCookie:)).first
            guard let cookie else {
                return .unknown(UpstreamUncertainty(.undecodablePayload("the captcha answer set no captcha_id cookie"), httpStatus: 200))
            }
            return .applied(CaptchaChallenge(image: Array(body.readableBytesView), contentType: contentType, id: cookie))
        }
        return OutcomeClassifier.classify(exchange, isLogin: true).flatMap { _ in
            .unknown(UpstreamUncertainty(.undecodablePayload("the captcha answer is not an image"), httpStatus: exchange.status))
        }
    }

    /// The value of `captcha_id` in one `Set-Cookie` header (`captcha_id=<id>; Path=/; HttpOnly`).
    static func captchaID(inSetCookie header: String) -> String? {
        guard let pair = header.split(separator: ";").first else { return nil }
        let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, parts[0] == "captcha_id", !parts[1].isEmpty else { return nil }
        return parts[1]
    }
}
