import AsyncHTTPClient
import Foundation
import GRDB
import Testing
import VolunteerAPI

@testable import ReferenceServer

/// Accounts over real HTTP: codes, registration, login per type, tokens, profiles, follows.
@Suite("Accounts")
struct AccountTests {
    @Test("register, log in per type, and read the logged-in user")
    func registerAndLogin() async throws {
        try await TestServer.withRunning { server in
            let doctor = try await server.account(.doctor, phone: "13800000001", name: "王医生")
            // The same phone may hold an account of another type.
            let patient = try await server.account(.patient, phone: "13800000001", name: "李患者")
            #expect(doctor.id != patient.id)

            let login = try await server.call(.login, [:], ["phono": "13800000001", "pwd": "secret1", "type": 2])
            let user = try login.payload(UserProfile.self)
            guard case .doctor(let profile) = user else {
                Issue.record("expected a doctor, got \(user)")
                return
            }
            #expect(profile.realName == "王医生" && profile.hospital == "人民医院" && profile.workPhotos.count == 1)
            let token = try #require(profile.token)

            let me = try await server.call(.currentUser, token: token).payload(UserProfile.self)
            #expect(me.id == doctor.id && me.role == .doctor)
            // A user by id needs a login: the answer holds a phone and an ID-card number.
            try await server.call(.user, ["id": String(patient.id)]).expectFailure(.notLoggedIn)
            let byID = try await server.call(.user, ["id": String(patient.id)], token: token).payload(UserProfile.self)
            #expect(byID.role == .patient && byID.realName == "李患者")
            // Sex and birthday come from the ID-card number.
            guard case .patient(let patientProfile) = byID else { return }
            #expect(patientProfile.birthday == "1990-03-07" && patientProfile.sex == 1)
        }
    }

    @Test("bad credentials, unknown accounts and duplicates are refused with their codes")
    func refusals() async throws {
        try await TestServer.withRunning { server in
            _ = try await server.register(.patient, phone: "13800000002")
            try await server.call(.login, [:], ["phono": "13800000002", "pwd": "wrong-one", "type": 1]).expectFailure(.wrongCredentials)
            try await server.call(.login, [:], ["phono": "13800000002", "pwd": "secret1", "type": 2]).expectFailure(.wrongCredentials)
            try await server.call(.login, [:], ["phono": "13800000002", "type": 1]).expectFailure(.invalidParameter)
            try await server.call(.login, [:], ["phono": "13800000002", "pwd": "secret1", "type": "x"]).expectFailure(.invalidParameter)
            try await server.call(.login, [:], ["phono": "12345", "pwd": "secret1", "type": 1]).expectFailure(.invalidParameter)

            _ = try await server.call(.sendVerifyCode, [:], ["phone": "13800000002"])
            try await server.call(.register, [:], ["phono": "13800000002", "verify_code": "123456", "pwd": "secret1", "type": 1])
                .expectFailure(.alreadyExists)
            // A refused registration changes nothing: its code is still there to use.
            #expect(try await server.database.count("verify_code", where: "phone = ?", ["13800000002"]) == 1)
            try await server.call(.register, [:], ["phono": "13800000003", "verify_code": "999999", "pwd": "secret1", "type": 1])
                .expectFailure(.invalidVerifyCode)
            #expect(try await server.database.count("user", where: "phone = ?", ["13800000003"]) == 0)
        }
    }

    @Test("a verify code works once and expires")
    func verifyCodes() async throws {
        try await TestServer.withRunning { server in
            _ = try await server.call(.sendVerifyCode, [:], ["phone": "13800000004"])
            let register: [String: JSONValue] = ["phono": "13800000004", "verify_code": "123456", "pwd": "secret1", "type": 1]
            _ = try await server.call(.register, [:], register).payload(UserProfile.self)
            try await server.call(.register, [:], register.merging(["type": 3]) { $1 }).expectFailure(.invalidVerifyCode)

            _ = try await server.call(.sendVerifyCode, [:], ["phone": "13800000004"])
            server.server.advanceClock(by: 601)
            try await server.call(.register, [:], register.merging(["type": 3]) { $1 }).expectFailure(.invalidVerifyCode)
        }
    }

    @Test("logout ends the token; an old token is told apart as expired")
    func tokens() async throws {
        try await TestServer.withRunning { server in
            let patient = try await server.account(.patient, phone: "13800000005")
            try await server.call(.currentUser).expectFailure(.notLoggedIn)
            try await server.call(.currentUser, token: "not-a-token").expectFailure(.notLoggedIn)

            _ = try await server.call(.logout, token: patient.token).payload(EmptyPayload.self)
            try await server.call(.currentUser, token: patient.token).expectFailure(.notLoggedIn)

            let again = try await server.call(.login, [:], ["phono": "13800000005", "pwd": "secret1", "type": 1])
            let token = try #require(try again.payload(UserProfile.self).token)
            server.server.advanceClock(by: 8 * 24 * 3600)
            try await server.call(.currentUser, token: token).expectFailure(.tokenExpired)
        }
    }

    @Test("a password reset changes the password and ends every session")
    func passwordReset() async throws {
        try await TestServer.withRunning { server in
            let assistant = try await server.account(.assistant, phone: "13800000006")
            _ = try await server.call(.sendVerifyCode, [:], ["phone": "13800000006"])
            _ = try await server.call(.resetPassword, [:], ["phono": "13800000006", "verify_code": "123456", "pwd": "newpass1", "type": 3])
                .payload(EmptyPayload.self)
            try await server.call(.currentUser, token: assistant.token).expectFailure(.notLoggedIn)
            try await server.call(.login, [:], ["phono": "13800000006", "pwd": "secret1", "type": 3]).expectFailure(.wrongCredentials)
            _ = try await server.call(.login, [:], ["phono": "13800000006", "pwd": "newpass1", "type": 3]).payload(UserProfile.self)
        }
    }

