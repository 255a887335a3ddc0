import Foundation
import LocalRPC
import SyncEngine
import UpstreamClient
import VolunteerAPI

/// The account flows a front end needs besides the password login, made by the daemon so that
/// front ends never talk to the network: SMS codes (with a captcha where the front end shows
/// one), the login by code, registering, a new password. They are online only: without the
/// upstream each answers `unreachable`, which is retryable. Codes and passwords are handed to
/// the upstream and kept nowhere: not in the database, not in a log line.
extension LocalAPI {
    func accountMethods() -> [RPCMethod] {
        [captchaMethod(), sendCodeMethod(), loginByCodeMethod(), registerMethod(), resetPasswordMethod()]
    }

    private static let phoneParam = RPCMethod.Param.required("phone", RPCSchema.string(description: "mainland mobile number, 11 digits"))
    private static let codeParam = RPCMethod.Param.required("verify_code", RPCSchema.string(description: "the SMS code the phone received"))
    private static let roleParam = RPCMethod.Param.required("role", RPCSchema.enumeration(["patient", "doctor", "assistant"]))

    private func captchaMethod() -> RPCMethod {
        RPCMethod(
            "account.captcha", summary: "A captcha image to show before account.send_code with a captcha; answer it with its captcha_id.",
            access: .write,
            result: .init(
                "captcha",
                RPCSchema.object(
                    [
                        "captcha_id": RPCSchema.string(description: "pass it back to account.send_code"),
                        "content_type": RPCSchema.string(description: "the image's type, e.g. image/png or image/svg+xml"),
                        "image": RPCSchema.string(description: "the image, base64"),
                    ], required: ["captcha_id", "content_type", "image"]))
        ) { _, _ in
            let captcha = try Self.answer(await agent.client.captcha())
            return [
                "captcha_id": .string(captcha.id), "content_type": .string(captcha.contentType),
                "image": .string(Data(captcha.image).base64EncodedString()),
            ]
        }
    }

    private func sendCodeMethod() -> RPCMethod {
        RPCMethod(
            "account.send_code", summary: "Asks the upstream to send an SMS code to a phone; with captcha_id and captcha_code, through the captcha.",
            access: .write,
            params: [
                Self.phoneParam, .optional("captcha_id", RPCSchema.string(description: "from account.captcha")),
                .optional("captcha_code", RPCSchema.string(description: "what the person read in the captcha image")),
            ],
            result: .init("sent", RPCSchema.boolean())
        ) { params, _ in
            let phone = try Self.phone(params)
            let id = try params.optionalString("captcha_id")
            let answer = try params.optionalString("captcha_code")
            guard (id == nil) == (answer == nil) else {
                throw RPCError.invalidParams(field: id == nil ? "captcha_id" : "captcha_code", problem: "captcha_id and captcha_code go together")
            }
            let captcha = id.flatMap { id in answer.map { (id: id, answer: $0) } }
            _ = try Self.answer(await agent.client.sendVerifyCode(phone: phone, captcha: captcha))
            return true
        }
    }

    private func loginByCodeMethod() -> RPCMethod {
        RPCMethod(
            "session.login_by_code", summary: "Logs in with a phone and an SMS code (patients; a new phone becomes a new account).",
            access: .write, params: [Self.phoneParam, Self.codeParam],
            result: .init(
                "session", RPCSchema.object(["role": RPCSchema.string(), "user_id": RPCSchema.integer(), "is_new": RPCSchema.boolean()]))
        ) { params, _ in
            let phone = try Self.phone(params)
            let code = try params.requiredString("verify_code")
            let (result, isNew) = await agent.loginByCode(phone: phone, code: code)
            var session = try Self.session(result)
            session["is_new"] = .bool(isNew)
            return .object(session)
        }
    }

    private func registerMethod() -> RPCMethod {
        RPCMethod(
            "account.register", summary: "Registers an account with an SMS code and logs it in.", access: .write,
            params: [Self.phoneParam, Self.codeParam, .required("password", RPCSchema.string(description: "6 to 64 characters")), Self.roleParam],
            result: .init("session", RPCSchema.object(["role": RPCSchema.string(), "user_id": RPCSchema.integer()]))
        ) { params, _ in
            let phone = try Self.phone(params)
            let code = try params.requiredString("verify_code")
            let password = try Self.newPassword(params)
            let role = try Self.role(params.requiredString("role", oneOf: ["patient", "doctor", "assistant"]))
            return .object(try Self.session(await agent.register(phone: phone, code: code, password: password, role: role)))
        }
    }

    private func resetPasswordMethod() -> RPCMethod {
        RPCMethod(
            "account.reset_password", summary: "Sets a new password with an SMS code; the upstream ends the account's sessions.",
            access: .write,
            params: [Self.phoneParam, Self.codeParam, .required("password", RPCSchema.string(description: "6 to 64 characters")), Self.roleParam],
            result: .init("reset", RPCSchema.boolean())
        ) { params, _ in
            let phone = try Self.phone(params)
            let code = try params.requiredString("verify_code")
            let password = try Self.newPassword(params)
            let role = try Self.role(params.requiredString("role", oneOf: ["patient", "doctor", "assistant"]))
            _ = try Self.answer(await agent.client.resetPassword(phone: phone, code: code, password: password, role: role))
            return true
        }
    }

    // MARK: - Parameters and answers

    private static func phone(_ params: RPCParams) throws(RPCError) -> String {
        let phone = try params.requiredString("phone")
        guard phone.count == 11, phone.first == "1", phone.allSatisfy(\.isASCII), phone.allSatisfy(\.isNumber) else {
            throw RPCError.invalidParams(field: "phone", problem: "must be a mainland mobile number (11 digits)")
        }
        return phone
    }

    private static func newPassword(_ params: RPCParams) throws(RPCError) -> String {
        let password = try params.requiredString("password")
        guard (6...64).contains(password.unicodeScalars.count) else {
            throw RPCError.invalidParams(field: "password", problem: "must be 6 to 64 characters")
        }
        return password
    }

    /// The payload of an applied answer; otherwise the error a front end acts on: a refusal
    /// (show the server's message), or the upstream unreachable (try again when online).
    private static func answer<Payload>(_ outcome: UpstreamOutcome<Payload>) throws(RPCError) -> Payload {
        switch outcome {
        case .applied(let payload): return payload
        case .rejected(let rejection): throw RPCError.accountRefused(upstreamMessage: rejection.message, upstreamCode: rejection.errorCode)
        case .authExpired: throw RPCError.accountRefused(upstreamMessage: nil, upstreamCode: nil)
        case .retryable(let retry): throw RPCError.unreachable("\(retry)")
        case .unknown(let reason): throw RPCError.unreachable("the answer was lost (\(reason)); the request may have reached the upstream")
        }
    }

    /// A session opened by a sign-in, as `session.login` answers it.
    private static func session(_ result: SyncAgent.LoginResult) throws(RPCError) -> [String: JSONValue] {
        switch result {
        case .loggedIn(let role, let userID): return ["role": .string(roleName(role)), "user_id": .integer(userID)]
        case .refused(let message, let code): throw RPCError.loginRefused(upstreamMessage: message, upstreamCode: code)
        case .unreachable(let reason): throw RPCError.unreachable(reason)
        }
    }
}
