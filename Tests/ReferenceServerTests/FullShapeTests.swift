import Foundation
import Testing
import VolunteerAPI

@testable import ReferenceServer

/// Every record vdapi answers carries every documented field of its structure, `null` when
/// unset (docs/reference-server.md, "Every field, null when unset"), checked against the field
/// table the models export (``DocumentedField``, what `vdapi --print-catalogue` writes), not a
/// second list: a model that stops writing a field fails here.
@Suite("Full shapes")
struct FullShapeTests {
    /// Each structure's fields by name, and whether each may be null.
    static func table() throws -> [String: [String: Bool]] {
        var table: [String: [String: Bool]] = [:]
        for kind in RecordKind.allCases {
            table[kind.rawValue] = Dictionary(uniqueKeysWithValues: try kind.documentedFields().map { ($0.name, $0.isNullable) })
        }
        table["userSummary"] = Dictionary(uniqueKeysWithValues: try DocumentedField.fields(of: UserSummary.self).map { ($0.name, $0.isNullable) })
        return table
    }

    /// The two fields whose objects are not documented structures: `plan_time` (slot → places
    /// left) and `work_time`'s days (`{morning, afternoon}`).
    static let valueFields: Set<String> = ["plan_time", "work_time"]

    /// Checks records against the table and remembers which structures it saw, and their ids.
    struct Checker {
        let table: [String: [String: Bool]]
        var seen: [String: Int] = [:]
        var ids: [String: [Int]] = [:]

        /// `record` is one `structure`; its nested records are whichever structure has exactly their keys.
        mutating func check(_ record: JSONValue, as structure: String, at path: String) {
            guard case .object(let members) = record, let fields = table[structure] else {
                Issue.record("\(path): expected a \(structure) object, found \(record.kindDescription)")
                return
            }
            seen[structure, default: 0] += 1
            if case .integer(let id)? = members["id"] { ids[structure, default: []].append(id) }
            let missing = Set(fields.keys).subtracting(members.keys).sorted()
            let extra = Set(members.keys).subtracting(fields.keys).sorted()
            #expect(missing.isEmpty, "\(path) (\(structure)) lacks documented fields \(missing)")
            #expect(extra.isEmpty, "\(path) (\(structure)) has undocumented fields \(extra)")
            for (name, value) in members.sorted(by: { $0.key < $1.key }) where !FullShapeTests.valueFields.contains(name) {
                if value == .null {
                    #expect(fields[name] == true, "\(path).\(name) is null, but \(structure) documents no null there")
                }
                let nested: [JSONValue] =
                    switch value {
                    case .object: [value]
                    case .array(let elements): elements.filter { if case .object = $0 { true } else { false } }
                    default: []
                    }
                for (index, element) in nested.enumerated() {
                    checkNested(element, at: nested.count == 1 && !value.isArray ? "\(path).\(name)" : "\(path).\(name).\(index)")
                }
            }
        }

        /// A nested record: its keys must be exactly one structure's documented fields.
        mutating func checkNested(_ record: JSONValue, at path: String) {
            guard case .object(let members) = record else { return }
            let keys = Set(members.keys)
            guard let structure = table.keys.sorted().first(where: { Set(table[$0]!.keys) == keys }) else {
                Issue.record("\(path): an object whose fields \(keys.sorted()) are no documented structure's")
                return
            }
            check(record, as: structure, at: path)
        }

        /// The records of one successful answer, by the endpoint's documented response shape.
        mutating func check(answer data: JSONValue, of endpoint: Endpoint, role: UserRole) {
            let path = "\(endpoint) as \(role)"
            switch endpoint.response {
            case .record(let kind):
                check(data, as: kind.rawValue, at: path)
            case .optionalRecord(let kind):
                if case .object(let members) = data, !members.isEmpty { check(data, as: kind.rawValue, at: path) }
            case .list(let kind), .page(let kind):
                guard case .array(let records)? = data["list"] else {
                    Issue.record("\(path): no list")
                    return
                }
                for (index, record) in records.enumerated() { check(record, as: kind.rawValue, at: "\(path) list.\(index)") }
            case .bareArray(let kind):
                guard case .array(let records) = data else {
                    Issue.record("\(path): not an array")
                    return
                }
                for (index, record) in records.enumerated() { check(record, as: kind.rawValue, at: "\(path) \(index)") }
            case .userByType, .userByTypeWithIsNew:
                if endpoint.path.parameterNames.isEmpty {
                    // The caller's own account.
                    let own: RecordKind =
                        switch role {
                        case .patient: .patient
                        case .doctor: .doctor
                        case .assistant: .assistant
                        }
                    check(data, as: own.rawValue, at: path)
                } else {
                    // `/user/{id}`: whichever kind of user the id is.
                    checkNested(data, at: path)
                }
            case .empty, .null, .image:
                break
            }
        }
    }

