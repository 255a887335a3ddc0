import Foundation
import GRDB
import MirrorStore
import Testing
import UpstreamClient
import VolunteerAPI

@testable import ReferenceServer
@testable import SyncEngine

/// Issue #5 item 8, kind by kind: every mutation kind, made by the role that may make it on
/// targets vdapi's (enriched) demo world holds, is applied with exactly one effect upstream
/// while online; queued while vdapi is unreachable and applied once it is back; applied once
/// when the reply is lost after the server committed, and when the connection is reset before
/// the handler ran; rejected with vdapi's message and rolled back when the server refuses it,
/// without holding back an independent chain; applied once after a storm of 5xx answers; and
/// applied once, never resent, when the server commits it after the agent stopped waiting.
///
/// One vdapi and one mirror per role: the kinds of a role, and the seven scenarios of each, run
/// one after the other on fresh targets (each scenario's plan reads vdapi for a target still
/// valid; ``RichDemo`` makes sure there are enough), so the whole matrix costs three worlds,
/// not a hundred and twenty. Every expectation names its kind and scenario.
/// (`OUTBOX_MATRIX_KIND=chat.send` runs one kind only, when debugging.)
@Suite("Outbox: every kind against vdapi")
struct OutboxKindMatrixTests {
    @Test("every kind has a role that may make it, and the matrix covers every kind")
    func coverage() {
        let specs = MutationKind.allCases.map(KindSpec.spec)
        #expect(specs.map(\.kind) == MutationKind.allCases)
        for spec in specs {
            #expect(spec.kind.roles.contains(spec.account.role), "\(spec.kind.rawValue) by \(spec.account)")
        }
        #expect(Set(specs.map(\.account.role)) == [.doctor, .patient, .assistant])
    }

    @Test(
        "online, offline, reply lost, reset before the handler, business rejection, 5xx storm, slow server", arguments: [UserRole.doctor, .patient, .assistant])
    func matrix(_ role: UserRole) async throws {
        let only = ProcessInfo.processInfo.environment["OUTBOX_MATRIX_KIND"]
        let specs = MutationKind.allCases.map(KindSpec.spec).filter { $0.account.role == role && (only == nil || only == $0.kind.rawValue) }
        guard let account = specs.first?.account else { return }
        try await OutboxScenario.withCast([account]) { cast in
            for spec in specs {
                #expect(spec.account == account)
                let run = MatrixRun(spec: spec, cast: cast)
                try await run.online()
                try await run.offline()
                try await run.replyLost()
                try await run.resetBeforeHandler()
                try await run.rejection()
                try await run.serverErrorStorm()
                try await run.slowServer()
            }
        }
    }
}

// MARK: - Scenarios

/// The seven scenarios of one kind, on one cast (one account).
struct MatrixRun {
    let spec: KindSpec
    let cast: OutboxCast
    var world: OutboxWorld { cast.worlds[0] }
    var kind: MutationKind { spec.kind }

    /// A rule on the kind's own write request (method and path template), never on its reads.
    func fault(_ action: FaultRule.Action, times: Int) -> FaultRule {
        FaultRule(action, method: kind.endpoint.method.rawValue, path: kind.endpoint.path.template, times: times)
    }

    /// A fresh valid target, prepared (SMS code...), with its effect counted upstream before.
    func plan() async throws -> (plan: Planned, before: Int) {
        let plan = try await spec.valid(world, cast.ids)
        try await plan.prepare?()
        return (plan, try await plan.probe())
    }

    /// Submits it: acknowledged queued, its optimistic effect shown pending at once.
    func submit(_ plan: Planned, _ scenario: String) async throws -> OutboxEntry {
        let entry = try await world.submit(kind, plan.parameters)
        #expect(entry.state == .queued, "\(kind.rawValue) \(scenario)")
        #expect(entry.kind == kind.rawValue)
        try await expectPending(plan.shown, entry, scenario)
        return entry
    }

    /// The entry is applied after `attempts` sends and `checks` read-back checks, its effect is
    /// upstream `effects` times (once), and the mirror shows the server's record.
    func expectApplied(
        _ entry: OutboxEntry, _ plan: Planned, before: Int, attempts: Int, checks: Int, effects: Int = 1, _ scenario: String
    ) async throws {
        let label = "\(kind.rawValue) \(scenario)"
        let stored = try await world.stored(entry)
        #expect(stored.state == .applied, "\(label): \(stored.state), last error: \(stored.lastError ?? "none")")
        #expect(stored.attempts == attempts, "\(label): attempts")
        #expect(stored.checks == checks, "\(label): read-back checks")
        #expect(try await plan.probe() == before + effects, "\(label): effects upstream")
        try await expectSettled(plan.shown, entry, scenario)
    }

    /// (a) Applied while online.
    func online() async throws {
        let (plan, before) = try await plan()
        let entry = try await submit(plan, "online")
        #expect(try await plan.probe() == before, "nothing is sent before the replayer runs")
        await world.drain()
        try await expectApplied(entry, plan, before: before, attempts: 1, checks: 0, "online")
        await cast.removeFaults()
    }

