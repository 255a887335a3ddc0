import Foundation
import MirrorStore
import Testing
import VolunteerAPI

@testable import SyncEngine

/// The pull plans as values: every step is a documented read the role may call, and the
/// follow-ups depend on what came back.
@Suite("Pull plans")
struct PullPlanTests {
    @Test("every step of every role is a documented read that role may call", arguments: UserRole.allCases)
    func stepsAreDocumentedReads(_ role: UserRole) {
        let steps = PullPlan.steps(for: role, userID: 1)
        #expect(Set(steps.map(\.listKey)).count == steps.count, "no list is pulled twice")
        for step in steps {
            #expect(Endpoint.all.contains(step.endpoint))
            #expect(step.endpoint.kind == .read || step.endpoint.kind == .ref, "\(step) is a \(step.endpoint.kind)")
            #expect(step.endpoint.roles.contains(role), "\(role) may not call \(step)")
            // /org and /org/my answer pages though the document lists no paging parameters.
            let answersPages = if case .page = step.endpoint.response { true } else { false }
            #expect(step.paging == .single || step.endpoint.isPaged || answersPages, "\(step) pages but the endpoint does not")
        }
        // The collections a clinic needs offline come first.
        let firstCollections = steps.prefix(3).map(\.collection)
        #expect(firstCollections.contains(.projects) || firstCollections.contains(.diagnoses))
    }

    @Test("a doctor's projects lead to their patients; a dialog's messages only when the dialog changed")
    func followUps() {
        let projects = PullStep(.doctorProjects, into: .projects, paging: .single)
        let patients = PullPlan.followUps(after: projects, role: .doctor, userID: 4, records: [7, 9], changed: [])
        #expect(patients.map(\.listKey) == ["GET /project/7/patient", "GET /project/9/patient"])
        #expect(patients.allSatisfy { $0.collection == .diagnoses && $0.doctorID == 4 } && patients.map(\.projectID) == [7, 9])

        let dialogs = PullStep(.chatDialogs, into: .chatDialogs, paging: .complete)
        let messages = PullPlan.followUps(after: dialogs, role: .patient, userID: 1, records: [1, 2, 3], changed: [2])
        #expect(messages.map(\.listKey) == ["GET /chat/2", "GET /chat"] && messages.first?.dialogID == "2")
        let settle = messages.last
        #expect(settle?.isSettling == true)
        #expect(settle.map { PullPlan.followUps(after: $0, role: .patient, userID: 1, records: [1, 2], changed: [1, 2]) }?.isEmpty == true)
        #expect(PullPlan.followUps(after: dialogs, role: .patient, userID: 1, records: [1, 2], changed: []).isEmpty)
    }

    @Test("list keys name the concrete read, parameters included")
    func listKeys() {
        #expect(PullStep(.newsList, path: ["type": "2"], into: .news, paging: .newestFirst).listKey == "GET /news/2/list")
        #expect(PullStep(.patientDiagnoses, parameters: ["type": 4], into: .diagnoses, paging: .complete).listKey == "GET /custom/diagnoses?type=4")
    }

    @Test("a follow-up is never colder than its step, so a pull of one tier never waits on a colder list", arguments: UserRole.allCases)
    func followUpsAreNotColder(_ role: UserRole) {
        var queue = PullPlan.steps(for: role, userID: 1)
        var seen = 0
        while !queue.isEmpty, seen < 200 {
            let step = queue.removeFirst()
            seen += 1
            for followUp in PullPlan.followUps(after: step, role: role, userID: 1, records: [11, 12], changed: [11, 12]) {
                #expect(followUp.tier <= step.tier, "\(followUp) (\(followUp.tier)) after \(step) (\(step.tier))")
                #expect(followUp.endpoint.roles.contains(role), "\(role) may not call \(followUp)")
                queue.append(followUp)
            }
        }
        #expect(queue.isEmpty, "follow-ups end")
    }

    @Test("regions: provinces, their cities, the cities' counties, and no deeper")
    func regionTree() {
        let provinces = PullPlan.steps(for: .patient, userID: 1).first { $0.endpoint == .cities }
        #expect(provinces?.listKey == "GET /city" && provinces?.parentID == 0)
        let cities = provinces.map { PullPlan.followUps(after: $0, role: .patient, userID: 1, records: [110000], changed: []) } ?? []
        #expect(cities.map(\.listKey) == ["GET /city?parent_id=110000"] && cities.first?.parentID == 110000)
        let counties = cities.first.map { PullPlan.followUps(after: $0, role: .patient, userID: 1, records: [111000], changed: []) } ?? []
        #expect(counties.map(\.listKey) == ["GET /city?parent_id=111000"])
        #expect(counties.first.map { PullPlan.followUps(after: $0, role: .patient, userID: 1, records: [111010], changed: []) }?.isEmpty == true)
    }

    @Test("the doctor directory leads to each doctor's newest reviews for patients and assistants, not for doctors")
    func reviews() {
        let directory = PullStep(.doctors, into: .users, paging: .complete, tier: .cold)
        for role in [UserRole.patient, .assistant] {
            let reviews = PullPlan.followUps(after: directory, role: role, userID: 1, records: [3], changed: [])
            #expect(reviews.map(\.listKey) == ["GET /doctor/3/comment"] && reviews.first?.doctorID == 3 && reviews.first?.paging == .newestFirst)
        }
        #expect(PullPlan.followUps(after: directory, role: .doctor, userID: 1, records: [3], changed: []).isEmpty)
    }

    @Test("the clinic day: a doctor reads each booked patient's visits, a patient each booking's casebook")
    func clinicDay() {
        let visits = PullPlan.clinicDay(role: .doctor, patients: [21, 22], bookedProjects: [])
        #expect(visits.map(\.listKey) == ["GET /all_diagnoses/21", "GET /all_diagnoses/22"] && visits.allSatisfy { $0.tier == .warm })
        let casebooks = PullPlan.clinicDay(role: .patient, patients: [], bookedProjects: [5])
        #expect(casebooks.map(\.listKey) == ["GET /project/5/casebook"] && casebooks.first?.projectID == 5)
        #expect(PullPlan.clinicDay(role: .assistant, patients: [1], bookedProjects: [1]).isEmpty)
    }
}
