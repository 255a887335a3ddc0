import MirrorStore
import VolunteerAPI

/// What a role mirrors, as documented reads: first the collections a clinic needs offline
/// (projects, diagnoses, messages, chat), then people, pages and reference data.
///
/// ``steps(for:userID:)`` is the first round; ``followUps(after:role:userID:records:changed:)``
/// derives the reads that depend on what came back (a project's patients, a dialog's messages,
/// a doctor's reviews); ``clinicDay(role:patients:bookedProjects:)`` the reads about the people
/// of today's and upcoming clinics, found in the mirror. docs/local-api.md, "Every documented
/// read", gives each endpoint's method and tier.
public enum PullPlan {
    /// What bounds a kiosk's plan (its configuration): the plan's reads stay the documented ones.
    public struct Options: Sendable, Hashable {
        /// Pages of the open-project list mirrored; 0 reads every page (the whole country).
        public var openProjectPages: Int
        /// The kiosk sends its position (`X-location`): the open projects are read nearest first.
        public var nearestFirst: Bool

        public init(openProjectPages: Int = Self.defaultOpenProjectPages, nearestFirst: Bool = false) {
            self.openProjectPages = max(0, openProjectPages)
            self.nearestFirst = nearestFirst
        }

        /// 4 pages of 50: the 200 clinics a kiosk's patient home can page through or order by
        /// distance (docs/kiosk.md), not every clinic in the country.
        public static let defaultOpenProjectPages = 4
    }

    public static func steps(for role: UserRole, userID: Int, options: Options = Options()) -> [PullStep] {
        let steps: [PullStep]
        switch role {
        case .doctor: steps = doctorSteps(userID: userID)
        case .patient: steps = patientSteps(options: options)
        case .assistant: steps = assistantSteps(options: options)
        }
        return steps + [
            PullStep(.hospitals, into: .hospitals, paging: .complete),
            PullStep(.organisations, into: .organisations, paging: .complete),
            PullStep(.cities, into: .cities, paging: .single, parentID: 0),
            PullStep(.doctors, into: .users, paging: .complete, tier: .cold),
        ]
    }

    private static func doctorSteps(userID: Int) -> [PullStep] {
        [
            // Diagnoses come from each project's list (followUps), which names their project;
            // /doctor/project/patient holds the same records without it.
            PullStep(.doctorProjects, into: .projects, paging: .single),
            PullStep(.systemMessages, into: .systemMessages, paging: .newestFirst),
            PullStep(.chatDialogs, into: .chatDialogs, paging: .complete),
            PullStep(.currentUser, into: .users, paging: .single),
            PullStep(.doctorAssistants, into: .users, paging: .single),
            PullStep(.myOrganisations, into: .memberships, paging: .complete),
            PullStep(.doctorComments, into: .reviews, paging: .complete, tier: .warm, doctorID: userID),
            PullStep(.doctorIndex, into: .pages, paging: .single, page: .home),
            PullStep(.newsList, path: ["type": "2"], into: .news, paging: .newestFirst),
        ]
    }

    /// The projects a patient can still join (`GET /project`): nearest first when the kiosk's
    /// position is known (`sort` 1), soonest first otherwise (the server's default order), the
    /// first ``Options/openProjectPages`` pages of them.
    public static func openProjects(_ options: Options = Options()) -> PullStep {
        PullStep(
            .projects, parameters: options.nearestFirst ? ["sort": .integer(1)] : [:], into: .projects,
            paging: options.openProjectPages > 0 ? .window(pages: options.openProjectPages) : .complete)
    }

    private static func patientSteps(options: Options) -> [PullStep] {
        [
            PullStep(.patientDiagnoses, into: .diagnoses, paging: .complete),
            PullStep(.diagnosesAwaitingComment, into: .diagnoses, paging: .complete),
            PullStep(.refundDiagnoses, into: .diagnoses, paging: .complete, tier: .warm),
            openProjects(options),
            PullStep(.systemMessages, into: .systemMessages, paging: .newestFirst),
            PullStep(.chatDialogs, into: .chatDialogs, paging: .complete),
            PullStep(.currentUser, into: .users, paging: .single),
            PullStep(.patientFollows, into: .users, paging: .complete),
            PullStep(.patientAssistants, into: .users, paging: .single),
            PullStep(.patientCenter, into: .pages, paging: .single, page: .center),
            PullStep(.newsList, path: ["type": "1"], into: .news, paging: .newestFirst),
            // The home page holds the banners and is kept whole besides (PageDecoder).
            PullStep(.patientHomepage, into: .banners, paging: .single, tier: .warm),
            PullStep(.specialProjects, into: .specialProjects, paging: .complete),
        ]
    }

