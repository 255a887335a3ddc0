import Foundation
import Testing

@testable import VolunteerAPI

/// Every documented response example (Fixtures/responses), decoded as the envelope shape the
/// catalogue gives its endpoint, and re-encoded without losing a field.
@Suite("Response fixtures")
struct ResponseFixtureTests {
    static let responses = (try? Fixture.responses()) ?? []

    @Test("the manifest covers every endpoint that answers JSON")
    func coverage() throws {
        #expect(Self.responses.count >= Endpoint.all.count - 1)
        let covered = Set(Self.responses.map { "\($0.method) \($0.path)" })
        for endpoint in Endpoint.all where endpoint.response != .image {
            #expect(covered.contains(endpoint.description), "no response example for \(endpoint)")
        }
    }

    @Test("decodes as the catalogued shape and keeps every field", arguments: responses)
    func decodes(_ response: Fixture.Response) throws {
        let endpoint = try #require(
            Endpoint.all.first { $0.method.rawValue == response.method && $0.path.template == response.path },
            "\(response.method) \(response.path) is not in the catalogue")
        let data = try Fixture.data("responses/\(response.file)")
        let original = try JSONDecoder().decode(JSONValue.self, from: data)
        let role = response.role.flatMap(UserRole.init(rawValue:))
        let decoded = try decodeEnvelope(data, as: endpoint.response, role: role)
        #expect(decoded.errorCode == 0)

        let originalData = try #require(original["data"])
        switch endpoint.response {
        case .empty, .null:
            break
        case .optionalRecord where response.file.hasSuffix("-empty.json"):
            #expect(decoded.payload == nil, "an empty answer means no record")
        default:
            let reencoded = try #require(decoded.reencoded, "\(response.file): no payload decoded")
            #expect(firstDifference(originalData, reencoded) == nil, "\(response.file): a field was lost")
        }
        if case .page = endpoint.response {
            let page = try #require(decoded.page, "\(response.file): a paged answer without its page")
            #expect(page.totalCount == decoded.count)
        }
        if let count = originalData["list"].flatMap({ if case .array(let elements) = $0 { elements.count } else { nil } }) {
            #expect(decoded.count == count)
        }
    }

    @Test("a user by type is recognised with and without the expected role", arguments: responses.filter { $0.role != nil })
    func userByType(_ response: Fixture.Response) throws {
        let data = try Fixture.data("responses/\(response.file)")
        let role = try #require(response.role.flatMap(UserRole.init(rawValue:)))
        let told = try JSONDecoder().decode(Envelope<UserProfile>.self, from: data).payload()
        let inferred = try JSONDecoder().decode(Envelope<UserProfile>.self, from: data).payload()
        #expect(told.role == role)
        #expect(inferred == told)
    }

    @Test("/login/phone carries the user and is_new")
    func phoneLogin() throws {
        let login = try JSONDecoder().decode(Envelope<PhoneLogin>.self, from: Fixture.data("responses/POST_login_phone.json")).payload()
        #expect(login.isNew)
        #expect(login.user.role == .patient)
        let encoded = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(login))
        #expect(encoded["is_new"] == .integer(1))
        #expect(encoded["real_name"] == .string("张三"))
    }

    @Test("the bare array of /all_diagnoses/{id}")
    func bareArray() throws {
        let rows = try JSONDecoder().decode(
            Envelope<RecordArray<DiagnosisRecord>>.self, from: Fixture.data("responses/GET_all_diagnoses_id.json")
        ).payload()
        #expect(rows.records.count == 1)
        #expect(rows.records[0].doctor?.realName == "Kobe")
        #expect(rows.records[0].user?.id == 8)
    }
}
