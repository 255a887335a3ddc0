import Foundation
import MirrorStore
import UpstreamClient
import VolunteerAPI

/// Everything a read-back check needs besides the server: who reads, what the mirror looked
/// like before the first send, and which server records other entries already claimed.
struct ReadBackContext: Sendable {
    let entryID: Int
    let context: MutationContext
    let baseline: JSONValue?
    let reader: UpstreamReader
    let isClaimed: @Sendable (RecordClaim) async -> Bool
    /// How many other entries of this kind were sent and are not resolved: as many matching
    /// records may be theirs, not late copies of this entry's sends. Read only when a check
    /// finds more than one match.
    var rivals: @Sendable () async -> Int = { 0 }

    /// The matches beyond the first that are late copies: those no rival may yet claim.
    func lateCopies(_ extra: [RecordClaim]) async -> [RecordClaim] {
        guard !extra.isEmpty else { return [] }
        return Array(extra.dropLast(min(await rivals(), extra.count)))
    }
}

extension Mutation {
    /// What the mirror knows before the first send, so that a record created by this mutation
    /// can be told from older ones that look the same (ids grow).
    func baseline(store: MirrorStore) async throws -> JSONValue? {
        switch self {
        case .publishProject: ["max_id": .integer(try await store.maximumID(.projects))]
        case .sendChatMessage: ["max_id": .integer(try await store.maximumID(.chatMessages))]
        default: nil
        }
    }

    /// Whether only entries of this one's chains could leave records taken for its own: the
    /// messages to one person are sent one at a time, in their chain; identical projects may be
    /// published side by side.
    var rivalsShareAChain: Bool {
        if case .sendChatMessage = self { true } else { false }
    }

    /// Reads the server to tell whether this (resolved) mutation took effect. Also serves as the
    /// refresh after an applied answer: a present effect brings the server's records.
    func readBack(_ check: ReadBackContext) async -> ReadBack {
        let reader = check.reader
        func diagnosis(_ id: Int, _ holds: (Diagnosis) -> Bool) async -> ReadBack {
            let outcome = await reader.record(.diagnosis, path: ["id": String(id)], as: Diagnosis.self)
            return Self.judge(outcome) { record in
                holds(record.value) ? Confirmation(refreshed: [.diagnosis(record.value, raw: record.raw)]) : nil
            }
        }
        switch self {
        case .uploadPhoto:
            return .uncheckable
        case .completeProfile(let fields):
            let outcome = await reader.record(.currentUser, as: UserProfile.self)
            return Self.judge(outcome) { record in
                let matches = fields.allSatisfy { name, value in Self.same(record.raw[name], value) }
                return matches ? Confirmation(refreshed: [.user(record.value, raw: Self.withoutToken(record.raw))]) : nil
            }
        case .follow(let doctor), .unfollow(let doctor):
            let endpoint: Endpoint = check.context.role == .assistant ? .assistantFollows : .patientFollows
            let outcome = await reader.all(endpoint, as: Doctor.self)
            let wantFollowing = if case .follow = self { true } else { false }
            return Self.judge(outcome) { records in
                let following = records.contains { $0.value.id == doctor }
                return following == wantFollowing ? Confirmation() : nil
            }
        case .publishProject(let project):
            return await Self.readBackPublished(project, check)
        case .cancelProject(let project):
            let outcome = await reader.record(.project, path: ["id": String(project)], as: Project.self)
            return Self.judge(outcome) { record in
                record.value.state == .cancelled ? Confirmation(refreshed: [.project(record.value, raw: record.raw)]) : nil
            }
        case .rejectDiagnosis(let id, _):
            return await diagnosis(id) { $0.bookingStatus == .rejected }
        case .markDiagnosisDone(let id):
            return await diagnosis(id) { $0.visitStatus == .seen }
        case .ratePatient(let id, let honesty, let punctuality):
            // The values sent, not just "rated": a second rating of the same visit (refused by
            // the server) whose answer was lost must not be taken for the first one.
            return await diagnosis(id) { $0.patientCreditScore == honesty && $0.patientPunctualityScore == punctuality }
        case .recordDiagnosisResult(let id, let result, let photos):
            let urls = photos.compactMap { if case .url(let url) = $0 { url } else { nil } }
            return await diagnosis(id) { Self.sameText($0.result, result) && (urls.isEmpty || $0.resultPhotos == urls) }
        case .rateDoctor(let id, let score, let comment):
            // As for `ratePatient`: this rating, not any rating.
            return await diagnosis(id) { $0.doctorScore == score && Self.sameText($0.doctorComment, comment) }
        case .cancelForPatient(let id):
            return await diagnosis(id) { $0.bookingStatus == .cancelled }
        case .joinOrganisation(let organisation, let membership):
            return await Self.readBackMembership(organisation, membership: membership, reader)
        case .leaveOrganisation(let membership):
            let outcome = await reader.all(.myOrganisations, as: OrgMembership.self)
            return Self.judge(outcome) { records in
                records.contains { $0.value.id == membership } ? nil : Confirmation()
            }
        case .joinProject(let project, _, _, _, let diagnosis):
            return await Self.readBackJoined(project, diagnosis: diagnosis, reader)
        case .cancelProjectJoin(let project):
            let outcome = await reader.record(.project, path: ["id": String(project)], as: Project.self)
            return Self.judge(outcome) { record in
                record.value.hasJoined == false ? Confirmation(refreshed: [.project(record.value, raw: record.raw)]) : nil
            }
        case .bindPatient(let phone, _):
            let outcome = await reader.all(.assistantPatients, parameters: ["keyword": .string(phone)], as: Patient.self)
            return Self.judge(outcome) { records in
                guard let patient = records.first(where: { $0.value.phone == phone }) else { return nil }
                return Confirmation(result: ["id": .integer(patient.value.id)], refreshed: [.user(.patient(patient.value), raw: patient.raw)])
            }
        case .createPatient(let patient, let tempID):
            return await Self.readBackCreated(patient, tempID: tempID, reader)
        case .joinProjectForPatient(let project, let patient, _, let diagnosis):
            return await Self.readBackBookedFor(patient, project: project, diagnosis: diagnosis, reader)
        case .sendChatMessage(let to, let content, let photos, let message):
            return await Self.readBackSent(to: to, content: content, photos: photos, message: message, check)
        }
    }

