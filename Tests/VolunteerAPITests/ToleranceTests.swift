import Foundation
import Testing

@testable import VolunteerAPI

/// What real servers of this kind send beside the happy example: every record fixture,
/// varied, must decode to the same model (or to the same absence), and broken fields must
/// fail with an error that names the structure and the field.
@Suite("Tolerant decoding")
struct ToleranceTests {
    static let records = Fixture.records

    @Test("numbers sent as strings", arguments: records)
    func numbersAsStrings(_ fixture: (file: String, kind: RecordKind)) throws {
        let json = try Fixture.json("records/\(fixture.file).json")
        var changed = 0
        let varied = json.rewritten { value in
            switch value {
            case .integer(let number):
                changed += 1
                return .string(String(number))
            case .number(let number):
                changed += 1
                return .string(String(number))
            default:
                return value
            }
        }
        #expect(changed > 0)
        #expect(try decodeModel(fixture.kind.modelType, varied) == decodeModel(fixture.kind.modelType, json))
    }

    @Test("arrays and nested records sent as JSON-encoded strings", arguments: records)
    func containersAsJSONStrings(_ fixture: (file: String, kind: RecordKind)) throws {
        let json = try Fixture.json("records/\(fixture.file).json")
        var members = try #require(json.members)
        var changed = 0
        for (key, value) in members {
            switch value {
            case .array, .object:
                members[key] = .string(String(decoding: try value.data, as: UTF8.self))
                changed += 1
            default:
                continue
            }
        }
        let varied = JSONValue.object(members)
        #expect(try decodeModel(fixture.kind.modelType, varied) == decodeModel(fixture.kind.modelType, json))
    }

    @Test("unknown fields are ignored", arguments: records)
    func unknownFields(_ fixture: (file: String, kind: RecordKind)) throws {
        let json = try Fixture.json("records/\(fixture.file).json")
        var members = try #require(json.members)
        members["zz_new_field"] = .object(["nested": .array([.integer(1), .null])])
        members["another"] = .string("text")
        #expect(try decodeModel(fixture.kind.modelType, .object(members)) == decodeModel(fixture.kind.modelType, json))
    }

    /// The fields a record cannot be without; everything else may be null or missing.
    static func required(_ kind: RecordKind) -> Set<String> {
        kind == .fileURL ? ["url"] : ["id"]
    }

