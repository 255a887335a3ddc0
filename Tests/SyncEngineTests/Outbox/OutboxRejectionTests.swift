import Foundation
import MirrorStore
import Testing
import UpstreamClient
import VolunteerAPI

@testable import SyncEngine

/// Refusals before and after the queue: a mutation that breaks a rule is refused before
/// anything is written, naming the field; one the server refuses holds back its own chain until
/// it is discarded; one parked after its bounded attempts waits for an operator's retry.
@Suite("Outbox: validation, rejection and operator decisions")
struct OutboxRejectionTests {
    /// For each kind, a role that may make it, parameters that break one rule, and the field
    /// the error must name.
    static func invalid(_ kind: MutationKind) -> (role: UserRole, parameters: [String: JSONValue], field: String) {
        let profile: [String: JSONValue] = [
            "real_name": "赵明", "idno": "110101198501010012", "height": "171", "weight": "70", "marital_status": 1, "drink_status": 0,
            "smoking_status": 0,
        ]
        switch kind {
        case .uploadPhoto:
            return (.patient, ["photo": [["data": "not base64 at all!", "content_type": "image/png"]]], "photo[0].data")
        case .completeProfile:
            return (.patient, profile.merging(["height": "very tall"]) { $1 }, "height")
        case .follow:
            return (.patient, ["doctor_id": "Dr. Wang"], "doctor_id")
        case .unfollow:
            return (.assistant, ["doctor_id": 0], "doctor_id")
        case .publishProject:
            var project = KindSpec.newProject("矩阵：日期写错")
            project["date"] = "2030/01/01"
            return (.doctor, project, "date")
        case .cancelProject:
            return (.doctor, [:], "project_id")
        case .rejectDiagnosis:
            return (.doctor, ["diagnosis_id": 5], "reason")
        case .markDiagnosisDone:
            return (.doctor, ["diagnosis_id": "five"], "diagnosis_id")
        case .ratePatient:
            return (.doctor, ["diagnosis_id": 5, "honesty": 6, "punctuality": 5], "honesty")
        case .recordDiagnosisResult:
            return (.doctor, ["diagnosis_id": 5, "result": .string(String(repeating: "长", count: 5001))], "result")
        case .joinOrganisation:
            return (.doctor, [:], "organisation_id")
        case .leaveOrganisation:
            return (.doctor, ["membership_id": 0], "membership_id")
        case .joinProject:
            return (.patient, ["project_id": 5, "description": "头晕", "slot": "tomorrow morning"], "slot")
        case .cancelProjectJoin:
            return (.patient, ["project_id": "the next one"], "project_id")
        case .rateDoctor:
            return (.patient, ["diagnosis_id": 5, "score": 0, "comment": "好"], "score")
        case .bindPatient:
            return (.assistant, ["phone": "12345", "verify_code": "123456"], "phone")
        case .createPatient:
            return (.assistant, profile.merging(["password": "123"]) { $1 }, "password")
        case .joinProjectForPatient:
            return (.assistant, ["project_id": 5, "patient_id": 7], "slot")
        case .cancelForPatient:
            return (.assistant, [:], "diagnosis_id")
        case .sendChatMessage:
            return (.doctor, ["to_user_id": 5, "content": .string(String(repeating: "字", count: 257))], "content")
        }
    }

    static func emptyStore() throws -> MirrorStore {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-validation-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return try MirrorStore(path: directory.appendingPathComponent("mirror.sqlite").path)
    }

    @Test("bad parameters are refused before anything is queued, with an error naming the field", arguments: MutationKind.allCases)
    func validation(_ kind: MutationKind) async throws {
        let (role, parameters, field) = Self.invalid(kind)
        #expect(kind.roles.contains(role))
        let store = try Self.emptyStore()
        let outbox = Outbox(store: store)
        let seq = try await store.lastSeq()
        do {
            try await outbox.submit(kind, parameters: parameters, context: MutationContext(role: role, userID: 42))
            Issue.record("\(kind.rawValue): invalid parameters were accepted")
        } catch let error as MutationError {
            #expect(error.field == field, "\(kind.rawValue): \(error)")
            #expect(error.description.hasPrefix(field))
        }
        #expect(try await store.outboxEntries().isEmpty, "\(kind.rawValue): nothing queued")
        #expect(try await store.lastSeq() == seq, "\(kind.rawValue): nothing journalled")
    }