    /// (b) Queued while vdapi refuses connections, then applied when it is back.
    func offline() async throws {
        let (plan, before) = try await plan()
        try await cast.goOffline()
        let entry = try await submit(plan, "offline")
        for _ in 0..<3 { await world.replayer.drainReady() }
        let waiting = try await world.stored(entry)
        #expect(waiting.state == .queued, "\(kind.rawValue) offline: \(waiting.state)")
        #expect(waiting.attempts == 3, "\(kind.rawValue) offline: each refused connection is counted")
        #expect(waiting.lastError != nil)
        #expect(try await plan.probe() == before, "nothing reached vdapi")
        try await expectPending(plan.shown, entry, "offline, still pending")
        try await cast.comeBack()
        await world.drain()
        try await expectApplied(entry, plan, before: before, attempts: 4, checks: 0, "back online")
    }

    /// (c) The server committed, the reply was lost: read back, found, applied; never resent.
    /// A photo upload is the exception the design states: no documented read shows an upload,
    /// so it is sent again (the first copy stays on the server, unreferenced).
    func replyLost() async throws {
        let (plan, before) = try await plan()
        await cast.addFault(fault(.resetAfterCommit, times: 1))
        let entry = try await submit(plan, "reply lost")
        await world.drain()
        if kind == .uploadPhoto {
            try await expectApplied(entry, plan, before: before, attempts: 2, checks: 1, effects: 2, "reply lost")
        } else {
            try await expectApplied(entry, plan, before: before, attempts: 1, checks: 0, "reply lost")
        }
        await cast.removeFaults()
    }

    /// (d) The connection was reset before the handler ran: read back, found absent, resent.
    func resetBeforeHandler() async throws {
        let (plan, before) = try await plan()
        await cast.addFault(fault(.resetBeforeHandler, times: 1))
        let entry = try await submit(plan, "reset before handler")
        await world.drain()
        try await expectApplied(entry, plan, before: before, attempts: 2, checks: 1, "reset before handler")
        await cast.removeFaults()
    }

    /// (f) Three 5xx answers in a row (the handler never ran): each read back, found absent,
    /// resent; then applied once.
    func serverErrorStorm() async throws {
        let (plan, before) = try await plan()
        await cast.addFault(fault(.serverErrorBeforeHandler, times: 3))
        let entry = try await submit(plan, "5xx storm")
        await world.drain()
        try await expectApplied(entry, plan, before: before, attempts: 4, checks: 3, "5xx storm")
        await cast.removeFaults()
    }

    /// (g) The server holds the write longer than the agent waits for an answer, then commits
    /// it: the read-back finds nothing at first, reads again within the settle time, and finds
    /// the late effect; never resent. (A photo upload has no read-back: sent again, as in (c).)
    func slowServer() async throws {
        let (plan, before) = try await plan()
        await cast.addFault(FaultRule(.delay, method: kind.endpoint.method.rawValue, path: kind.endpoint.path.template, times: 1, delayMilliseconds: 1600))
        let entry = try await submit(plan, "slow server")
        var policy = OutboxWorld.policy()
        policy.settleTime = .seconds(4)
        policy.settleCheckInterval = .milliseconds(250)
        try await world.impatient(readTimeout: .seconds(1), policy: policy) { replayer in
            _ = await world.run(replayer, until: entry, timeout: .seconds(30))
        }
        if kind == .uploadPhoto {
            let landed = try await world.waitUntil(timeout: .seconds(10)) { try await plan.probe() == before + 2 }
            #expect(landed, "\(kind.rawValue) slow server: the late upload landed")
            try await expectApplied(entry, plan, before: before, attempts: 2, checks: 1, effects: 2, "slow server")
        } else {
            try await expectApplied(entry, plan, before: before, attempts: 1, checks: 0, "slow server")
        }
        await cast.removeFaults()
    }

