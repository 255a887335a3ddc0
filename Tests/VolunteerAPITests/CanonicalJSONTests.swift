import Foundation
import Testing

@testable import VolunteerAPI

/// The one JSON form of a record (``CanonicalJSON``): what the mirror stores and hashes, so
/// that the same values never read as a change however the server writes them.
@Suite("Canonical JSON")
struct CanonicalJSONTests {
    @Test("a record written the ways legacy servers write it has the same canonical JSON", arguments: Fixture.records)
    func sameValuesSameJSON(_ fixture: (file: String, kind: RecordKind)) throws {
        let json = try Fixture.json("records/\(fixture.file).json")
        var varied = 0
        let legacy = json.rewritten { value in
            switch value {
            case .integer(let number):
                varied += 1
                return .string(String(number))
            case .string(let text) where text.hasSuffix(":00") && TimeText.withSeconds(String(text.dropLast(3))) == text:
                varied += 1
                return .string(String(text.dropLast(3)))
            case .null:
                varied += 1
                return ""
            case .object(var members) where members["id"] != nil:
                members["deleted_at"] = .null
                members["del_flag"] = "0"
                return .object(members)
            default:
                return value
            }
        }
        #expect(varied > 0)
        let plain = try CanonicalJSON.of(json, kind: fixture.kind)
        let written = try CanonicalJSON.of(legacy, kind: fixture.kind)
        #expect(plain == written)
        #expect(written["deleted_at"] == nil && written["del_flag"] == nil, "fields the document does not define are left out")
    }

    @Test("a canonical record is canonical: decoding and encoding it again changes nothing", arguments: Fixture.records)
    func idempotent(_ fixture: (file: String, kind: RecordKind)) throws {
        let once = try CanonicalJSON.of(Fixture.json("records/\(fixture.file).json"), kind: fixture.kind)
        #expect(try CanonicalJSON.of(once, kind: fixture.kind) == once)
    }

    @Test("times keep their seconds: only a time or a timestamp at the minutes gains ':00'")
    func times() {
        #expect(TimeText.withSeconds("09:00") == "09:00:00")
        #expect(TimeText.withSeconds("2018-03-04 15:33") == "2018-03-04 15:33:00")
        #expect(TimeText.withSeconds("09:00:00") == "09:00:00")
        #expect(TimeText.withSeconds("2018-03-04 15:33:07") == "2018-03-04 15:33:07")
        for text in ["9:00", "ab:cd", "2018-03-04", "15:23:00 - 15:53:00", "看诊 09:00", ""] {
            #expect(TimeText.withSeconds(text) == text)
        }
    }

    @Test("a project's answer of `{}` or `[]` for none is passed on as it is; one record is made canonical")
    func answers() throws {
        #expect(CanonicalJSON.of([:], shape: .optionalRecord(.diagnosis)) == [:])
        #expect(CanonicalJSON.of([], shape: .optionalRecord(.diagnosis)) == [])
        let news: JSONValue = ["id": "7", "title": "", "publish_time": "2018-03-04 15:33", "extra": 1]
        let canonical = CanonicalJSON.of(news, shape: .record(.news))
        #expect(canonical["id"] == 7 && canonical["publish_time"] == "2018-03-04 15:33:00" && canonical["extra"] == nil)
        #expect(canonical["title"] == nil || canonical["title"] == .null)
    }

    @Test("a record read from a page carries its canonical JSON, not the text the server sent")
    func rawRecord() throws {
        let project = try Fixture.json("records/project.json")
        var legacy = try #require(project.members)
        legacy["id"] = "123"
        legacy["begin"] = "09:00"
        legacy["v3_field"] = true
        let page: JSONValue = ["list": [.object(legacy)], "page": ["current_page": "1"]]
        let decoded = try JSONValueDecoder().decode(RecordList<RawRecord<Project>>.self, from: page)
        let first = try #require(decoded.records.first)
        #expect(first.value.id == 123 && first.value.begin == "09:00:00")
        #expect(first.raw == (try CanonicalJSON.of(project, kind: .project)))
        #expect(decoded.page?.current == 1)
    }
}
