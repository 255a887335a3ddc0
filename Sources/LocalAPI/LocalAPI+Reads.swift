import Foundation
import LocalRPC
import MirrorStore
import SyncEngine
import VolunteerAPI

extension LocalAPI {
    /// The shape of every list answer: the page of items and the total matching.
    static let pageSchema = RPCSchema.object(
        [
            "items": RPCSchema.array(of: itemSchema),
            "total": RPCSchema.integer(description: "records matching, over all pages"),
        ], required: ["items", "total"])

    /// One record as a read shows it.
    static let itemSchema = RPCSchema.object(
        [
            "id": RPCSchema.integer(description: "negative for a record created offline"),
            "pending": RPCSchema.boolean(description: "whether pending mutations change it"),
            "pending_mutations": RPCSchema.array(of: RPCSchema.integer(), description: "their local ids"),
            "record": RPCSchema.object(description: "the record's values as the server sent them, in canonical form, with pending changes laid over it"),
        ], required: ["id", "pending", "pending_mutations", "record"])

    static let paging: [RPCMethod.Param] = [
        .optional("limit", RPCSchema.integer(description: "1-500, default 50")),
        .optional("offset", RPCSchema.integer(description: "default 0")),
    ]

    func readMethods() -> [RPCMethod] {
        projectAndDiagnosisReads() + conversationReads() + peopleReads() + referenceReads() + directoryReads() + pageReads()
            + onlineReads()
    }

    /// Projects and their bookings (diagnoses).
    private func projectAndDiagnosisReads() -> [RPCMethod] {
        [
            list(
                "projects.list", "Projects: the doctor's own (mine), open for booking (open), booked by the assistant (booked), or all mirrored.",
                .projects,
                params: [
                    .optional("scope", RPCSchema.enumeration(["mine", "open", "booked", "all"])),
                    .optional("from_date", RPCSchema.string(description: "yyyy-MM-dd, inclusive")),
                    .optional("to_date", RPCSchema.string(description: "yyyy-MM-dd, inclusive")),
                    .optional("status", RPCSchema.integer(description: "1 active, 0 cancelled")),
                    .optional("doctor_id", RPCSchema.integer(description: "only this doctor's clinics")),
                    .optional("special_project_id", RPCSchema.integer(description: "only the clinics of this special project")),
                    .optional("descending", RPCSchema.boolean(description: "latest first")),
                ]
            ) { params in
                var query = MirrorQuery(.projects, sort: "date", descending: try params.optionalBool("descending") ?? false)
                switch try params.optionalString("scope").map({ try Self.oneOf($0, ["mine", "open", "booked", "all"], "scope") }) ?? "all" {
                case "mine": query.list = PullStep(.doctorProjects, into: .projects, paging: .single).listKey
                case "open": query.list = PullPlan.openProjects().listKey
                case "booked": query.list = PullStep(.assistantProjects, into: .projects, paging: .complete).listKey
                default: break
                }
                if let from = try params.optionalString("from_date") { query.filters.append(.init("date", .greaterOrEqual, .text(from))) }
                if let to = try params.optionalString("to_date") { query.filters.append(.init("date", .lessOrEqual, .text(to))) }
                if let status = try params.optionalInt("status") { query.filters.append(.init("status", .equal, .integer(status))) }
                if let doctor = try params.optionalInt("doctor_id") { query.filters.append(.init("doctor_id", .equal, .integer(doctor))) }
                if let special = try params.optionalInt("special_project_id") {
                    query.list = PullStep(.specialProjectProjects, path: ["id": String(special)], into: .projects, paging: .complete).listKey
                }
                return query
            },
            get("projects.get", "One project.", .projects, id: "project_id"),
            list(
                "projects.patients", "A project's bookings (diagnoses), by visit time.", .diagnoses,
                params: [
                    .required("project_id", RPCSchema.integer()),
                    .optional("status", RPCSchema.integer(description: "1 waiting, 2 not seen, 3 seen")),
                    .optional("verify_status", RPCSchema.integer(description: "1 booked, 2 rejected, 3 cancelled")),
                ]
            ) { params in
                var query = MirrorQuery(.diagnoses, filters: [.init("project_id", .equal, .integer(try params.requiredInt("project_id")))], sort: "visit_time")
                if let status = try params.optionalInt("status") { query.filters.append(.init("status", .equal, .integer(status))) }
                if let status = try params.optionalInt("verify_status") { query.filters.append(.init("verify_status", .equal, .integer(status))) }
                return query
            },
            list(
                "diagnoses.list",
                "Diagnoses (bookings) by status, latest first; a patient's scope picks those awaiting its rating or its refunds.",
                .diagnoses,
                params: [
                    .optional("scope", RPCSchema.enumeration(Array(Self.diagnosisScopes.keys).sorted() + ["all"])),
                    .optional("status", RPCSchema.integer(description: "1 waiting, 2 not seen, 3 seen")),
                    .optional("verify_status", RPCSchema.integer(description: "1 booked, 2 rejected, 3 cancelled")),
                    .optional("patient_id", RPCSchema.integer()),
                    .optional("project_id", RPCSchema.integer()),
                ]
            ) { params in
                var query = MirrorQuery(.diagnoses, sort: "id", descending: true)
                if let scope = try params.optionalString("scope"), scope != "all" {
                    guard let step = Self.diagnosisScopes[scope] else {
                        throw RPCError.invalidParams(
                            field: "scope", problem: "must be one of all, \(Self.diagnosisScopes.keys.sorted().joined(separator: ", "))")
                    }
                    try await requireRole(step.endpoint.roles, "diagnoses.list with scope \(scope)")
                    query.list = step.listKey
                }
                if let project = try params.optionalInt("project_id") { query.filters.append(.init("project_id", .equal, .integer(project))) }
                if let status = try params.optionalInt("status") { query.filters.append(.init("status", .equal, .integer(status))) }
                if let status = try params.optionalInt("verify_status") { query.filters.append(.init("verify_status", .equal, .integer(status))) }
                if let patient = try params.optionalInt("patient_id") { query.filters.append(.init("patient_id", .equal, .integer(patient))) }
                return query
            },
            get("diagnoses.get", "One diagnosis (booking).", .diagnoses, id: "diagnosis_id"),
        ]
    }