    /// (e) vdapi refuses it for good: rejected with vdapi's code and message, the optimistic
    /// effect rolled back to server truth with journal entries saying so, and an independent
    /// chain submitted with it applied all the same.
    func rejection() async throws {
        guard let refusalOf = spec.refusal else {
            // No business rule of vdapi refuses a valid mutation of this kind (see KindSpec).
            return
        }
        let label = "\(kind.rawValue) rejection"
        let refusal = try await refusalOf(world, cast.ids)
        try await refusal.prepare?()
        let membershipsBefore = try await world.listMemberships()
        let rejected = try await world.submit(kind, refusal.parameters)
        // The records its effect touched, with the server truth beneath them.
        let touched = try await world.overlayRows(of: rejected.id)
        var truths: [(collection: MirrorCollection, id: Int, raw: JSONValue?, changed: Bool)] = []
        for row in touched where row.list == nil {
            let truth = try await world.shadowRaw(row.collection, row.id)
            let shown = try await world.store.raw(row.collection, id: row.id)
            truths.append((row.collection, row.id, truth, shown != truth))
        }
        let independent = try await Independent.plan(world, cast.ids)
        let independentBefore = try await independent.probe()
        let other = try await world.submit(independent.kind, independent.parameters)
        let seq = try await world.store.lastSeq()

        await world.drain()

        let stored = try await world.stored(rejected)
        #expect(stored.state == .rejected, "\(label): \(stored.state), last error: \(stored.lastError ?? "none")")
        #expect(stored.errorCode == refusal.errorCode, "\(label): vdapi's error_code")
        #expect(stored.errorMessage?.isEmpty == false, "\(label): vdapi's error_message is kept")
        for truth in truths {
            #expect(try await world.store.raw(truth.collection, id: truth.id) == truth.raw, "\(label): \(truth.collection) #\(truth.id) is server truth again")
            #expect(try await !world.store.isPending(truth.collection, id: truth.id), "\(label): \(truth.collection) #\(truth.id) not pending")
        }
        let membershipsAfter = try await world.listMemberships()
        for row in touched {
            guard let list = row.list else { continue }
            let key = "\(list)|\(row.collection.rawValue)|\(row.id)"
            #expect(membershipsAfter.contains(key) == membershipsBefore.contains(key), "\(label): list \(list) as before")
        }
        let journal = try await world.store.journal(after: seq)
        #expect(journal.contains { $0.topic == .outbox && $0.recordID == rejected.id }, "\(label): the journal tells the entry's state")
        for truth in truths where truth.changed {
            #expect(
                journal.contains { $0.collection == truth.collection && $0.recordID == truth.id },
                "\(label): the journal tells the rollback of \(truth.collection) #\(truth.id)")
        }
        let otherStored = try await world.stored(other)
        #expect(otherStored.state == .applied, "\(label): the independent chain is not held back")
        #expect(try await independent.probe() == independentBefore + 1)
        // The user dismisses it: discarded, it no longer holds back its own chain.
        #expect(try await world.outbox.discard(rejected.id), "\(label): a rejected entry can be discarded")
        #expect(try await world.stored(rejected).state == .discarded)
        await cast.removeFaults()
    }

    // MARK: Showing

    func expectPending(_ shown: Shown, _ entry: OutboxEntry, _ scenario: String) async throws {
        let label = "\(kind.rawValue) \(scenario)"
        let store = world.store
        switch shown {
        case .nothing:
            break
        case .record(let collection, let id, let holds):
            let raw = try await store.raw(collection, id: id)
            #expect(raw.map(holds) == true, "\(label): the change is shown at once")
            #expect(try await store.isPending(collection, id: id), "\(label): and marked pending")
        case .created(let collection):
            let temp = try world.tempID(of: entry)
            #expect(temp < 0, "\(label): a temporary id")
            #expect(try await store.raw(collection, id: temp) != nil, "\(label): the new record is shown at once")
            #expect(try await store.isPending(collection, id: temp), "\(label): and marked pending")
        case .member(let list, let collection, let id, let present):
            #expect(try await store.members(of: list, collection: collection).contains(id) == present, "\(label): the list shows it at once")
        case .gone(let collection, let id):
            #expect(try await store.raw(collection, id: id) == nil, "\(label): the record is hidden at once")
            #expect(try await store.isPending(collection, id: id), "\(label): and marked pending")
        }
    }

    func expectSettled(_ shown: Shown, _ entry: OutboxEntry, _ scenario: String) async throws {
        let label = "\(kind.rawValue) \(scenario)"
        let store = world.store
        switch shown {
        case .nothing:
            break
        case .record(let collection, let id, let holds):
            let raw = try await store.raw(collection, id: id)
            #expect(raw.map(holds) == true, "\(label): the server's record shows the change")
            #expect(try await !store.isPending(collection, id: id), "\(label): no longer pending")
        case .created(let collection):
            let temp = try world.tempID(of: entry)
            #expect(try await store.raw(collection, id: temp) == nil, "\(label): the temporary record is gone")
            let real = try await store.realID(forTemp: temp)
            #expect(real.map { $0 > 0 } == true, "\(label): the temporary id maps to the server's")
            if let real {
                #expect(try await store.raw(collection, id: real) != nil, "\(label): the server's record is mirrored")
                #expect(try await !store.isPending(collection, id: real), "\(label): not pending")
            }
        case .member(let list, let collection, let id, let present):
            #expect(try await store.members(of: list, collection: collection).contains(id) == present, "\(label): the list keeps it")
        case .gone(let collection, let id):
            #expect(try await store.raw(collection, id: id) == nil, "\(label): the record stays gone")
            #expect(try await !store.isPending(collection, id: id), "\(label): no longer pending")
        }
    }
}

// MARK: - What each kind needs

/// How a mutation shows in the mirror while pending (and after it is applied).
enum Shown: Sendable {
    case nothing
    /// An existing record, changed: `holds` tells the change.
    case record(MirrorCollection, Int, @Sendable (JSONValue) -> Bool)
    /// A record created offline, under the entry's temporary id.
    case created(MirrorCollection)
    /// A membership of a list, present or absent.
    case member(String, MirrorCollection, Int, Bool)
    /// A record hidden.
    case gone(MirrorCollection, Int)
}