    // MARK: - Read-backs that search

    /// The published project: the first unclaimed record newer than the baseline with the
    /// values sent; more than one is a late copy.
    private static func readBackPublished(_ project: NewProject, _ check: ReadBackContext) async -> ReadBack {
        let reader = check.reader
        let outcome = await reader.all(.doctorProjects, as: Project.self)
        let after = Self.integer(check.baseline?["max_id"]) ?? 0
        guard case .applied(let records) = outcome else { return Self.judge(outcome) { _ in nil } }
        var found: Confirmation?
        var extra: [RecordClaim] = []
        for record in records.sorted(by: { $0.value.id < $1.value.id }) where record.value.id > after {
            let candidate = record.value
            guard candidate.date == project.date, Self.sameTime(candidate.begin, project.begin), Self.sameTime(candidate.end, project.end),
                Self.sameText(candidate.address, project.address), candidate.capacity == project.capacity, candidate.price == project.price,
                Self.sameText(candidate.abstract, project.description)
            else { continue }
            let claim = RecordClaim(.projects, candidate.id)
            if await check.isClaimed(claim) { continue }
            guard found == nil else {
                extra.append(claim)
                continue
            }
            found = Confirmation(
                result: ["id": .integer(candidate.id)], refreshed: [.project(candidate, raw: record.raw)],
                mapping: TempIDMapping(.projects, tempID: project.projectID, realID: candidate.id), claims: [claim])
        }
        found?.lateCopies = await check.lateCopies(extra)
        return found.map(ReadBack.present) ?? .absent
    }

    /// The booking: the project says the patient joined; the casebook of the latest booking
    /// names the new diagnosis among the patient's waiting ones.
    private static func readBackJoined(_ project: Int, diagnosis: Int, _ reader: UpstreamReader) async -> ReadBack {
        let outcome = await reader.record(.project, path: ["id": String(project)], as: Project.self)
        guard case .applied(let record) = outcome else { return Self.judge(outcome) { _ in nil } }
        guard record.value.hasJoined == true else { return .absent }
        var confirmation = Confirmation(refreshed: [.project(record.value, raw: record.raw)])
        // The booking itself: the casebook of the latest booking names it among the
        // patient's waiting diagnoses. If these reads fail the booking still stands.
        if case .applied(let casebook) = await reader.record(.projectCasebook, path: ["id": String(project)], as: Casebook.self),
            case .applied(let waiting) = await reader.all(.patientDiagnoses, parameters: ["type": .code(PatientDiagnosisFilter.booked)], as: Diagnosis.self),
            let booking = waiting.first(where: { $0.value.casebook?.id == casebook.value.id })
        {
            confirmation.result = ["id": .integer(booking.value.id)]
            confirmation.refreshed.append(.diagnosis(booking.value, raw: booking.raw, projectID: project))
            confirmation.mapping = TempIDMapping(.diagnoses, tempID: diagnosis, realID: booking.value.id)
        }
        return .present(confirmation)
    }

