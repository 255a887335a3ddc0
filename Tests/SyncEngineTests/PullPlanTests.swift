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
}