    /// Where an endpoint's `{id}` comes from: the ids of this structure seen in earlier answers.
    static let pathIDs: [String: String] = [
        "/user/{id}": "doctor", "/project/{id}": "project", "/project/{id}/patient": "project",
        "/diagnoses/{id}": "diagnosis", "/news/{id}": "news", "/all_diagnoses/{id}": "patient",
        "/doctor/{id}/comment": "doctor", "/project/{id}/casebook": "project", "/custom/doctor/{id}/project": "doctor",
        "/assistant/project/{id}/paitient": "project", "/sp_project/{id}": "specialProject", "/chat/{id}": "chatDialog",
    ]

    @Test("every record of every read answer of the demo world carries every documented field, null when unset")
    func demoWorldAnswersCarryEveryField() async throws {
        try await TestServer.withRunning(configure: { $0.clock = { SeedTests.morning } }) { server in
            _ = try await Seed.demo(into: server.database, configuration: server.server.state.configuration)
            var checker = Checker(table: try Self.table())
            var tokens: [UserRole: String] = [:]
            for role in UserRole.allCases {
                let account = try #require(DemoSeed.accounts.first { $0.role == role })
                let login = try await server.call(
                    .login, [:], ["phono": .string(account.phone), "pwd": .string(DemoSeed.password), "type": .integer(role.rawValue)])
                checker.check(answer: try #require(try login.json["data"]), of: .login, role: role)
                let token = try #require(try login.payload(UserProfile.self, role: role).token)
                tokens[role] = token
            }
            let reads = Endpoint.all.filter { $0.method == .get && ($0.kind == .read || $0.kind == .ref) }
            // First the answers that need no id, then those that take one seen in them.
            for withIDs in [false, true] {
                for endpoint in reads where endpoint.path.parameterNames.isEmpty != withIDs {
                    for role in UserRole.allCases.filter(endpoint.roles.contains) {
                        var query: [String: JSONValue] = ["page_size": 50]
                        if endpoint == .areasOfCity { query = ["name": "北京"] }
                        var candidates: [[String: String]] = [[:]]
                        if withIDs {
                            if endpoint.path.parameterNames == ["type"] {
                                candidates = [["type": "1"]]
                            } else if let source = Self.pathIDs[endpoint.path.template] {
                                candidates = Array(Set(checker.ids[source] ?? []).sorted().prefix(5)).map { ["id": String($0)] }
                            } else {
                                continue
                            }
                        }
                        for values in candidates {
                            let answer = try await server.call(endpoint, values, query, token: tokens[role])
                            guard try answer.errorCode == 0 else { continue }
                            checker.check(answer: try #require(try answer.json["data"]), of: endpoint, role: role)
                        }
                    }
                }
            }
            // fileURL needs an upload; the rest the demo world shows through its reads.
            let unseen = Set(checker.table.keys).subtracting(checker.seen.keys).subtracting([RecordKind.fileURL.rawValue])
            #expect(unseen.isEmpty, "structures no answer showed: \(unseen.sorted())")
        }
    }

    @Test("a patient without an email answers \"email\": null, and a booking not yet seen has its outcome fields null")
    func unsetFieldsAreNull() async throws {
        try await TestServer.withRunning(configure: { $0.clock = { SeedTests.morning } }) { server in
            _ = try await Seed.demo(into: server.database, configuration: server.server.state.configuration)
            let patient = try await server.account(.patient, phone: "13700000001")
            let user = try await server.call(.currentUser, token: patient.token).json["data"]
            #expect(user?["email"] == .null)

            let demo = try #require(DemoSeed.accounts.first { $0.role == .patient })
            let login = try await server.call(.login, [:], ["phono": .string(demo.phone), "pwd": .string(DemoSeed.password), "type": 1])
            let token = try #require(try login.payload(UserProfile.self, role: .patient).token)
            let waiting = try await server.call(.patientDiagnoses, [:], ["type": 1], token: token).json["data"]?["list"]
            guard case .array(let bookings)? = waiting, let booking = bookings.first else {
                Issue.record("the demo patient has a booking waiting for its visit")
                return
            }
            for field in ["diag_result", "refund_status", "doctor_comment_time", "doctor_comment", "patient_comment_time"] {
                #expect(booking[field] == .null, "\(field) of a booking not yet seen")
            }
            #expect(booking["diag_photo"] == .array([]), "a list stays []")
        }
    }
}