    /// The membership: the doctor's organisations name the one applied to.
    private static func readBackMembership(_ organisation: Int, membership: Int, _ reader: UpstreamReader) async -> ReadBack {
        let outcome = await reader.all(.myOrganisations, as: OrgMembership.self)
        return Self.judge(outcome) { records in
            guard let found = records.first(where: { $0.value.organisationID == organisation }) else { return nil }
            return Confirmation(
                result: ["id": .integer(found.value.id)], refreshed: [.membership(found.value, raw: found.raw)],
                mapping: TempIDMapping(.memberships, tempID: membership, realID: found.value.id))
        }
    }

    /// The booking made for a patient: among the project's patients, active.
    private static func readBackBookedFor(_ patient: Int, project: Int, diagnosis: Int, _ reader: UpstreamReader) async -> ReadBack {
        let outcome = await reader.all(.assistantProjectPatients, path: ["id": String(project)], as: Diagnosis.self)
        guard case .applied(let records) = outcome else { return Self.judge(outcome) { _ in nil } }
        for record in records where record.value.patient?.id == patient && record.value.bookingStatus == .booked {
            return .present(
                Confirmation(
                    result: ["id": .integer(record.value.id)], refreshed: [.diagnosis(record.value, raw: record.raw, projectID: project)],
                    mapping: TempIDMapping(.diagnoses, tempID: diagnosis, realID: record.value.id)))
        }
        return .absent
    }

    /// The new patient, found by its ID-card number.
    private static func readBackCreated(_ patient: NewPatient, tempID: Int, _ reader: UpstreamReader) async -> ReadBack {
        // The API answers no id: the new patient is found by its ID-card number, which the
        // assistant's patients cannot share. The keyword search covers names, not ID cards.
        let name = patient.fields["real_name"].flatMap { if case .string(let text) = $0 { text } else { nil } }
        let outcome = await reader.all(.assistantPatients, parameters: name.map { ["keyword": .string($0)] } ?? [:], as: Patient.self)
        return Self.judge(outcome) { records in
            guard let found = records.first(where: { $0.value.idCardNumber?.uppercased() == patient.idCardNumber.uppercased() }) else {
                return nil
            }
            return Confirmation(
                result: ["id": .integer(found.value.id)], refreshed: [.user(.patient(found.value), raw: found.raw)],
                mapping: TempIDMapping(.users, tempID: tempID, realID: found.value.id))
        }
    }

    /// The sent message among the latest of the dialog with `to`.
    private static func readBackSent(
        to: Int, content: String, photos: [PhotoReference], message: Int, _ check: ReadBackContext
    ) async -> ReadBack {
        let reader = check.reader
        let dialogs = await reader.all(.chatDialogs, as: ChatDialog.self)
        guard case .applied(let list) = dialogs else { return Self.judge(dialogs) { _ in nil } }
        let me = check.context.userID
        guard let dialog = list.first(where: { Set([$0.value.patientUserID, $0.value.doctorUserID]) == Set([me, to]) }) else {
            return .absent
        }
        let outcome = await reader.latest(.chatMessages, path: ["id": String(dialog.value.id)], as: ChatMessage.self)
        guard case .applied(let messages) = outcome else { return Self.judge(outcome) { _ in nil } }
        let found = await Self.sentMessage(
            among: messages, dialogID: String(dialog.value.id), to: to, content: content, photos: photos, message: message, check)
        return found.map(ReadBack.present) ?? .absent
    }

    /// What an applied answer itself confirms, when it carries the effect, so that no read is
    /// needed: an upload's URL, the published project, the sent message among the dialog's
    /// latest. nil: read the server (``readBack(_:)``).
    func confirmation(fromAnswer answer: JSONValue?, _ check: ReadBackContext) async -> Confirmation? {
        switch self {
        case .uploadPhoto:
            return Confirmation(result: answer)
        case .publishProject(let project):
            guard let answer, let id = Self.integer(answer["id"]), let canonical = try? CanonicalJSON.of(answer, as: Project.self) else { return nil }
            let record = MirroredRecord.decoding(.projects, id: id, raw: canonical, context: [:])
            return Confirmation(
                result: ["id": .integer(id)], refreshed: [record], mapping: TempIDMapping(.projects, tempID: project.projectID, realID: id),
                claims: [RecordClaim(.projects, id)])
        case .sendChatMessage:
            guard let answer else { return nil }
            return await sentMessage(inAnswer: answer, check)
        default:
            return nil
        }
    }