    private static func assistantSteps(options: Options) -> [PullStep] {
        [
            PullStep(.assistantProjects, into: .projects, paging: .complete),
            PullStep(.assistantPatients, into: .users, paging: .complete),
            PullStep(.systemMessages, into: .systemMessages, paging: .newestFirst),
            PullStep(.currentUser, into: .users, paging: .single),
            PullStep(.assistantFollows, into: .users, paging: .complete),
            PullStep(.assistantCenter, into: .pages, paging: .single, page: .center),
            openProjects(options),
            PullStep(.newsList, path: ["type": "3"], into: .news, paging: .newestFirst),
            PullStep(.assistantHomepage, into: .banners, paging: .single, tier: .warm),
        ]
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

    /// The list of bookings whose projects' casebooks a patient mirrors.
    public static let patientBookings = PullStep(.patientDiagnoses, into: .diagnoses, paging: .complete)

    /// Reads about the people of today's and upcoming clinics (warm): for a doctor, each booked
    /// patient's earlier visits (`patients`); for a patient, the casebook of each booked project
    /// (`bookedProjects`).
    public static func clinicDay(role: UserRole, patients: [Int], bookedProjects: [Int]) -> [PullStep] {
        switch role {
        case .doctor:
            return patients.map { PullStep(.patientDiagnosisRecords, path: ["id": String($0)], into: .visits, paging: .single) }
        case .patient:
            return bookedProjects.map {
                PullStep(.projectCasebook, path: ["id": String($0)], into: .casebooks, paging: .single, projectID: $0)
            }
        case .assistant:
            return []
        }
    }

    /// Reads that depend on a step's records. Each runs in the tier of its step or a hotter one,
    /// so a pull of a tier never waits on a colder list. `changed` holds the ids whose content
    /// changed in this round: a dialog's messages are fetched again only when the dialog changed
    /// (its `last_msg_id` moved).
    public static func followUps(after step: PullStep, role: UserRole, userID: Int, records ids: [Int], changed: Set<Int>) -> [PullStep] {
        switch (step.endpoint, role) {
        case (.doctorProjects, .doctor):
            return ids.map {
                PullStep(.projectPatients, path: ["id": String($0)], into: .diagnoses, paging: .single, projectID: $0, doctorID: userID)
            }
        case (.assistantProjects, .assistant):
            return ids.map {
                PullStep(.assistantProjectPatients, path: ["id": String($0)], into: .diagnoses, paging: .complete, projectID: $0)
            }
        case (.chatDialogs, _) where !step.isSettling:
            return dialogMessages(after: step, moved: ids.filter(changed.contains))
        case (.doctors, .patient), (.doctors, .assistant):
            // The newest reviews of each doctor, for choosing one: one page, daily. A doctor reads
            // its own (`/doctor/comment`) and has no use for the others'.
            return ids.map {
                PullStep(.doctorCommentsById, path: ["id": String($0)], into: .reviews, paging: .newestFirst, tier: .cold, doctorID: $0)
            }
        case (.patientFollows, .patient):
            // The clinics of the doctors a patient follows, past ones too.
            return ids.map {
                PullStep(.doctorProjectsForPatient, path: ["id": String($0)], into: .projects, paging: .newestFirst, doctorID: $0)
            }
        case (.specialProjects, _):
            return ids.map { PullStep(.specialProjectProjects, path: ["id": String($0)], into: .projects, paging: .complete, tier: .cold) }
        case (.cities, _) where step.generation < 2:
            // Provinces, then their cities, then the cities' counties: an address picker's tree.
            return ids.map {
                PullStep(
                    .cities, parameters: ["parent_id": .integer($0)], into: .cities, paging: .single, parentID: $0,
                    generation: step.generation + 1)
            }
        default:
            return []
        }
    }

    /// The messages of the dialogs that moved. Reading a dialog marks its messages read, which
    /// the dialog list then shows: the dialogs are listed once more so that the next pull finds
    /// nothing changed.
    private static func dialogMessages(after step: PullStep, moved: [Int]) -> [PullStep] {
        guard !moved.isEmpty else { return [] }
        return moved.map {
            PullStep(.chatMessages, path: ["id": String($0)], into: .chatMessages, paging: .appendOnly, dialogID: String($0))
        } + [PullStep(step.endpoint, path: step.path, parameters: step.parameters, into: step.collection, paging: step.paging, isSettling: true)]
    }
}