    /// System messages and chat.
    private func conversationReads() -> [RPCMethod] {
        [
            list("messages.list", "System messages, newest first.", .systemMessages, params: []) { _ in
                MirrorQuery(.systemMessages, sort: "publish_time", descending: true)
            },
            list("dialogs.list", "Chat dialogs, most recent message first.", .chatDialogs, params: []) { _ in
                MirrorQuery(.chatDialogs, sort: "last_msg_id", descending: true)
            },
            RPCMethod(
                "dialogs.messages", summary: "A dialog's latest messages (default 50), oldest first; before_id pages back.", access: .read,
                params: [
                    .required("dialog_id", RPCSchema.integer()),
                    .optional("limit", RPCSchema.integer(description: "1-500, default 50")),
                    .optional("before_id", RPCSchema.integer(description: "only messages older than this id")),
                ],
                result: .init("page", Self.pageSchema), cacheable: true
            ) { params, context in
                var query = MirrorQuery(
                    .chatMessages, filters: [.init("dialog_id", .equal, .text(String(try params.requiredInt("dialog_id"))))], sort: "id",
                    descending: true, limit: try params.optionalInt("limit", in: 1...500) ?? 50)
                if let before = try params.optionalInt("before_id") { query.filters.append(.init("id", .less, .integer(before))) }
                try requireSession()
                let (rows, total) = try await store.query(query)
                return ["items": Self.items(rows.reversed(), context), "total": .integer(total)]
            },
        ]
    }

    /// People: patients, followed doctors, memberships, the profile.
    private func peopleReads() -> [RPCMethod] {
        [
            list("patients.list", "The assistant's patients.", .users, params: []) { _ in
                try await requireRole([.assistant], "patients.list")
                return MirrorQuery(.users, list: PullStep(.assistantPatients, into: .users, paging: .complete).listKey)
            },
            list("follows.list", "The doctors the patient or assistant follows.", .users, params: []) { _ in
                let role = try await requireRole([.patient, .assistant], "follows.list")
                return MirrorQuery(.users, list: Mutation.followList(role))
            },
            list("memberships.list", "The doctor's organisation memberships.", .memberships, params: []) { _ in
                try await requireRole([.doctor], "memberships.list")
                return MirrorQuery(.memberships, list: PullStep(.myOrganisations, into: .memberships, paging: .complete).listKey)
            },
            RPCMethod(
                "profile.get", summary: "The logged-in user's profile.", access: .read, result: .init("item", Self.itemSchema)
            ) { _, request in
                guard let context = await agent.mutationContext else { throw RPCError.notLoggedIn() }
                guard let row = try await store.row(.users, id: context.userID) else { throw RPCError.notFound("the profile") }
                return Self.item(row, request)
            },
        ]
    }