    @Test("optional fields null, missing, or PHP-empty", arguments: records)
    func optionalFieldsAbsent(_ fixture: (file: String, kind: RecordKind)) throws {
        let json = try Fixture.json("records/\(fixture.file).json")
        let members = try #require(json.members)
        let keep = Self.required(fixture.kind)
        let nulled = JSONValue.object(members.mapValues { _ in .null }.merging(members.filter { keep.contains($0.key) }) { $1 })
        let missing = JSONValue.object(members.filter { keep.contains($0.key) })
        let phpEmpty = JSONValue.object(
            members.mapValues { value -> JSONValue in
                switch value {
                case .array, .object: .array([])
                default: value
                }
            })

        let fromNull = try roundTrip(fixture.kind.modelType, nulled)
        let fromMissing = try decodeModel(fixture.kind.modelType, missing)
        #expect(fromNull.model == fromMissing)
        // Nothing but the required fields is left: every other field is written null, or [] for a list.
        for (key, value) in try #require(fromNull.encoded.members) where !keep.contains(key) {
            #expect(value == .null || value == .array([]), "\(fixture.file).\(key) should be null or [], found \(value)")
        }
        _ = try decodeModel(fixture.kind.modelType, phpEmpty)
    }

    @Test("a required field that is missing or unreadable names the structure and field", arguments: records)
    func brokenRequiredField(_ fixture: (file: String, kind: RecordKind)) throws {
        let json = try Fixture.json("records/\(fixture.file).json")
        var members = try #require(json.members)
        members["id"] = .string("twelve")
        let error = try #require(throws: WireDecodingError.self) {
            try decodeModel(fixture.kind.modelType, .object(members))
        }
        #expect(error.field == "id")
        #expect(error.structure == String(describing: fixture.kind.modelType))
        #expect(error.description.contains("expected an integer"))

        members["id"] = nil
        let missing = try #require(throws: WireDecodingError.self) {
            try decodeModel(fixture.kind.modelType, .object(members))
        }
        #expect(missing.field == "id" && missing.problem == "required, but missing")
    }

    @Test("an error deep inside names the innermost structure and the whole path")
    func nestedErrorPath() throws {
        var project = try #require(Fixture.json("records/project.json").members)
        var hospital = try #require(project["hospital_info"]?.members)
        hospital["city_id"] = .string("北京")
        project["hospital_info"] = .object(hospital)
        let list = JSONValue.object(["list": .array([.object(project)])])
        let error = try #require(throws: WireDecodingError.self) {
            try decodeBoth(RecordList<Project>.self, from: list.data)
        }
        #expect(error.structure == "Hospital")
        #expect(error.field == "list.0.hospital_info.city_id")
        // The error names the field, never its value: it may be medical data.
        #expect(!error.description.contains("北京"))

        // The same inside a nested record sent as a JSON-encoded string.
        project["hospital_info"] = .string(String(decoding: try JSONValue.object(hospital).data, as: UTF8.self))
        let embedded = try #require(throws: WireDecodingError.self) {
            try decodeBoth(Project.self, from: JSONValue.object(project).data)
        }
        #expect(embedded.field == "hospital_info.city_id" && embedded.structure == "Hospital")
    }

    @Test("values that are neither number nor numeric text are errors, not zeros")
    func badScalars() throws {
        let base = try #require(Fixture.json("records/project.json").members)
        let cases: [(String, JSONValue, String)] = [
            ("people_count", .string("many"), "expected an integer"),
            ("people_count", .number(2.5), "expected an integer"),
            ("lng", .string("east"), "expected a decimal number"),
            ("lng", .array([]), "expected a decimal number"),
            ("service_target", .integer(3), "expected an array of strings"),
            ("service_target", .string("[not json"), "not a JSON array"),
            ("hospital_info", .string("人民医院"), "not a JSON object"),
            ("join_user", .integer(1), "expected an array of Patient"),
            ("plan_time", .array([.integer(1), .integer(2)]), "expected one PlanTime"),
        ]
        for (field, value, problem) in cases {
            var members = base
            members[field] = value
            let error = try #require(throws: WireDecodingError.self, "\(field) = \(value)") {
                try decodeBoth(Project.self, from: JSONValue.object(members).data)
            }
            #expect(error.field == field)
            #expect(error.problem.contains(problem), "\(field): \(error.problem)")
        }
    }

    @Test("a work week that is not seven days is an error")
    func workWeek() throws {
        var doctor = try #require(Fixture.json("records/doctor.json").members)
        doctor["work_time"] = .array(Array(repeating: .object(["morning": .integer(1), "afternoon": .integer(0)]), count: 5))
        let error = try #require(throws: WireDecodingError.self) {
            try decodeBoth(Doctor.self, from: JSONValue.object(doctor).data)
        }
        #expect(error.field == "work_time" && error.problem == "expected 7 days, found 5")

        // The doctor's PUT /user sends work_time as a JSON string; a server may echo it so.
        doctor["work_time"] = .string(#"[{"morning":1,"afternoon":0},{"morning":"1","afternoon":true},{},{},{},{},{}]"#)
        let decoded = try decodeBoth(Doctor.self, from: JSONValue.object(doctor).data)
        #expect(decoded.workTime.count == 7)
        #expect(decoded.workTime[1] == WorkDay(morning: true, afternoon: true))
        #expect(decoded.workTime[2] == WorkDay(morning: false, afternoon: false))
    }

    @Test("aliases from the field lists are read when the example's name is absent")
    func aliases() throws {
        var diagnosis = try #require(Fixture.json("records/diagnosis-objects.json").members)
        diagnosis["assistant_user_id"] = nil
        diagnosis["assistant_id"] = .string("9")
        diagnosis["doctor_comment_time"] = nil
        diagnosis["doctoy_comment_time"] = .string("2018-03-04 15:33:33")
        let decoded = try decodeBoth(Diagnosis.self, from: JSONValue.object(diagnosis).data)
        #expect(decoded.assistantUserID == 9)
        #expect(decoded.doctorCommentTime == "2018-03-04 15:33:33")
    }
}