    @Test("/login/phone signs a patient in, registering a new one")
    func phoneLogin() async throws {
        try await TestServer.withRunning { server in
            _ = try await server.call(.sendVerifyCode, [:], ["phone": "13800000007"])
            let first = try await server.call(.loginByPhone, [:], ["photo": "13800000007", "verify_code": "123456"]).payload(PhoneLogin.self)
            #expect(first.isNew && first.user.role == .patient && first.user.token != nil)
            _ = try await server.call(.sendVerifyCode, [:], ["phone": "13800000007"])
            let second = try await server.call(.loginByPhone, [:], ["photo": "13800000007", "verify_code": "123456"]).payload(PhoneLogin.self)
            #expect(!second.isNew && second.user.id == first.user.id)
        }
    }

    @Test("the captcha flow: an image with a cookie, then a code checked against it")
    func captcha() async throws {
        try await TestServer.withRunning { server in
            let image = try await server.call(.captcha)
            #expect(image.header("Content-Type") == "image/svg+xml")
            let cookie = try #require(image.header("Set-Cookie")?.split(separator: ";").first.map(String.init))
            try await server.call(.sendVerifyCodeWithCaptcha, [:], ["phone": "13800000008", "captcha_code": "1234"])
                .expectFailure(.invalidVerifyCode)
            try await server.call(.sendVerifyCodeWithCaptcha, [:], ["phone": "13800000008", "captcha_code": "0000"], headers: [("Cookie", cookie)])
                .expectFailure(.invalidVerifyCode)
            // A captcha answers once, right or wrong.
            let fresh = try await server.call(.captcha)
            let freshCookie = try #require(fresh.header("Set-Cookie")?.split(separator: ";").first.map(String.init))
            _ = try await server.call(.sendVerifyCodeWithCaptcha, [:], ["phone": "13800000008", "captcha_code": "1234"], headers: [("Cookie", freshCookie)])
                .payload(EmptyPayload.self)
            #expect(try await server.database.count("verify_code", where: "phone = ?", ["13800000008"]) == 1)
        }
    }

    @Test("profile completion validates each role's fields and changes nothing when refused", arguments: [BodyEncoding.json, .form, .multipart])
    func profile(_ encoding: BodyEncoding) async throws {
        try await TestServer.withRunning { server in
            let patient = try await server.register(.patient, phone: "13800000009")
            let complete: [String: JSONValue] = [
                "real_name": "张三", "idno": "11010119880823123X", "height": "172", "weight": "65",
                "marital_status": 1, "drink_status": 0, "smoking_status": 1, "email": "zs@example.com",
            ]
            for missing in ["real_name", "idno", "height", "marital_status"] {
                var partial = complete
                partial[missing] = nil
                let answer = try await server.call(.completeProfile, [:], partial, token: patient.token, encoding: encoding)
                try answer.expectFailure(.invalidParameter)
                #expect(try answer.errorMessage.contains(missing))
            }
            try await server.call(.completeProfile, [:], complete.merging(["idno": "12345"]) { $1 }, token: patient.token, encoding: encoding)
                .expectFailure(.invalidParameter)
            try await server.call(.completeProfile, [:], complete.merging(["smoking_status": 7]) { $1 }, token: patient.token, encoding: encoding)
                .expectFailure(.invalidParameter)
            #expect(try await server.database.count("user", where: "id = ? AND real_name IS NULL", [patient.id]) == 1)

            let done = try await server.call(.completeProfile, [:], complete, token: patient.token, encoding: encoding).payload(UserProfile.self)
            guard case .patient(let profile) = done else {
                Issue.record("expected a patient")
                return
            }
            #expect(profile.realName == "张三" && profile.height == "172" && profile.smokingStatus == 1 && profile.sex == 1)

            // A doctor's fields are refused to no one, but required of doctors only.
            let doctor = try await server.register(.doctor, phone: "13800000010")
            try await server.call(.completeProfile, [:], complete, token: doctor.token, encoding: encoding).expectFailure(.invalidParameter)
        }
    }

    @Test("follow and unfollow a doctor")
    func follows() async throws {
        try await TestServer.withRunning { server in
            let doctor = try await server.account(.doctor, phone: "13800000011")
            let patient = try await server.account(.patient, phone: "13800000012")
            _ = try await server.call(.follow, ["id": String(doctor.id)], token: patient.token).payload(EmptyPayload.self)
            _ = try await server.call(.follow, ["id": String(doctor.id)], token: patient.token).payload(EmptyPayload.self)
            #expect(try await server.database.count("follow", where: "user_id = ?", [patient.id]) == 1)
            try await server.call(.follow, ["id": String(patient.id)], token: patient.token).expectFailure(.notFound)
            try await server.call(.follow, ["id": String(patient.id)], token: doctor.token).expectFailure(.forbidden)
            _ = try await server.call(.unfollow, ["id": String(doctor.id)], token: patient.token).payload(EmptyPayload.self)
            #expect(try await server.database.count("follow", where: "user_id = ?", [patient.id]) == 0)
        }
    }

    @Test("unknown routes and wrong methods answer an envelope, not an empty 404")
    func unknownRoutes() async throws {
        try await TestServer.withRunning { server in
            let answer = try await server.send(HTTPClientRequest(url: server.api.absoluteString + "/no/such/route"))
            #expect(answer.status == 404)
            #expect(try answer.errorCode == ErrorCode.notFound.rawValue)
        }
    }
}