    /// Reference data: hospitals, organisations, news.
    private func referenceReads() -> [RPCMethod] {
        [
            list("hospitals.list", "Hospitals.", .hospitals, params: []) { _ in MirrorQuery(.hospitals, sort: "name") },
            list("organisations.list", "Organisations.", .organisations, params: []) { _ in MirrorQuery(.organisations, sort: "name") },
            list("news.list", "News for the role, newest first.", .news, params: []) { _ in
                MirrorQuery(.news, sort: "publish_time", descending: true)
            },
        ]
    }

    /// The patient's lists of its own diagnoses besides all of them, by `diagnoses.list` scope.
    static let diagnosisScopes: [String: PullStep] = [
        "awaiting_rating": PullStep(.diagnosesAwaitingComment, into: .diagnoses, paging: .complete),
        "refunds": PullStep(.refundDiagnoses, into: .diagnoses, paging: .complete),
    ]

    /// The logged-in role, if it is one of `roles`.
    @discardableResult
    func requireRole(_ roles: Set<UserRole>, _ method: String) async throws -> UserRole {
        guard let context = await agent.mutationContext else { throw RPCError.notLoggedIn() }
        guard roles.contains(context.role) else {
            throw RPCError.roleNotAllowed("\(method) is for the \(roles.map(Self.roleName).sorted().joined(separator: " and ")) role")
        }
        return context.role
    }

    /// A paged list method over one query.
    func list(
        _ name: String, _ summary: String, _ collection: MirrorCollection, params: [RPCMethod.Param],
        query: @escaping @Sendable (RPCParams) async throws -> MirrorQuery
    ) -> RPCMethod {
        RPCMethod(
            name, summary: summary, access: .read, params: params + Self.paging, result: .init("page", Self.pageSchema), cacheable: true
        ) { params, context in
            var built = try await query(params)
            built.limit = try params.optionalInt("limit", in: 1...500) ?? 50
            built.offset = try params.optionalInt("offset", in: 0...Int(Int32.max)) ?? 0
            try requireSession()
            let (rows, total) = try await store.query(built)
            return ["items": Self.items(rows, context), "total": .integer(total)]
        }
    }

    /// A method reading one record by id.
    func get(_ name: String, _ summary: String, _ collection: MirrorCollection, id: String) -> RPCMethod {
        RPCMethod(
            name, summary: summary, access: .read, params: [.required(id, RPCSchema.integer())], result: .init("item", Self.itemSchema),
            cacheable: true
        ) { params, context in
            let recordID = try params.requiredInt(id)
            try requireSession()
            guard let row = try await store.row(collection, id: recordID) else { throw RPCError.notFound("\(id)") }
            return Self.item(row, context)
        }
    }

    /// A row as replies show it: `{"id", "pending", "pending_mutations", "record"}`.
    static func item(_ row: MirrorRow, _ context: RequestContext) -> JSONValue {
        context.encodedJSON(itemJSON(row))
    }

    /// A page's rows as one JSON array, carried into the reply verbatim.
    static func items(_ rows: some Sequence<MirrorRow>, _ context: RequestContext) -> JSONValue {
        context.encodedJSON("[" + rows.map(itemJSON).joined(separator: ",") + "]")
    }

    /// An item's JSON text, written directly: its members are integers, a boolean and the
    /// record's stored canonical JSON, in RPCJSON's sorted key order, so encoding a JSONValue
    /// of it (most of a read's remaining cost) would give these very bytes.
    static func itemJSON(_ row: MirrorRow) -> String {
        let pending = row.pendingEntries.map(String.init).joined(separator: ",")
        return #"{"id":\#(row.id),"pending":\#(row.isPending),"pending_mutations":[\#(pending)],"record":\#(row.json)}"#
    }

    static func oneOf(_ value: String, _ allowed: [String], _ field: String) throws(RPCError) -> String {
        guard allowed.contains(value) else { throw RPCError.invalidParams(field: field, problem: "must be one of \(allowed.joined(separator: ", "))") }
        return value
    }
}