/// A valid mutation for the current state of vdapi.
struct Planned: Sendable {
    var parameters: [String: JSONValue]
    /// Counts vdapi's rows that show the effect: one more once it is applied.
    var probe: @Sendable () async throws -> Int
    var shown: Shown = .nothing
    /// Done online before submitting (an SMS code).
    var prepare: (@Sendable () async throws -> Void)? = nil
}

/// A mutation that passes local validation and that vdapi refuses by a business rule.
struct Refusal: Sendable {
    var parameters: [String: JSONValue]
    var errorCode: Int
    var prepare: (@Sendable () async throws -> Void)? = nil
}

/// A kind, the account that makes it, and where vdapi's demo world gives it valid targets and
/// a business rejection.
struct KindSpec: Sendable {
    let kind: MutationKind
    let account: DemoAccount
    let valid: @Sendable (OutboxWorld, DemoIDs) async throws -> Planned
    /// nil where no business rule of vdapi refuses a locally valid mutation of the kind: a photo
    /// upload (vdapi checks only the declared type and the size, as local validation does) and
    /// an unfollow (idempotent, no checks).
    let refusal: (@Sendable (OutboxWorld, DemoIDs) async throws -> Refusal)?

    static var today: String { APIClock.date(Date()) }

    static func patientProfile(name: String, idno: String) -> [String: JSONValue] {
        [
            "real_name": .string(name), "idno": .string(idno), "height": "171", "weight": "70", "marital_status": 1, "drink_status": 0,
            "smoking_status": 0,
        ]
    }

    static func newProject(_ text: String, capacity: Int = 4) -> [String: JSONValue] {
        [
            "date": .string(APIClock.date(Date().addingTimeInterval(30 * 86_400))), "begin": "09:00:00", "end": "11:00:00",
            "capacity": .integer(capacity), "longitude": "116.443100", "latitude": "39.921500", "address": "朝阳区矩阵路 1 号",
            "service_targets": ["老年人"], "description": .string(text), "price": 0,
        ]
    }

    // swiftlint:disable:next cyclomatic_complexity function_body_length
    static func spec(_ kind: MutationKind) -> KindSpec {
        switch kind {
        case .uploadPhoto:
            return KindSpec(
                kind: kind, account: .patient,
                valid: { world, _ in
                    Planned(
                        parameters: ["photo": [OutboxScenario.photo]],
                        probe: { try await world.upstreamCount("upload", where: "bytes = ?", [OutboxScenario.png]) })
                }, refusal: nil)

        case .completeProfile:
            return KindSpec(
                kind: kind, account: .patient,
                valid: { world, _ in
                    let me = world.me
                    let name = "赵明" + OutboxScenario.tag().prefix(4)
                    let idno = try await world.upstreamString("SELECT idno FROM user WHERE id = ?", [me]) ?? OutboxScenario.idCardNumber()
                    return Planned(
                        parameters: patientProfile(name: name, idno: idno),
                        probe: { try await world.upstreamCount("user", where: "id = ? AND real_name = ?", [me, name]) },
                        shown: .record(.users, me, { $0["real_name"] == .string(name) }))
                },
                refusal: { world, _ in
                    var parameters = patientProfile(name: "赵明改", idno: OutboxScenario.idCardNumber())
                    parameters["email"] = "not-an-address"  // vdapi: 邮箱格式不正确 (local validation has no email rule)
                    return Refusal(parameters: parameters, errorCode: 1001)
                })

        case .follow:
            return KindSpec(
                kind: kind, account: .patient,
                valid: { world, _ in
                    let me = world.me
                    let doctor = try #require(
                        try await world.upstreamInt(
                            "SELECT id FROM user WHERE type = 2 AND id NOT IN (SELECT doctor_id FROM follow WHERE user_id = ?) ORDER BY id LIMIT 1", [me]))
                    return Planned(
                        parameters: ["doctor_id": .integer(doctor)],
                        probe: { try await world.upstreamCount("follow", where: "user_id = ? AND doctor_id = ?", [me, doctor]) },
                        shown: .member(Mutation.followList(.patient), .users, doctor, true))
                },
                refusal: { _, ids in
                    // Only doctors can be followed: vdapi answers 4004 (医生 not found).
                    Refusal(parameters: ["doctor_id": .integer(ids.patients[1])], errorCode: 4004)
                })

        case .unfollow:
            return KindSpec(
                kind: kind, account: .patient,
                valid: { world, _ in
                    let me = world.me
                    let doctor = try #require(try await world.upstreamInt("SELECT doctor_id FROM follow WHERE user_id = ? ORDER BY doctor_id LIMIT 1", [me]))
                    return Planned(
                        parameters: ["doctor_id": .integer(doctor)],
                        probe: { try await 1 - world.upstreamCount("follow", where: "user_id = ? AND doctor_id = ?", [me, doctor]) },
                        shown: .member(Mutation.followList(.patient), .users, doctor, false))
                }, refusal: nil)

        case .publishProject:
            return KindSpec(
                kind: kind, account: .doctor,
                valid: { world, _ in
                    let me = world.me
                    let text = "矩阵发布的义诊 " + OutboxScenario.tag()
                    return Planned(
                        parameters: newProject(text),
                        probe: { try await world.upstreamCount("project", where: "doctor_id = ? AND abstract = ?", [me, text]) },
                        shown: .created(.projects))
                },
                refusal: { _, _ in
                    // vdapi takes 1-500 places; local validation allows more.
                    Refusal(parameters: newProject("矩阵：太多名额", capacity: 501), errorCode: 1001)
                })

        case .cancelProject:
            return KindSpec(
                kind: kind, account: .doctor,
                valid: { world, _ in
                    let project = try #require(
                        try await world.upstreamInt(
                            "SELECT id FROM project WHERE doctor_id = ? AND status = 1 AND date > ? ORDER BY date DESC, id DESC LIMIT 1",
                            [world.me, today]))
                    return Planned(
                        parameters: ["project_id": .integer(project)],
                        probe: { try await world.upstreamCount("project", where: "id = ? AND status = 0", [project]) },
                        shown: .record(.projects, project, { $0["status"] == 0 }))
                },
                refusal: { _, ids in
                    // In progress: 义诊已开始或已结束，不能取消.
                    Refusal(parameters: ["project_id": .integer(ids.today)], errorCode: 4009)
                })

