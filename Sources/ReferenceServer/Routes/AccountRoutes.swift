import Foundation
import GRDB
import HummingbirdBcrypt
import Logging
import VolunteerAPI

/// Accounts (§1.2.3-1.2.4, §3.1): codes, register, login, profile, password reset, logout,
/// follows and users by id.
enum AccountRoutes {
    /// Every endpoint of the group and its handler.
    static let routes: [Endpoint: Handler] = [
        .captcha: captcha,
        .sendVerifyCodeWithCaptcha: sendVerifyCodeWithCaptcha,
        .sendVerifyCode: sendVerifyCode,
        .register: register,
        .login: login,
        .loginByPhone: loginByPhone,
        .resetPassword: resetPassword,
        .logout: logout,
        .currentUser: currentUser,
        .user: user,
        .completeProfile: completeProfile,
        .follow: follow,
        .unfollow: unfollow,
    ]

    static func captcha(_ call: Call) async throws -> any Encodable & Sendable {
        let id = Tokens.random(bytes: 16)
        let code = Accounts.newCaptchaCode(call.configuration)
        let expires = call.now.timeIntervalSince1970 + call.configuration.codeLifetime
        try await call.database.write { db in
            try db.execute(sql: "INSERT INTO captcha (id, code, expires_at) VALUES (?, ?, ?)", arguments: [id, code, expires])
        }
        return BinaryPayload(contentType: "image/svg+xml", bytes: Array(Accounts.captchaImage(code).utf8), setCookie: "captcha_id=\(id); Path=/; HttpOnly")
    }

    static func sendVerifyCodeWithCaptcha(_ call: Call) async throws -> any Encodable & Sendable {
        let phone = try Accounts.phone(call.parameters, "phone")
        let answer = try call.parameters.requiredString("captcha_code", maxLength: 16)
        guard let captchaID = call.captchaID else { throw CallError(.invalidVerifyCode, "请先获取图形验证码") }
        let now = call.now.timeIntervalSince1970
        try await call.database.write { db in
            let code = try String.fetchOne(db, sql: "SELECT code FROM captcha WHERE id = ? AND expires_at > ?", arguments: [captchaID, now])
            try db.execute(sql: "DELETE FROM captcha WHERE id = ?", arguments: [captchaID])
            guard let code, code.lowercased() == answer.lowercased() else { throw CallError(.invalidVerifyCode, "图形验证码错误") }
        }
        try await Accounts.issueVerifyCode(phone: phone, call: call)
        return EmptyPayload()
    }

    static func sendVerifyCode(_ call: Call) async throws -> any Encodable & Sendable {
        try await Accounts.issueVerifyCode(phone: try Accounts.phone(call.parameters, "phone"), call: call)
        return EmptyPayload()
    }

    static func register(_ call: Call) async throws -> any Encodable & Sendable {
        let phone = try Accounts.phone(call.parameters, "phono")
        let password = try Accounts.password(call.parameters)
        let role = try Accounts.role(call.parameters)
        let code = try call.parameters.requiredString("verify_code", maxLength: 16)
        let hash = Accounts.hash(password, call)
        let token = Tokens.random(bytes: 24)
        return try await call.database.write { db in
            try Accounts.consumeVerifyCode(db, phone: phone, code: code, now: call.now)
            guard try Int.fetchOne(db, sql: "SELECT id FROM user WHERE phone = ? AND type = ?", arguments: [phone, role.rawValue]) == nil else {
                throw CallError(.alreadyExists, "该手机号已注册")
            }
            try db.execute(
                sql: "INSERT INTO user (type, phone, password_hash, created_at) VALUES (?, ?, ?, ?)",
                arguments: [role.rawValue, phone, hash, call.timestamp])
            let id = Int(db.lastInsertedRowID)
            try Tokens.open(db, token: token, userID: id, call: call)
            return try Presenter(db: db, caller: nil, now: call.now).user(id: id, token: token)
        }
    }

    static func login(_ call: Call) async throws -> any Encodable & Sendable {
        let phone = try Accounts.phone(call.parameters, "phono")
        let password = try call.parameters.requiredString("pwd", maxLength: 64)
        let role = try Accounts.role(call.parameters)
        let account = try await call.database.read { db in
            try Row.fetchOne(db, sql: "SELECT id, password_hash FROM user WHERE phone = ? AND type = ?", arguments: [phone, role.rawValue])
                .map { (id: $0["id"] as Int, hash: $0["password_hash"] as String) }
        }
        guard let account, !account.hash.isEmpty, Bcrypt.verify(password, hash: account.hash) else {
            throw CallError(.wrongCredentials, "手机号或密码错误")
        }
        let id = account.id
        let token = Tokens.random(bytes: 24)
        return try await call.database.write { db in
            try Tokens.open(db, token: token, userID: id, call: call)
            return try Presenter(db: db, caller: nil, now: call.now).user(id: id, token: token)
        }
    }