    @Test("a role that may not make a kind, or no login at all, is refused before anything is queued")
    func notAllowed() async throws {
        let store = try Self.emptyStore()
        let outbox = Outbox(store: store)
        await #expect(throws: MutationError.notAllowed(kind: .markDiagnosisDone, role: "\(UserRole.patient)")) {
            try await outbox.submit(.markDiagnosisDone, parameters: ["diagnosis_id": 5], context: MutationContext(role: .patient, userID: 42))
        }
        await #expect(throws: MutationError.notAllowed(kind: .sendChatMessage, role: "\(UserRole.assistant)")) {
            try await outbox.submit(.sendChatMessage, parameters: ["to_user_id": 5, "content": "你好"], context: MutationContext(role: .assistant, userID: 42))
        }
        await #expect(throws: MutationError.notLoggedIn) {
            try await outbox.submit(.follow, parameters: ["doctor_id": 5], context: nil)
        }
        #expect(try await store.outboxEntries().isEmpty)
        #expect(try await store.lastSeq() == 0)
    }

    @Test("a rejected entry holds back its chain, shown pending, until it is discarded; then the chain goes on")
    func rejectedHoldsItsChain() async throws {
        try await OutboxScenario.withCast([.doctor]) { cast in
            let world = cast.worlds[0]
            // Seen and rated already: rating again is refused; recording the result is not.
            let booking = try #require(
                try await world.upstreamInt(
                    "SELECT id FROM diagnosis WHERE doctor_user_id = ? AND status = 3 AND patient_credit_score > 0 ORDER BY id LIMIT 1", [world.me]))
            let text = "矩阵：复查结果正常 " + OutboxScenario.tag()
            let rejected = try await world.submit(.ratePatient, ["diagnosis_id": .integer(booking), "honesty": 2, "punctuality": 2])
            let held = try await world.submit(.recordDiagnosisResult, ["diagnosis_id": .integer(booking), "result": .string(text)])
            #expect(held.chains.contains("diagnosis:\(booking)"))
            #expect(rejected.chains.contains("diagnosis:\(booking)"))

            await world.drain()
            let refused = try await world.stored(rejected)
            #expect(refused.state == .rejected)
            #expect(refused.errorCode == 4009)
            #expect(refused.errorMessage == "已评价过该患者")
            let waiting = try await world.stored(held)
            #expect(waiting.state == .queued, "held back by the rejected entry of its chain")
            #expect(waiting.attempts == 0)
            #expect(try await world.upstreamCount("diagnosis", where: "id = ? AND diag_result = ?", [booking, text]) == 0)
            #expect(try await world.store.raw(.diagnoses, id: booking)?["diag_result"] == .string(text), "still shown, pending")
            #expect(try await world.store.isPending(.diagnoses, id: booking))
            // More turns change nothing.
            #expect(await world.drain() == 0)

            // Only queued, parked or rejected entries can be discarded; the user drops the rejection.
            #expect(try await !world.outbox.retry(held.id, context: world.context), "a queued entry is not retried")
            #expect(try await world.outbox.discard(rejected.id))
            #expect(try await world.stored(rejected).state == .discarded)
            #expect(try await !world.outbox.discard(rejected.id), "discarded once")
            await world.drain()
            let applied = try await world.stored(held)
            #expect(applied.state == .applied)
            #expect(applied.attempts == 1)
            #expect(try await world.upstreamCount("diagnosis", where: "id = ? AND diag_result = ?", [booking, text]) == 1)
            #expect(try await !world.store.isPending(.diagnoses, id: booking))
            #expect(try await !world.outbox.discard(held.id), "an applied entry is never discarded")
        }
    }

    @Test("an entry parked after its bounded attempts holds its chain until an operator retries it; the retry reads first, then sends once")
    func parkedThenRetried() async throws {
        var policy = OutboxWorld.policy()
        policy.maximumAttempts = 1
        try await OutboxScenario.withCast([.doctor], policy: policy) { cast in
            let world = cast.worlds[0]
            let booking = try #require(try await KindSpec.waitingToday(world, cast.ids))
            try await cast.goOffline()
            let done = try await world.submit(.markDiagnosisDone, ["diagnosis_id": .integer(booking)])
            // Rating the patient needs the visit done: the same chain, after it.
            let rating = try await world.submit(.ratePatient, ["diagnosis_id": .integer(booking), "honesty": 5, "punctuality": 4])
            await world.drain()
            let parked = try await world.stored(done)
            #expect(parked.state == .parked, "one refused connection is the bound here")
            #expect(parked.attempts == 1)
            #expect(parked.lastError?.isEmpty == false)
            #expect(try await world.stored(rating).state == .queued)
            #expect(try await world.stored(rating).attempts == 0)
            #expect(try await world.store.raw(.diagnoses, id: booking)?["status"] == 3, "a parked entry's effect stays shown")

            try await cast.comeBack()
            await world.drain()
            #expect(try await world.stored(done).state == .parked, "parked entries wait for an operator, link or no link")
            #expect(try await world.stored(rating).state == .queued)
            #expect(try await world.upstreamCount("diagnosis", where: "id = ? AND status = 3", [booking]) == 0)

            #expect(try await world.outbox.retry(done.id, context: world.context))
            #expect(try await world.stored(done).state == .unknown, "it may have reached the server: read before resending")
            await world.drain()
            let applied = try await world.stored(done)
            #expect(applied.state == .applied)
            #expect(applied.attempts == 1)
            #expect(applied.checks == 1, "read once, found absent, sent once")
            #expect(try await world.stored(rating).state == .applied)
            #expect(try await world.upstreamCount("diagnosis", where: "id = ? AND status = 3", [booking]) == 1)
            #expect(try await world.upstreamCount("diagnosis", where: "id = ? AND patient_credit_score = 5 AND patient_punctuality_score = 4", [booking]) == 1)
        }
    }
}
