import MirrorStore
import VolunteerAPI

/// What a role mirrors, as documented reads: first the collections a clinic needs offline
/// (projects, diagnoses, messages, chat), then profile and reference data.
///
/// ``steps(for:userID:)`` is the first round; ``followUps(after:records:)`` derives the reads
/// that depend on what came back (a project's patients, a dialog's messages).
public enum PullPlan {
    public static func steps(for role: UserRole, userID: Int) -> [PullStep] {
        var steps: [PullStep]
        switch role {
        case .doctor:
            steps = [
                // Diagnoses come from each project's list (followUps), which names their project;
                // /doctor/project/patient holds the same records without it.
                PullStep(.doctorProjects, into: .projects, paging: .single),
                PullStep(.systemMessages, into: .systemMessages, paging: .newestFirst),
                PullStep(.chatDialogs, into: .chatDialogs, paging: .complete),
                PullStep(.currentUser, into: .users, paging: .single),
                PullStep(.doctorAssistants, into: .users, paging: .single),
                PullStep(.myOrganisations, into: .memberships, paging: .complete),
                PullStep(.newsList, path: ["type": "2"], into: .news, paging: .newestFirst),
            ]
        case .patient:
            steps = [
                PullStep(.patientDiagnoses, into: .diagnoses, paging: .complete),
                PullStep(.projects, into: .projects, paging: .complete),
                PullStep(.systemMessages, into: .systemMessages, paging: .newestFirst),
                PullStep(.chatDialogs, into: .chatDialogs, paging: .complete),
                PullStep(.currentUser, into: .users, paging: .single),
                PullStep(.patientFollows, into: .users, paging: .complete),
                PullStep(.patientAssistants, into: .users, paging: .single),
                PullStep(.newsList, path: ["type": "1"], into: .news, paging: .newestFirst),
                PullStep(.patientHomepage, into: .banners, paging: .single),
                PullStep(.specialProjects, into: .specialProjects, paging: .complete),
            ]
        case .assistant:
            steps = [
                PullStep(.assistantProjects, into: .projects, paging: .complete),
                PullStep(.assistantPatients, into: .users, paging: .complete),
                PullStep(.systemMessages, into: .systemMessages, paging: .newestFirst),
                PullStep(.currentUser, into: .users, paging: .single),
                PullStep(.assistantFollows, into: .users, paging: .complete),
                PullStep(.projects, into: .projects, paging: .complete),
                PullStep(.newsList, path: ["type": "3"], into: .news, paging: .newestFirst),
                PullStep(.assistantHomepage, into: .banners, paging: .single),
            ]
        }
        steps += [
            PullStep(.hospitals, into: .hospitals, paging: .complete),
            PullStep(.organisations, into: .organisations, paging: .complete),
            PullStep(.cities, into: .cities, paging: .single),
        ]
        return steps
    }

    /// The list of projects whose patients are the role's waiting list: the doctor's own, the
    /// assistant's bookings. nil for a patient, whose bookings are a list of their own.
    public static func waitingListSource(for role: UserRole) -> PullStep? {
        switch role {
        case .doctor: PullStep(.doctorProjects, into: .projects, paging: .single)
        case .assistant: PullStep(.assistantProjects, into: .projects, paging: .complete)
        case .patient: nil
        }
    }

    /// The hot tier's own reads of the waiting list: the patients of `projects` (those in
    /// progress or to come, found in the mirror), so that a doctor's patients and an assistant's
    /// bookings are as fresh as the hot tier without pulling the project list, which is warm.
    public static func waitingLists(role: UserRole, userID: Int, projects: [Int]) -> [PullStep] {
        guard let source = waitingListSource(for: role) else { return [] }
        return followUps(after: source, role: role, userID: userID, records: projects, changed: [])
    }

    /// Reads that depend on a step's records: each project's patients (doctor, assistant) and
    /// each dialog's messages. `changed` holds the ids whose content changed in this round: a
    /// dialog's messages are fetched again only when the dialog changed (its `last_msg_id` moved).
    public static func followUps(after step: PullStep, role: UserRole, userID: Int, records: [Int], changed: Set<Int>) -> [PullStep] {
        switch (step.endpoint, role) {
        case (.doctorProjects, .doctor):
            return records.map {
                PullStep(.projectPatients, path: ["id": String($0)], into: .diagnoses, paging: .single, projectID: $0, doctorID: userID)
            }
        case (.assistantProjects, .assistant):
            return records.map {
                PullStep(.assistantProjectPatients, path: ["id": String($0)], into: .diagnoses, paging: .complete, projectID: $0)
            }
        case (.chatDialogs, _) where !step.isSettling:
            let moved = records.filter(changed.contains)
            guard !moved.isEmpty else { return [] }
            // Reading a dialog marks its messages read, which the dialog list then shows: list
            // the dialogs once more so that the next pull finds nothing changed.
            return moved.map {
                PullStep(.chatMessages, path: ["id": String($0)], into: .chatMessages, paging: .complete, dialogID: String($0))
            } + [PullStep(step.endpoint, path: step.path, parameters: step.parameters, into: step.collection, paging: step.paging, isSettling: true)]
        default:
            return []
        }
    }
}
