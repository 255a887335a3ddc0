import LocalRPC
import MirrorStore
import SyncEngine
import VolunteerAPI

extension LocalAPI {
    /// People beyond the role's own lists: the doctor directory and its reviews, assistants,
    /// anyone mirrored by id, a patient's earlier visits and a booking's casebook.
    func directoryReads() -> [RPCMethod] {
        [
            list(
                "doctors.list", "The doctor directory (/doctor/list), best rated first or by name.", .users,
                params: [
                    .optional("hospital", RPCSchema.string(description: "the hospital's name, exactly")),
                    .optional("departments", RPCSchema.string(description: "the department, exactly")),
                    .optional("job_position", RPCSchema.string(description: "the job title, exactly")),
                    .optional("sort", RPCSchema.enumeration(["score", "name"])),
                ]
            ) { params in
                let sort = try params.optionalString("sort").map { try Self.oneOf($0, ["score", "name"], "sort") } ?? "score"
                var query = MirrorQuery(
                    .users, list: Self.doctorDirectory.listKey, sort: sort == "score" ? "score" : "real_name", descending: sort == "score")
                for column in ["hospital", "departments", "job_position"] {
                    if let value = try params.optionalString(column) { query.filters.append(.init(column, .equal, .text(value))) }
                }
                return query
            },
            list(
                "doctors.reviews", "A doctor's reviews (patients' ratings), newest first; the doctor's own without doctor_id.", .reviews,
                params: [.optional("doctor_id", RPCSchema.integer())]
            ) { params in
                let doctor: Int
                if let given = try params.optionalInt("doctor_id") {
                    doctor = given
                } else {
                    guard let context = await agent.mutationContext else { throw RPCError.notLoggedIn() }
                    guard context.role == .doctor else { throw RPCError.invalidParams(field: "doctor_id", problem: "is required but for a doctor") }
                    doctor = context.userID
                }
                return MirrorQuery(.reviews, filters: [.init("doctor_id", .equal, .integer(doctor))], sort: "patient_comment_time", descending: true)
            },
            list("assistants.list", "The doctor's or the patient's assistants.", .users, params: []) { _ in
                let role = try await requireRole([.doctor, .patient], "assistants.list")
                let step =
                    role == .doctor ? PullStep(.doctorAssistants, into: .users, paging: .single) : PullStep(.patientAssistants, into: .users, paging: .single)
                return MirrorQuery(.users, list: step.listKey)
            },
            get("users.get", "Anyone mirrored: a doctor, assistant or patient of the role's lists, or the user.", .users, id: "user_id"),
            list(
                "patients.visits", "A patient's visits across doctors, latest first, each with its casebook (doctor).", .visits,
                params: [.required("patient_id", RPCSchema.integer())]
            ) { params in
                let patient = try params.requiredInt("patient_id")
                try await requireRole([.doctor], "patients.visits")
                return MirrorQuery(.visits, filters: [.init("patient_id", .equal, .integer(patient))], sort: "visit_time", descending: true)
            },
            RPCMethod(
                "casebooks.get", summary: "The patient's casebook for a booked project (patient).", access: .read,
                params: [.required("project_id", RPCSchema.integer())], result: .init("item", Self.itemSchema)
            ) { params, request in
                let project = try params.requiredInt("project_id")
                try await requireRole([.patient], "casebooks.get")
                let (rows, _) = try await store.query(MirrorQuery(.casebooks, filters: [.init("project_id", .equal, .integer(project))], limit: 1))
                guard let row = rows.first else { throw RPCError.notFound("the casebook of project_id \(project)") }
                return Self.item(row, request)
            },
        ]
    }

    /// The doctor directory's list in the mirror.
    static let doctorDirectory = PullStep(.doctors, into: .users, paging: .complete)
}
