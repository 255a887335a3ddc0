import Foundation
import GRDB
import Testing
import VolunteerAPI

@testable import ReferenceServer

/// Builds the people and places a test needs, through the API where the API can do it
/// (accounts, profiles) and through the database where only seed data exists (hospitals).
extension TestServer {
    /// A logged-in user of `role` with a completed profile.
    struct Account: Sendable {
        let id: Int
        let phone: String
        let token: String
        let role: UserRole
    }

    /// Registers `phone` as `role` with the fixed development code and password `secret1`.
    func register(_ role: UserRole, phone: String, password: String = "secret1") async throws -> Account {
        _ = try await call(.sendVerifyCode, [:], ["phone": .string(phone)]).payload(EmptyPayload.self)
        let user = try await call(
            .register, [:],
            ["phono": .string(phone), "verify_code": "123456", "pwd": .string(password), "type": .integer(role.rawValue)]
        ).payload(UserProfile.self, role: role)
        return Account(id: user.id, phone: phone, token: try #require(user.token), role: role)
    }

    /// A registered user whose profile is complete, as a clinic's users are.
    func account(_ role: UserRole, phone: String, name: String = "测试用户", hospitalID: Int? = nil) async throws -> Account {
        let account = try await register(role, phone: phone)
        var profile: [String: JSONValue] = ["real_name": .string(name), "idno": "110101199003071234"]
        switch role {
        case .patient:
            profile.merge(["height": "170", "weight": "60", "marital_status": 1, "drink_status": 0, "smoking_status": 0]) { $1 }
        case .doctor:
            let hospital = if let hospitalID { hospitalID } else { try await insertHospital() }
            profile.merge(
                [
                    "hospital_id": .integer(hospital), "departments": "内科", "job_position": "主任医师", "good_at": "高血压",
                    "work_photo": .array(["http://img.example/work.jpg"]),
                ]) { $1 }
        case .assistant:
            profile["team_name"] = "志愿服务队"
        }
        _ = try await call(.completeProfile, [:], profile, token: account.token).payload(UserProfile.self, role: role)
        return account
    }

    /// A hospital row (hospitals are reference data: only seeds create them).
    func insertHospital(name: String = "人民医院") async throws -> Int {
        try await database.write { db in
            try db.execute(sql: "INSERT INTO hospital (name, level) VALUES (?, '三甲医院')", arguments: [name])
            return Int(db.lastInsertedRowID)
        }
    }
}
