import Foundation
import MirrorStore
import Testing
import VolunteerAPI

@testable import SyncEngine

/// Answers of pull steps turned into mirrored records, with their raw JSON kept whole.
@Suite("Page decoder")
struct PageDecoderTests {
    @Test("a page of diagnoses keeps each record in canonical form and takes the project from the list")
    func diagnoses() throws {
        let body = #"""
            {"error_code": 0, "data": {"list": [
                {"id": 3, "verify_status": 1, "status": "2", "user_info": {"id": 8, "real_name": "李四"}, "v3_field": true},
                {"id": 4, "verify_status": 3, "status": 1, "user_info": [{"id": 9}]}
            ], "page": {"current_page": 1, "total_page": 2, "count": 12, "page_size": 2}}}
            """#
        let step = PullStep(.assistantProjectPatients, path: ["id": "12"], into: .diagnoses, paging: .complete, projectID: 12)
        let page = try PageDecoder.decode(Data(body.utf8), for: step, role: .assistant)
        #expect(page.records.map(\.id) == [3, 4])
        #expect(page.records[0].columns["project_id"] == .integer(12) && page.records[0].columns["patient_id"] == .integer(8))
        #expect(page.records[0].columns["status"] == .integer(2))
        #expect(page.records[0].raw["status"] == 2, "a number sent as text is stored as a number")
        #expect(page.records[0].raw["v3_field"] == nil, "fields the document does not define are left out")
        #expect(page.records[1].columns["patient_id"] == .integer(9))
        #expect(page.page == Page(current: 1, totalPages: 2, totalCount: 12, size: 2))
    }

    @Test("the logged-in user is mirrored without its token")
    func currentUser() throws {
        let body = #"{"error_code": 0, "data": {"id": 5, "real_name": "王医生", "hospital": "人民医院", "token": "t0ken"}}"#
        let page = try PageDecoder.decode(Data(body.utf8), for: PullStep(.currentUser, into: .users, paging: .single), role: .doctor)
        #expect(page.records.count == 1 && page.records[0].columns["role"] == .integer(2))
        #expect(page.records[0].raw["token"] == nil && page.records[0].raw["real_name"] == "王医生")
    }

    @Test("lists of people are read as the structure the endpoint documents")
    func people() throws {
        let doctors =
            #"{"error_code": 0, "data": {"list": [{"id": 6, "real_name": "张伟"}], "page": {"current_page": 1, "total_page": 1, "count": 1, "page_size": 10}}}"#
        let page = try PageDecoder.decode(Data(doctors.utf8), for: PullStep(.patientFollows, into: .users, paging: .complete), role: .patient)
        #expect(page.records.first?.columns["role"] == .integer(UserRole.doctor.rawValue))
        let patients = #"{"error_code": 0, "data": {"list": [{"id": 7}, {"id": 8}]}}"#
        let bound = try PageDecoder.decode(Data(patients.utf8), for: PullStep(.assistantPatients, into: .users, paging: .complete), role: .assistant)
        #expect(bound.records.map { $0.columns["role"] } == [.integer(1), .integer(1)])
    }

    @Test("banners are read out of the homepage aggregate, which is kept whole as the home page")
    func banners() throws {
        let body = #"{"error_code": 0, "data": {"banner": [{"id": 3, "title": "义诊周", "jump_mode": 0}], "news": [], "project_list": []}}"#
        let page = try PageDecoder.decode(Data(body.utf8), for: PullStep(.patientHomepage, into: .banners, paging: .single), role: .patient)
        #expect(page.records.map(\.collection) == [.banners, .pages] && page.records.map(\.id) == [3, MirrorPage.home.rawValue])
        #expect(page.records[0].raw["title"] == "义诊周" && page.records[1].raw["project_list"] == [])
    }

    @Test("a personal centre is kept whole without the profile's token; visits come as a bare array; an empty casebook is none")
    func pagesVisitsCasebooks() throws {
        let center = #"{"error_code": 0, "data": {"user_info": {"id": 5, "real_name": "赵明", "token": "secret-token"}, "msg_count": 2}}"#
        let page = try PageDecoder.decode(
            Data(center.utf8), for: PullStep(.patientCenter, into: .pages, paging: .single, page: .center), role: .patient)
        #expect(page.records.map(\.id) == [MirrorPage.center.rawValue] && page.records[0].raw["user_info"]?["token"] == nil)
        #expect(page.records[0].raw["msg_count"] == 2)
        let visits =
            #"{"error_code": 0, "data": [{"id": 2, "user_id": 8, "doctor_user_id": 6, "project_id": 14, "status": 3, "visit_time": "2018-04-01 08:30:00", "casebook": {"id": 1, "content": "123"}}], "error_message": ""}"#
        let visit = try PageDecoder.decode(
            Data(visits.utf8), for: PullStep(.patientDiagnosisRecords, path: ["id": "8"], into: .visits, paging: .single), role: .doctor)
        #expect(visit.records.map(\.id) == [2] && visit.records[0].columns["patient_id"] == .integer(8) && visit.records[0].columns["doctor_id"] == .integer(6))
        let none = #"{"error_code": 0, "data": [], "error_message": ""}"#
        let casebook = PullStep(.projectCasebook, path: ["id": "4"], into: .casebooks, paging: .single, projectID: 4)
        #expect(try PageDecoder.decode(Data(none.utf8), for: casebook, role: .patient).records.isEmpty)
        let one = #"{"error_code": 0, "data": {"id": 9, "user_id": 8, "content": "头晕", "photo": ["http://img.example/a.jpg"]}}"#
        #expect(try PageDecoder.decode(Data(one.utf8), for: casebook, role: .patient).records.first?.columns["project_id"] == .integer(4))
    }

    @Test("a refusal or a broken body is an error, never an empty page")
    func failures() throws {
        let step = PullStep(.systemMessages, into: .systemMessages, paging: .newestFirst)
        #expect(throws: EnvelopeError.self) {
            try PageDecoder.decode(Data(#"{"error_code": 4002, "data": {}, "error_message": "登录已过期"}"#.utf8), for: step, role: .patient)
        }
        #expect(throws: WireDecodingError.self) {
            try PageDecoder.decode(Data(#"{"error_code": 0, "data": {"list": [{"title": "no id"}]}}"#.utf8), for: step, role: .patient)
        }
    }
}
