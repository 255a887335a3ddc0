import Foundation
import Testing

@testable import VolunteerAPI

/// Every structure of §2.2 (and the §3.2.21/§3.2.22 rows), from the document's own example:
/// decoded, re-encoded without losing a field, and encoded in the document's shapes.
@Suite("Record fixtures")
struct RecordFixtureTests {
    static let records = Fixture.records

    @Test("decodes and re-encodes every field", arguments: records)
    func keepsEveryField(_ fixture: (file: String, kind: RecordKind)) throws {
        let json = try Fixture.json("records/\(fixture.file).json")
        let (model, encoded) = try roundTrip(fixture.kind.modelType, json)
        #expect(firstDifference(json, encoded) == nil, "\(fixture.file): a field was lost or changed")
        // Decoding what we wrote gives the same model back.
        #expect(try decodeModel(fixture.kind.modelType, encoded) == model)
    }

    /// Fields where the document's example contradicts its own field list; vdsync writes the
    /// field list's type (docs/wire-model.md). And the examples' empty texts (`href: ''`), which
    /// are no value and written `null` (canonical form, docs/wire-model.md).
    static let shapeExceptions: Set<String> = [
        "banner.href", "diagnosisRecord.reject_msg",
        "chatMessage.is_read", "chatMessage.photo",
        "chatDialog.last_msg.is_read", "chatDialog.last_msg.photo",
        "diagnosis.diag_result", "diagnosis-objects.diag_result",
        "diagnosis.user_info", "diagnosis.casebook_info",
    ]

    @Test("encodes each field in the shape the document shows", arguments: records)
    func writesDocumentedShapes(_ fixture: (file: String, kind: RecordKind)) throws {
        let json = try Fixture.json("records/\(fixture.file).json")
        let encoded = try roundTrip(fixture.kind.modelType, json).encoded
        func kind(_ value: JSONValue) -> String {
            if case .integer = value { return "a number" }
            return value.kindDescription
        }
        func check(_ original: JSONValue, _ written: JSONValue?, _ path: String) {
            guard let written, original != .null else { return }
            if Self.shapeExceptions.contains(path) { return }
            #expect(kind(original) == kind(written), "\(path): document shows \(kind(original)), vdsync wrote \(kind(written))")
            if case .object(let members) = original, case .object(let writtenMembers) = written {
                for (key, value) in members { check(value, writtenMembers[key], "\(path).\(key)") }
            }
        }
        for (key, value) in try #require(json.members) {
            check(value, encoded.members?[key], "\(fixture.file).\(key)")
        }
    }

    @Test("decodes the documented values into domain fields")
    func domainValues() throws {
        let project = try JSONDecoder().decode(Project.self, from: Fixture.data("records/project.json"))
        #expect(project.id == 123)
        #expect(project.capacity == 20 && project.joinedCount == 13)
        #expect(project.longitude?.value == 127 && project.longitude?.text == "127.000000")
        #expect(project.serviceTargets == ["老年人"])
        #expect(project.hospital?.name == "人民医院")
        #expect(project.doctor?.workTime.count == 7)
        #expect(project.joinedUsers.first?.realName == "张三")
        #expect(project.planTime?.slots.count == 11)
        #expect(project.planTime?["19:23:00 - 19:53:00"] == 6)

        let diagnosis = try JSONDecoder().decode(Diagnosis.self, from: Fixture.data("records/diagnosis.json"))
        #expect(diagnosis.patient?.id == 1, "user_info given as a one-element array")
        #expect(diagnosis.casebook?.content == "病例")
        #expect(diagnosis.assistantUserID == 1)
        #expect(diagnosis.result == "1")

        let message = try JSONDecoder().decode(ChatMessage.self, from: Fixture.data("records/chatMessage.json"))
        #expect(message.photos == ["xxxx"], "a plain string is a one-element list")
        #expect(message.isRead == 0 && message.dialogID == "0")

        let patient = try JSONDecoder().decode(Patient.self, from: Fixture.data("records/patient.json"))
        #expect(patient.creditScore == DecimalText("3.4"))
        #expect(patient.idCardNumber == "111000197807138521")

        let row = try JSONDecoder().decode(DiagnosisRecord.self, from: Fixture.data("records/diagnosisRecord.json"))
        #expect(row.projectID == 14 && row.userID == 8 && row.doctorUserID == 6)
        #expect(row.amount?.text == "0.00")
        #expect(row.refundStatus == nil && row.resultPhotos.isEmpty)
        #expect(row.casebook?.projectID == 14)
    }
}