    static func loginByPhone(_ call: Call) async throws -> any Encodable & Sendable {
        let phone = try Accounts.phone(call.parameters, "photo")
        let code = try call.parameters.requiredString("verify_code", maxLength: 16)
        let token = Tokens.random(bytes: 24)
        return try await call.database.write { db in
            try Accounts.consumeVerifyCode(db, phone: phone, code: code, now: call.now)
            // The call names no account type: it is the patients' sign-in (docs/reference-server.md).
            var isNew = false
            let id: Int
            if let existing = try Int.fetchOne(db, sql: "SELECT id FROM user WHERE phone = ? AND type = \(UserRole.patient.rawValue)", arguments: [phone]) {
                id = existing
            } else {
                try db.execute(sql: "INSERT INTO user (type, phone, created_at) VALUES (1, ?, ?)", arguments: [phone, call.timestamp])
                id = Int(db.lastInsertedRowID)
                isNew = true
            }
            try Tokens.open(db, token: token, userID: id, call: call)
            guard let user = try Presenter(db: db, caller: nil, now: call.now).user(id: id, token: token) else { throw CallError.notFound("用户") }
            return PhoneLogin(user: user, isNew: isNew)
        }
    }

    static func resetPassword(_ call: Call) async throws -> any Encodable & Sendable {
        let phone = try Accounts.phone(call.parameters, "phono")
        let password = try Accounts.password(call.parameters)
        let role = try Accounts.role(call.parameters)
        let code = try call.parameters.requiredString("verify_code", maxLength: 16)
        let hash = Accounts.hash(password, call)
        try await call.database.write { db in
            try Accounts.consumeVerifyCode(db, phone: phone, code: code, now: call.now)
            guard let id = try Int.fetchOne(db, sql: "SELECT id FROM user WHERE phone = ? AND type = ?", arguments: [phone, role.rawValue]) else {
                throw CallError.notFound("账号")
            }
            try db.execute(sql: "UPDATE user SET password_hash = ? WHERE id = ?", arguments: [hash, id])
            // A new password ends every session of the account.
            try db.execute(sql: "UPDATE session SET revoked = 1 WHERE user_id = ?", arguments: [id])
        }
        return EmptyPayload()
    }

    static func logout(_ call: Call) async throws -> any Encodable & Sendable {
        let caller = try call.requireCaller()
        try await call.database.write { db in
            try db.execute(sql: "UPDATE session SET revoked = 1 WHERE token = ?", arguments: [caller.token])
        }
        return EmptyPayload()
    }

    static func currentUser(_ call: Call) async throws -> any Encodable & Sendable {
        let caller = try call.requireCaller()
        return try await call.database.read { db in
            guard let user = try Presenter(db: db, caller: caller, now: call.now).user(id: caller.userID) else { throw CallError.notFound("用户") }
            return user
        }
    }

    static func user(_ call: Call) async throws -> any Encodable & Sendable {
        let id = try call.pathID()
        return try await call.database.read { db in
            guard let user = try Presenter(db: db, caller: call.caller, now: call.now).user(id: id) else { throw CallError.notFound("用户") }
            return user
        }
    }

    static func completeProfile(_ call: Call) async throws -> any Encodable & Sendable {
        let caller = try call.requireCaller()
        let changes = try ProfileChanges(call.parameters, role: caller.role)
        return try await call.database.write { db in
            if let hospitalID = changes.hospitalID {
                guard try Int.fetchOne(db, sql: "SELECT id FROM hospital WHERE id = ?", arguments: [hospitalID]) != nil else {
                    throw CallError.invalid("hospital_id", "医院不存在")
                }
            }
            let assignments = changes.columns.map { "\($0.name) = ?" }.joined(separator: ", ")
            try db.execute(
                sql: "UPDATE user SET \(assignments) WHERE id = ?",
                arguments: StatementArguments(changes.columns.map(\.value)) + [caller.userID])
            guard let user = try Presenter(db: db, caller: caller, now: call.now).user(id: caller.userID) else { throw CallError.notFound("用户") }
            return user
        }
    }

