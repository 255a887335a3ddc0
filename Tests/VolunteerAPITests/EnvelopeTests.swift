import Foundation
import Testing

@testable import VolunteerAPI

/// The §1.3 envelope and list shapes, including what servers of this kind send on errors
/// and for empty answers.
@Suite("Envelope and lists")
struct EnvelopeTests {
    func decode<Payload: Decodable & Sendable & Equatable>(_ type: Payload.Type, _ json: String) throws -> Envelope<Payload> {
        try decodeBoth(Envelope<Payload>.self, from: Data(json.utf8))
    }

    @Test("an error envelope gives its code and message, whatever data holds")
    func errorEnvelope() throws {
        let fixture = try JSONDecoder().decode(Envelope<Project>.self, from: Fixture.data("responses/error.json"))
        #expect(!fixture.isSuccess && fixture.errorCode == 1001)
        let error = try #require(throws: EnvelopeError.self) { try fixture.payload() }
        #expect(error.code == 1001 && error.message == "参数错误")

        for data in [#"[]"#, #"null"#, #"{}"#, #""""#, #"{"id": "not a project"}"#] {
            let envelope = try decode(Project.self, #"{"error_code": "40001", "data": \#(data), "error_message": "token expired"}"#)
            #expect(envelope.errorCode == 40001 && envelope.data == nil)
            #expect(throws: EnvelopeError(code: 40001, message: "token expired")) { try envelope.payload() }
        }
    }

    @Test("a success without data is a decoding error, not an empty record")
    func successWithoutData() throws {
        for json in [#"{"error_code": 0}"#, #"{"error_code": 0, "data": null}"#, #"{"error_code": 0, "data": {}}"#] {
            let envelope = try decode(Project.self, json)
            let error = try #require(throws: WireDecodingError.self) { try envelope.payload() }
            #expect(error.field == "data")
        }
        // A broken record in data is reported, never swallowed into "no data".
        let broken = try #require(throws: WireDecodingError.self) {
            try decode(Project.self, #"{"error_code": 0, "data": {"id": "x"}}"#)
        }
        #expect(broken.field == "data.id" && broken.structure == "Project")
    }

    @Test("empty answers accept {}, [], null and no data at all")
    func emptyPayload() throws {
        for data in [#"{}"#, #"[]"#, #"null"#, #"{"anything": [1, 2]}"#] {
            let envelope = try decode(EmptyPayload.self, #"{"error_code": 0, "data": \#(data), "error_message": ""}"#)
            #expect(throws: Never.self) { try envelope.payload() }
        }
        #expect(throws: Never.self) { try decode(EmptyPayload.self, #"{"error_code": 0}"#).payload() }
        let encoded = String(decoding: try JSONEncoder().encode(Envelope(data: EmptyPayload())), as: UTF8.self)
        #expect(encoded.contains(#""data":{}"#) && encoded.contains(#""error_code":0"#))
    }

    @Test("lists: page fields as strings, a null list, PHP's [] for an empty list")
    func lists() throws {
        let paged = try decode(
            RecordList<News>.self,
            #"{"error_code": 0, "data": {"list": [{"id": "3", "title": "义诊通知"}], "page": {"current_page": "2", "total_page": "5", "count": "41", "page_size": "10"}}}"#
        ).payload()
        #expect(paged.records.map(\.id) == [3])
        #expect(paged.page == Page(current: 2, totalPages: 5, totalCount: 41, size: 10))
        #expect(paged.page?.hasNext == true)

        let nullList = try decode(RecordList<News>.self, #"{"error_code": 0, "data": {"list": null}}"#).payload()
        #expect(nullList.records.isEmpty && nullList.page == nil)

        let phpEmpty = try decode(RecordList<News>.self, #"{"error_code": 0, "data": []}"#).payload()
        #expect(phpEmpty.records.isEmpty)

        let generic = try JSONDecoder().decode(
            Envelope<RecordList<JSONValue>>.self, from: Fixture.data("responses/paging-example.json")
        ).payload()
        #expect(generic.records == [.object(["key": .string("value")])])
        #expect(generic.page?.totalCount == 1)
    }

    @Test("a bare array as data: elements, null, and a JSON-encoded string")
    func bareArrays() throws {
        let rows = #"[{"id": 2, "project_id": "14"}, {"id": 3}]"#
        let direct = try decode(RecordArray<DiagnosisRecord>.self, #"{"error_code": 0, "data": \#(rows)}"#).payload()
        #expect(direct.records.map(\.id) == [2, 3] && direct.records[0].projectID == 14)

        let quoted = String(decoding: try JSONEncoder().encode(rows), as: UTF8.self)
        let embedded = try decode(RecordArray<DiagnosisRecord>.self, #"{"error_code": 0, "data": \#(quoted)}"#).payload()
        #expect(embedded == direct)

        let broken = try #require(throws: WireDecodingError.self) {
            try decode(RecordArray<DiagnosisRecord>.self, #"{"error_code": 0, "data": [{"id": 2}, {"id": null}]}"#)
        }
        #expect(broken.field == "data.1.id" && broken.problem == "required, but empty or null")
    }

    @Test("encoding writes the document's envelope")
    func encoding() throws {
        let envelope = Envelope(data: RecordList([Organisation(id: 7, name: "乡村医生协会")], page: Page(current: 1, totalPages: 1, totalCount: 1, size: 10)))
        let json = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(envelope))
        #expect(json["error_code"] == .integer(0))
        #expect(json["error_message"] == .string(""))
        #expect(json["data"]?["list"] == .array([.object(["id": .integer(7), "name": .string("乡村医生协会"), "logo": .null, "abstract": .null])]))
        #expect(json["data"]?["page"]?["count"] == .integer(1))

        let failure = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(Envelope<Project>(error: EnvelopeError(code: 2, message: "no"))))
        #expect(failure == .object(["error_code": .integer(2), "data": .object([:]), "error_message": .string("no")]))
    }
}