        case .rejectDiagnosis:
            return KindSpec(
                kind: kind, account: .doctor,
                valid: { world, _ in
                    let booking = try #require(try await upcomingWaiting(world, doctor: world.me))
                    return Planned(
                        parameters: ["diagnosis_id": .integer(booking), "reason": "矩阵测试：请改约下周"],
                        probe: { try await world.upstreamCount("diagnosis", where: "id = ? AND verify_status = 2", [booking]) },
                        shown: .record(.diagnoses, booking, { $0["verify_status"] == 2 }))
                },
                refusal: { world, ids in
                    // The project has started: 义诊已开始或已结束.
                    let booking = try #require(try await waitingToday(world, ids))
                    return Refusal(parameters: ["diagnosis_id": .integer(booking), "reason": "矩阵测试：太晚了"], errorCode: 4009)
                })

        case .markDiagnosisDone:
            return KindSpec(
                kind: kind, account: .doctor,
                valid: { world, _ in
                    let booking = try #require(
                        try await world.upstreamInt(
                            """
                            SELECT d.id FROM diagnosis d JOIN project p ON p.id = d.project_id
                            WHERE d.doctor_user_id = ? AND d.verify_status = 1 AND d.status IN (1, 2) AND p.status = 1 AND p.date <= ?
                            ORDER BY d.id DESC LIMIT 1
                            """, [world.me, today]))
                    return Planned(
                        parameters: ["diagnosis_id": .integer(booking)],
                        probe: { try await world.upstreamCount("diagnosis", where: "id = ? AND status = 3", [booking]) },
                        shown: .record(.diagnoses, booking, { $0["status"] == 3 }))
                },
                refusal: { world, _ in
                    // Not started yet: 义诊尚未开始.
                    let booking = try #require(try await upcomingWaiting(world, doctor: world.me))
                    return Refusal(parameters: ["diagnosis_id": .integer(booking)], errorCode: 4009)
                })

        case .ratePatient:
            return KindSpec(
                kind: kind, account: .doctor,
                valid: { world, _ in
                    let booking = try #require(
                        try await world.upstreamInt(
                            """
                            SELECT id FROM diagnosis WHERE doctor_user_id = ? AND verify_status = 1 AND status = 3
                              AND patient_credit_score = 0 AND doctor_comment_time IS NULL ORDER BY id DESC LIMIT 1
                            """, [world.me]))
                    return Planned(
                        parameters: ["diagnosis_id": .integer(booking), "honesty": 4, "punctuality": 5],
                        probe: {
                            try await world.upstreamCount(
                                "diagnosis", where: "id = ? AND patient_credit_score = 4 AND patient_punctuality_score = 5", [booking])
                        },
                        shown: .record(.diagnoses, booking, { $0["patient_credit_score"] == 4 }))
                },
                refusal: { world, _ in
                    // Rated once already: 已评价过该患者.
                    let booking = try #require(
                        try await world.upstreamInt(
                            "SELECT id FROM diagnosis WHERE doctor_user_id = ? AND patient_credit_score > 0 ORDER BY id LIMIT 1", [world.me]))
                    return Refusal(parameters: ["diagnosis_id": .integer(booking), "honesty": 3, "punctuality": 3], errorCode: 4009)
                })

        case .recordDiagnosisResult:
            return KindSpec(
                kind: kind, account: .doctor,
                valid: { world, _ in
                    let booking = try #require(
                        try await world.upstreamInt(
                            "SELECT id FROM diagnosis WHERE doctor_user_id = ? AND verify_status = 1 AND status = 3 ORDER BY id DESC LIMIT 1",
                            [world.me]))
                    let text = "矩阵诊断：血压平稳 " + OutboxScenario.tag()
                    return Planned(
                        parameters: ["diagnosis_id": .integer(booking), "result": .string(text)],
                        probe: { try await world.upstreamCount("diagnosis", where: "id = ? AND diag_result = ?", [booking, text]) },
                        shown: .record(.diagnoses, booking, { $0["diag_result"] == .string(text) }))
                },
                refusal: { world, _ in
                    // Not seen yet: 确认就诊后才能填写诊断结果.
                    let booking = try #require(try await upcomingWaiting(world, doctor: world.me))
                    return Refusal(parameters: ["diagnosis_id": .integer(booking), "result": "矩阵：还没看"], errorCode: 4009)
                })

        case .joinOrganisation:
            return KindSpec(
                kind: kind, account: .doctor,
                valid: { world, _ in
                    let me = world.me
                    let organisation = try #require(
                        try await world.upstreamInt(
                            "SELECT id FROM org WHERE id NOT IN (SELECT org_id FROM org_member WHERE doctor_id = ?) ORDER BY id LIMIT 1", [me]))
                    return Planned(
                        parameters: ["organisation_id": .integer(organisation)],
                        probe: { try await world.upstreamCount("org_member", where: "org_id = ? AND doctor_id = ?", [organisation, me]) },
                        shown: .created(.memberships))
                },
                refusal: { world, _ in
                    // Applying twice: 已申请加入该组织.
                    let organisation = try #require(try await world.upstreamInt("SELECT org_id FROM org_member WHERE doctor_id = ? LIMIT 1", [world.me]))
                    return Refusal(parameters: ["organisation_id": .integer(organisation)], errorCode: 4009)
                })

        case .leaveOrganisation:
            return KindSpec(
                kind: kind, account: .doctor,
                valid: { world, _ in
                    let membership = try #require(
                        try await world.upstreamInt("SELECT id FROM org_member WHERE doctor_id = ? ORDER BY id DESC LIMIT 1", [world.me]))
                    return Planned(
                        parameters: ["membership_id": .integer(membership)],
                        probe: { try await 1 - world.upstreamCount("org_member", where: "id = ?", [membership]) },
                        shown: .gone(.memberships, membership))
                },
                refusal: { world, ids in
                    // Another doctor's membership: 只能退出自己加入的组织.
                    let membership = try #require(
                        try await world.upstreamInt("SELECT id FROM org_member WHERE doctor_id = ? LIMIT 1", [ids.doctors[1]]))
                    return Refusal(parameters: ["membership_id": .integer(membership)], errorCode: 4003)
                })

        case .joinProject:
            return KindSpec(
                kind: kind, account: .patient,
                valid: { world, _ in
                    let me = world.me
                    let project = try #require(try await openProject(world, for: me))
                    let slot = try #require(try await RichDemo.freeSlot(world.upstreamDatabase, project))
                    return Planned(
                        parameters: [
                            "project_id": .integer(project), "description": .string("矩阵挂号：最近头晕 " + OutboxScenario.tag()), "slot": .string(slot),
                        ],
                        probe: { try await world.upstreamCount("diagnosis", where: "project_id = ? AND user_id = ? AND verify_status = 1", [project, me]) },
                        shown: .created(.diagnoses))
                },
                refusal: { _, ids in
                    // Every place taken: 义诊已约满.
                    Refusal(
                        parameters: ["project_id": .integer(ids.full), "description": "矩阵挂号：约满了吗", "slot": "09:00:00 - 09:30:00"],
                        errorCode: 4009)
                })

        case .cancelProjectJoin:
            return KindSpec(
                kind: kind, account: .patient,
                valid: { world, _ in
                    let (booking, project) = try #require(
                        try await world.upstreamPair(
                            """
                            SELECT d.id, d.project_id FROM diagnosis d JOIN project p ON p.id = d.project_id
                            WHERE d.user_id = ? AND d.verify_status = 1 AND d.status = 1 AND p.status = 1 AND p.date > ?
                            ORDER BY p.date DESC, d.id DESC LIMIT 1
                            """, [world.me, today]))
                    return Planned(
                        parameters: ["project_id": .integer(project)],
                        probe: { try await world.upstreamCount("diagnosis", where: "id = ? AND verify_status = 3", [booking]) },
                        shown: .record(.projects, project, { $0["is_join"] == 0 }))
                },
                refusal: { _, ids in
                    // Seen already (today's project): 已就诊，不能取消.
                    Refusal(parameters: ["project_id": .integer(ids.today)], errorCode: 4009)
                })

        case .rateDoctor:
            return KindSpec(
                kind: kind, account: .patient,
                valid: { world, _ in
                    let booking = try #require(
                        try await world.upstreamInt(
                            "SELECT id FROM diagnosis WHERE user_id = ? AND verify_status = 1 AND status = 3 AND doctor_score = 0 ORDER BY id DESC LIMIT 1",
                            [world.me]))
                    let comment = "矩阵评价：讲解清楚 " + OutboxScenario.tag()
                    return Planned(
                        parameters: ["diagnosis_id": .integer(booking), "score": 5, "comment": .string(comment)],
                        probe: { try await world.upstreamCount("diagnosis", where: "id = ? AND doctor_score = 5 AND doctor_comment = ?", [booking, comment]) },
                        shown: .record(.diagnoses, booking, { $0["doctor_score"] == 5 }))
                },
                refusal: { world, _ in
                    // Rated once already: 已评价过.
                    let booking = try #require(
                        try await world.upstreamInt("SELECT id FROM diagnosis WHERE user_id = ? AND doctor_score > 0 ORDER BY id LIMIT 1", [world.me]))
                    return Refusal(parameters: ["diagnosis_id": .integer(booking), "score": 1, "comment": "矩阵：再评一次"], errorCode: 4009)
                })

        case .bindPatient:
            return KindSpec(
                kind: kind, account: .assistant,
                valid: { world, _ in
                    let me = world.me
                    let patient = try #require(
                        try await world.upstreamInt(
                            """
                            SELECT id FROM user WHERE type = 1 AND phone LIKE '1%'
                              AND id NOT IN (SELECT patient_id FROM assistant_patient WHERE assistant_id = ?) ORDER BY id LIMIT 1
                            """, [me]))
                    let phone = try #require(try await world.upstreamString("SELECT phone FROM user WHERE id = ?", [patient]))
                    return Planned(
                        parameters: ["phone": .string(phone), "verify_code": "123456"],
                        probe: { try await world.upstreamCount("assistant_patient", where: "assistant_id = ? AND patient_id = ?", [me, patient]) },
                        prepare: { try await world.sendVerifyCode(phone) })
                },
                refusal: { world, _ in
                    // Bound already: 已添加该病人.
                    let phone = try #require(
                        try await world.upstreamString(
                            "SELECT u.phone FROM user u JOIN assistant_patient a ON a.patient_id = u.id WHERE a.assistant_id = ? AND u.phone LIKE '1%' LIMIT 1",
                            [world.me]))
                    return Refusal(
                        parameters: ["phone": .string(phone), "verify_code": "123456"], errorCode: 4009, prepare: { try await world.sendVerifyCode(phone) })
                })

        case .createPatient:
            return KindSpec(
                kind: kind, account: .assistant,
                valid: { world, _ in
                    let idno = OutboxScenario.idCardNumber()
                    var parameters = patientProfile(name: "矩阵新患者" + OutboxScenario.tag().prefix(4), idno: idno)
                    parameters["password"] = "secret123"
                    return Planned(
                        parameters: parameters, probe: { try await world.upstreamCount("user", where: "type = 1 AND idno = ?", [idno]) },
                        shown: .created(.users))
                },
                refusal: { world, _ in
                    // One of the assistant's patients has this ID-card number: 已有身份证号相同的病人.
                    let idno = try #require(
                        try await world.upstreamString(
                            "SELECT u.idno FROM user u JOIN assistant_patient a ON a.patient_id = u.id WHERE a.assistant_id = ? LIMIT 1", [world.me]))
                    var parameters = patientProfile(name: "矩阵重复患者", idno: idno)
                    parameters["password"] = "secret123"
                    return Refusal(parameters: parameters, errorCode: 4009)
                })

        case .joinProjectForPatient:
            return KindSpec(
                kind: kind, account: .assistant,
                valid: { world, _ in
                    let me = world.me
                    let (patient, project) = try #require(
                        try await world.upstreamPair(
                            """
                            SELECT a.patient_id, p.id FROM assistant_patient a JOIN user u ON u.id = a.patient_id, project p
                            WHERE a.assistant_id = ? AND u.real_name IS NOT NULL AND p.status = 1 AND p.date > ?
                              AND (SELECT COUNT(*) FROM diagnosis WHERE project_id = p.id AND verify_status = 1) < p.people_count
                              AND NOT EXISTS (SELECT 1 FROM diagnosis WHERE project_id = p.id AND user_id = a.patient_id AND verify_status = 1)
                            ORDER BY p.date DESC, a.patient_id LIMIT 1
                            """, [me, today]))
                    let slot = try #require(try await RichDemo.freeSlot(world.upstreamDatabase, project))
                    return Planned(
                        parameters: ["project_id": .integer(project), "patient_id": .integer(patient), "slot": .string(slot)],
                        probe: {
                            try await world.upstreamCount(
                                "diagnosis", where: "project_id = ? AND user_id = ? AND verify_status = 1 AND assistant_user_id = ?", [project, patient, me])
                        },
                        shown: .created(.diagnoses))
                },
                refusal: { _, ids in
                    // Every place taken: 义诊已约满.
                    Refusal(
                        parameters: ["project_id": .integer(ids.full), "patient_id": .integer(ids.patients[0]), "slot": "09:00:00 - 09:30:00"],
                        errorCode: 4009)
                })

        case .cancelForPatient:
            return KindSpec(
                kind: kind, account: .assistant,
                valid: { world, _ in
                    let booking = try #require(
                        try await world.upstreamInt(
                            """
                            SELECT d.id FROM diagnosis d JOIN project p ON p.id = d.project_id
                            WHERE d.assistant_user_id = ? AND d.verify_status = 1 AND d.status = 1 AND p.status = 1 AND p.date > ?
                            ORDER BY d.id DESC LIMIT 1
                            """, [world.me, today]))
                    return Planned(
                        parameters: ["diagnosis_id": .integer(booking)],
                        probe: { try await world.upstreamCount("diagnosis", where: "id = ? AND verify_status = 3", [booking]) },
                        shown: .record(.diagnoses, booking, { $0["verify_status"] == 3 }))
                },
                refusal: { world, _ in
                    // Seen already: 已就诊，不能取消.
                    let booking = try #require(
                        try await world.upstreamInt(
                            """
                            SELECT d.id FROM diagnosis d JOIN assistant_patient a ON a.patient_id = d.user_id
                            WHERE a.assistant_id = ? AND d.verify_status = 1 AND d.status = 3 ORDER BY d.id LIMIT 1
                            """, [world.me]))
                    return Refusal(parameters: ["diagnosis_id": .integer(booking)], errorCode: 4009)
                })

        case .sendChatMessage:
            return KindSpec(
                kind: kind, account: .doctor,
                valid: { world, ids in
                    let me = world.me
                    let patient = ids.patients[0]
                    let content = "矩阵消息：记得按时吃药 " + OutboxScenario.tag()
                    return Planned(
                        parameters: ["to_user_id": .integer(patient), "content": .string(content)],
                        probe: {
                            try await world.upstreamCount("chat_message", where: "from_user_id = ? AND to_user_id = ? AND content = ?", [me, patient, content])
                        },
                        shown: .created(.chatMessages))
                },
                refusal: { _, ids in
                    // A doctor writes to patients only: 4004 (患者 not found).
                    Refusal(parameters: ["to_user_id": .integer(ids.doctors[1]), "content": "矩阵：医生之间"], errorCode: 4004)
                })
        }
    }

    /// A waiting booking of one of the doctor's upcoming projects.
    static func upcomingWaiting(_ world: OutboxWorld, doctor: Int) async throws -> Int? {
        try await world.upstreamInt(
            """
            SELECT d.id FROM diagnosis d JOIN project p ON p.id = d.project_id
            WHERE d.doctor_user_id = ? AND d.verify_status = 1 AND d.status = 1 AND p.status = 1 AND p.date > ?
            ORDER BY d.id DESC LIMIT 1
            """, [doctor, today])
    }

    /// A waiting booking of the project in progress today.
    static func waitingToday(_ world: OutboxWorld, _ ids: DemoIDs) async throws -> Int? {
        try await world.upstreamInt(
            "SELECT id FROM diagnosis WHERE project_id = ? AND verify_status = 1 AND status = 1 ORDER BY id LIMIT 1", [ids.today])
    }

    /// An upcoming project with a free place that `patient` has not booked.
    static func openProject(_ world: OutboxWorld, for patient: Int) async throws -> Int? {
        try await world.upstreamInt(
            """
            SELECT p.id FROM project p WHERE p.status = 1 AND p.date > ?
              AND (SELECT COUNT(*) FROM diagnosis WHERE project_id = p.id AND verify_status = 1) < p.people_count
              AND NOT EXISTS (SELECT 1 FROM diagnosis WHERE project_id = p.id AND user_id = ? AND verify_status = 1)
            ORDER BY p.date DESC, p.id LIMIT 1
            """, [today, patient])
    }
}

/// A valid mutation on a chain of its own, to show that a rejection holds back only its chain.
enum Independent {
    static func plan(_ world: OutboxWorld, _ ids: DemoIDs) async throws -> (
        kind: MutationKind, parameters: [String: JSONValue], probe: @Sendable () async throws -> Int
    ) {
        let me = world.me
        switch world.context.role {
        case .doctor, .patient:
            let to = world.context.role == .doctor ? ids.patients[1] : ids.doctors[1]
            let content = "矩阵：独立的消息 " + OutboxScenario.tag()
            return (
                .sendChatMessage, ["to_user_id": .integer(to), "content": .string(content)],
                { try await world.upstreamCount("chat_message", where: "from_user_id = ? AND content = ?", [me, content]) }
            )
        case .assistant:
            let doctor = try #require(
                try await world.upstreamInt(
                    "SELECT id FROM user WHERE type = 2 AND id NOT IN (SELECT doctor_id FROM follow WHERE user_id = ?) ORDER BY id DESC LIMIT 1", [me]))
            return (
                .follow, ["doctor_id": .integer(doctor)],
                { try await world.upstreamCount("follow", where: "user_id = ? AND doctor_id = ?", [me, doctor]) }
            )
        }
    }
}