    static func follow(_ call: Call) async throws -> any Encodable & Sendable {
        let caller = try call.requireCaller()
        let doctorID = try call.pathID()
        try await call.database.write { db in
            guard try Int.fetchOne(db, sql: "SELECT id FROM user WHERE id = ? AND type = \(UserRole.doctor.rawValue)", arguments: [doctorID]) != nil else {
                throw CallError.notFound("医生")
            }
            try db.execute(
                sql: "INSERT OR IGNORE INTO follow (user_id, doctor_id, created_at) VALUES (?, ?, ?)",
                arguments: [caller.userID, doctorID, call.timestamp])
        }
        return EmptyPayload()
    }

    static func unfollow(_ call: Call) async throws -> any Encodable & Sendable {
        let caller = try call.requireCaller()
        let doctorID = try call.pathID()
        try await call.database.write { db in
            try db.execute(sql: "DELETE FROM follow WHERE user_id = ? AND doctor_id = ?", arguments: [caller.userID, doctorID])
        }
        return EmptyPayload()
    }
}

/// Account rules shared by the routes above.
enum Accounts {
    /// A mainland mobile number: 11 digits starting with 1.
    static func phone(_ parameters: Parameters, _ name: String) throws(CallError) -> String {
        let phone = try parameters.requiredString(name, maxLength: 20)
        guard phone.count == 11, phone.first == "1", phone.allSatisfy(\.isASCII), phone.allSatisfy(\.isNumber) else {
            throw .invalid(name, "手机号格式不正确")
        }
        return phone
    }

    static func password(_ parameters: Parameters) throws(CallError) -> String {
        let password = try parameters.requiredString("pwd", maxLength: 64)
        guard password.unicodeScalars.count >= 6 else { throw .invalid("pwd", "密码至少 6 位") }
        return password
    }

    static func role(_ parameters: Parameters) throws(CallError) -> UserRole {
        guard let role = UserRole(rawValue: try parameters.requiredInt("type")) else { throw .invalid("type", "应为 1、2 或 3") }
        return role
    }

    static func hash(_ password: String, _ call: Call) -> String {
        Bcrypt.hash(password, cost: call.configuration.bcryptCost)
    }

    static func newCaptchaCode(_ configuration: ReferenceServerConfiguration) -> String {
        switch configuration.codes {
        case .fixed(_, let captcha): captcha
        case .random: String(Int.random(in: 1000...9999))
        }
    }

    /// Stores a new SMS code for `phone`, replacing any earlier one. A development server sends
    /// no SMS: the code is fixed, or written to the log with the phone masked.
    static func issueVerifyCode(phone: String, call: Call) async throws {
        let code: String
        switch call.configuration.codes {
        case .fixed(let sms, _):
            code = sms
        case .random:
            code = String(Int.random(in: 100_000...999_999))
            call.state.logger.notice("verify code issued", metadata: ["phone": "\(masked(phone))", "code": "\(code)"])
        }
        let expires = call.now.timeIntervalSince1970 + call.configuration.codeLifetime
        try await call.database.write { db in
            try db.execute(
                sql:
                    "INSERT INTO verify_code (phone, code, expires_at) VALUES (?, ?, ?) ON CONFLICT(phone) DO UPDATE SET code = excluded.code, expires_at = excluded.expires_at",
                arguments: [phone, code, expires])
        }
    }

    /// Checks and uses up the SMS code of `phone`; a code works once.
    static func consumeVerifyCode(_ db: Database, phone: String, code: String, now: Date) throws {
        let stored = try Row.fetchOne(db, sql: "SELECT code, expires_at FROM verify_code WHERE phone = ?", arguments: [phone])
        guard let stored, stored["code"] as String == code, (stored["expires_at"] as Double) > now.timeIntervalSince1970 else {
            throw CallError(.invalidVerifyCode, "验证码错误或已过期")
        }
        try db.execute(sql: "DELETE FROM verify_code WHERE phone = ?", arguments: [phone])
    }

    /// `138****5678`: enough to match a log line to a test, not enough to identify anyone.
    static func masked(_ phone: String) -> String {
        guard phone.count == 11 else { return "***" }
        return String(phone.prefix(3)) + "****" + String(phone.suffix(4))
    }

    /// A captcha as an SVG image of its code.
    static func captchaImage(_ code: String) -> String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><rect width="120" height="40" fill="#eef"/>\
        <text x="18" y="28" font-family="monospace" font-size="24" fill="#335">\(code)</text></svg>
        """
    }
}

/// Session tokens: random, stored with their expiry.
enum Tokens {
    static func random(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    static func open(_ db: Database, token: String, userID: Int, call: Call) throws {
        let now = call.now.timeIntervalSince1970
        try db.execute(
            sql: "INSERT INTO session (token, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
            arguments: [token, userID, now, now + call.configuration.tokenLifetime])
    }
}