    /// The message a `POST /chat` answer shows as sent, if it does. The answer lists the
    /// dialog's latest messages (§3.6.2; vdapi sends 20), which hold the one just sent unless
    /// others arrived in between; then, or when the answer lacks a dialog id, nil: read back.
    private func sentMessage(inAnswer answer: JSONValue, _ check: ReadBackContext) async -> Confirmation? {
        guard case .sendChatMessage(let to, let content, let photos, let message) = self else { return nil }
        let list: [JSONValue]
        switch answer {
        case .array(let elements): list = elements
        case .object:
            guard case .array(let elements)? = answer["list"] else { return nil }
            list = elements
        default: return nil
        }
        let decoder = JSONValueDecoder()
        let messages = list.compactMap { raw in try? decoder.decode(RawRecord<ChatMessage>.self, from: raw) }
        // The dialog id is the record's context in the mirror; only the answer's own says which.
        let dialogs = Set(messages.compactMap(\.value.dialogID))
        guard dialogs.count == 1, let dialogID = dialogs.first, messages.allSatisfy({ $0.value.dialogID != nil }) else { return nil }
        return await Self.sentMessage(among: messages, dialogID: dialogID, to: to, content: content, photos: photos, message: message, check)
    }

    /// The oldest message among `messages` newer than the baseline, from me to `to` with this
    /// content and these photos, that no other entry claimed; any later such message is a late
    /// copy, unless a rival entry may yet claim it.
    private static func sentMessage(
        among messages: [RawRecord<ChatMessage>], dialogID: String, to: Int, content: String, photos: [PhotoReference], message: Int,
        _ check: ReadBackContext
    ) async -> Confirmation? {
        let me = check.context.userID
        let after = Self.integer(check.baseline?["max_id"]) ?? 0
        let urls = photos.compactMap { if case .url(let url) = $0 { url } else { nil } }
        var found: Confirmation?
        var extra: [RecordClaim] = []
        for record in messages.sorted(by: { $0.value.id < $1.value.id }) where record.value.id > after {
            let candidate = record.value
            guard candidate.fromUserID == me, candidate.toUserID == to, Self.sameText(candidate.content, content), candidate.photos == urls else { continue }
            let claim = RecordClaim(.chatMessages, candidate.id)
            if await check.isClaimed(claim) { continue }
            guard found == nil else {
                extra.append(claim)
                continue
            }
            found = Confirmation(
                result: ["id": .integer(candidate.id)], refreshed: [.chatMessage(candidate, raw: record.raw, dialogID: dialogID)],
                mapping: TempIDMapping(.chatMessages, tempID: message, realID: candidate.id), claims: [claim])
        }
        found?.lateCopies = await check.lateCopies(extra)
        return found
    }

    /// Present when `confirm` finds the effect in an applied read; absent when the read was
    /// refused for good (the record is gone or not ours: a resend will be refused too).
    static func judge<Payload>(_ outcome: UpstreamOutcome<Payload>, _ confirm: (Payload) -> Confirmation?) -> ReadBack {
        switch outcome {
        case .applied(let payload): confirm(payload).map(ReadBack.present) ?? .absent
        case .rejected: .absent
        case .retryable(let retry): .undecided("read failed: \(retry)")
        case .unknown(let reason): .undecided("read failed: \(reason)")
        case .authExpired: .authExpired
        }
    }

    static func integer(_ value: JSONValue?) -> Int? {
        switch value {
        case .integer(let number)?: number
        case .string(let text)?: Int(text)
        default: nil
        }
    }

    /// Whether a field the server shows holds what was sent (numbers and text compared as text).
    static func same(_ shown: JSONValue?, _ sent: JSONValue) -> Bool {
        func text(_ value: JSONValue?) -> String? {
            switch value {
            case .string(let text)?: text
            case .integer(let number)?: String(number)
            case .number(let number)?: number.rounded() == number ? String(Int(number)) : String(number)
            default: nil
            }
        }
        if case .array = sent { return shown == sent }
        if let a = text(shown), let b = text(sent) { return a == b }
        // No value, however written: the mirror's canonical `null` for a `""` sent.
        if (shown ?? .null) == .null, sent == .null || sent == .string("") { return true }
        return shown == sent
    }

    /// Whether text the server shows is the text sent: no text and `""` are the same, as
    /// servers of this kind store them alike (``CanonicalJSON`` reads `""` as no value).
    static func sameText(_ shown: String?, _ sent: String?) -> Bool {
        (shown ?? "") == (sent ?? "")
    }

    /// Whether a time the server shows is the time sent: `09:00` and `09:00:00` are the same.
    static func sameTime(_ shown: String?, _ sent: String?) -> Bool {
        TimeText.withSeconds(shown ?? "") == TimeText.withSeconds(sent ?? "")
    }

    static func withoutToken(_ raw: JSONValue) -> JSONValue {
        MergePatch.apply(["token": nil], to: raw)
    }
}
