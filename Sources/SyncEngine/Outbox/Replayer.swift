import Foundation
import Logging
import MirrorStore
import UpstreamClient
import VolunteerAPI

/// Applies the outbox upstream, exactly once per entry: picks entries first in their chains,
/// makes each `in flight` durable before its request leaves, and turns each outcome into the
/// next state through ``OutboxPolicy``. An unknown outcome, and an entry found in flight at
/// start-up, is resolved by the mutation's read-back check; only a confirmed absence resends.
///
/// An expired session pauses it (nothing is sent, dropped or parked) until ``loggedIn(_:)``;
/// a failed link holds every send until the backoff ends or ``linkRestored()``; a drain is
/// paced by a token bucket, after a random wait when the link comes back.
public actor Replayer {
    /// What listeners are told.
    public enum Event: Sendable, Hashable {
        /// An entry reached a state (applied, rejected, parked, or back to queued/unknown).
        case entry(id: Int, state: OutboxState)
        /// A read-back did not find the entry's effect, but its last send may still take effect
        /// upstream: it is read again and not sent again before `until`.
        case settling(id: Int, until: Date)
        /// An applied entry's read-back found more copies of its effect than it sent knowingly:
        /// a send that took effect after its settle time (docs/outbox.md).
        case lateCopies(id: Int, kind: String, count: Int)
        case pausedForLogin
        case linkDown
        case linkRestored
    }

    private let client: UpstreamClient
    private let store: MirrorStore
    private var context: MutationContext
    public let policy: OutboxPolicy
    private let logger: Logger
    private var pacer: DrainPacer
    private var generator = SystemRandomNumberGenerator()
    private var listeners: [AsyncStream<Event>.Continuation] = []
    private var sleeper: Task<Void, Never>?
    private var idle: CheckedContinuation<Void, Never>?
    /// A wake came while the loop neither slept nor idled (it was reading the outbox): the
    /// next wait returns at once. Without it, an entry committed just after the loop's last
    /// read, its wake arriving during the next read, waited for some other wake.
    private var wakeDue = false
    public private(set) var isPausedForLogin = false
    /// Entries being sent or checked now, and who waits for there to be none (``quiesce(within:)``).
    private var working = 0
    private var quiet: [CheckedContinuation<Void, Never>] = []
    /// Set by ``quiesce(within:)``: the session is ending, nothing new starts.
    private var isQuiescing = false
    /// No send before this instant: the link failed.
    private var linkDownUntil: ContinuousClock.Instant?
    private var linkWasDown = false

    public init(client: UpstreamClient, store: MirrorStore, context: MutationContext, policy: OutboxPolicy = OutboxPolicy(), logger: Logger) {
        self.client = client
        self.store = store
        self.context = context
        self.policy = policy
        self.logger = logger
        self.pacer = DrainPacer(requestsPerSecond: policy.requestsPerSecond, burst: policy.burst, now: .now)
    }

    /// Events from now on, until the replayer stops.
    public func events() -> AsyncStream<Event> {
        let (stream, continuation) = AsyncStream.makeStream(of: Event.self)
        listeners.append(continuation)
        return stream
    }

    /// Something was enqueued, retried or became due: look again now.
    public func wake() {
        wakeDue = true
        sleeper?.cancel()
        idle?.resume()
        idle = nil
    }

    /// A login succeeded (the client holds the new session): sending resumes.
    public func loggedIn(_ context: MutationContext? = nil) {
        if let context { self.context = context }
        isPausedForLogin = false
        wake()
    }

    /// Whether sends are held because the last one could not connect.
    public var isLinkDown: Bool { linkWasDown }

    /// The link is known to be back (a pull succeeded, a probe got through): drain after a
    /// random wait.
    public func linkRestored() async {
        guard linkDownUntil != nil || linkWasDown else { return }
        await restoreLink()
    }

    /// Starts nothing more and waits, at most `timeout`, for the sends and checks under way to
    /// get their answers. Before a logout: a send cancelled in flight would be unknown, and wait
    /// out its settle time before anything may be sent again for it (docs/outbox.md).
    public func quiesce(within timeout: Duration) async {
        isQuiescing = true
        guard working > 0 else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.untilQuiet() }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    private func untilQuiet() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if working == 0 || Task.isCancelled { continuation.resume() } else { quiet.append(continuation) }
            }
        } onCancel: {
            Task { await self.resumeQuiet() }
        }
    }

    private func resumeQuiet() {
        for continuation in quiet { continuation.resume() }
        quiet = []
    }

    /// Runs until the task is cancelled. Entries found in flight become unknown first.
    public func run() async {
        defer { for listener in listeners { listener.finish() } }
        do {
            let recovered = try await store.recoverInFlight()
            if !recovered.isEmpty { logger.notice("outbox entries found in flight at start-up", metadata: ["count": "\(recovered.count)"]) }
        } catch {
            logger.error("outbox recovery failed", metadata: ["error": "\(error)"])
        }
        await withTaskCancellationHandler {
            while !Task.isCancelled {
                await step()
            }
        } onCancel: {
            Task { await self.wake() }
        }
    }

    /// Works on every entry ready now, and on those that become ready meanwhile (the next of a
    /// chain), once each; returns how many. Up to ``OutboxPolicy/concurrency`` entries are in
    /// flight at a time, and a finished one is replaced at once rather than when its whole batch
    /// is done, so one slow answer does not hold the others back. (The loop of ``run()``, one
    /// turn at a time, for tests and tools.)
    @discardableResult
    public func drainReady() async -> Int {
        await withTaskGroup(of: Void.self) { group in
            var worked: Set<Int> = []
            var working = 0
            while true {
                if working < policy.concurrency {
                    for entry in await readyEntries(limit: policy.concurrency - working, excluding: worked) {
                        worked.insert(entry.id)
                        working += 1
                        let at = pacer.reserve(now: .now)
                        group.addTask {
                            try? await Task.sleep(until: at, clock: .continuous)
                            await self.work(on: entry)
                        }
                    }
                }
                guard working > 0, await group.next() != nil else { break }
                working -= 1
            }
            return worked.count
        }
    }

    /// Entries ready now that this turn has not worked on; none while sending is held.
    private func readyEntries(limit: Int, excluding worked: Set<Int>) async -> [OutboxEntry] {
        guard !isPausedForLogin, !isQuiescing, !isLinkHeld(), !Task.isCancelled else { return [] }
        do {
            return try await store.readyOutboxEntries(account: context.account, now: Date(), limit: limit, excluding: worked)
        } catch {
            logger.error("outbox read failed", metadata: ["error": "\(error)"])
            return []
        }
    }

    private func step() async {
        if isPausedForLogin {
            await waitForWake()
            return
        }
        if let until = linkDownUntil, until > .now {
            await sleep(until: until)
            if Task.isCancelled { return }
            linkDownUntil = nil
        }
        if await drainReady() > 0 { return }
        let due = try? await store.nextOutboxDue(account: context.account)
        guard !Task.isCancelled else { return }
        if let due {
            let wait = due.timeIntervalSinceNow
            await sleep(until: .now + .seconds(max(wait, 0.001)))
        } else {
            await waitForWake()
        }
    }

    // MARK: - One entry

    private func work(on entry: OutboxEntry) async {
        guard !isPausedForLogin, !isQuiescing, !isLinkHeld() else { return }
        working += 1
        defer {
            working -= 1
            if working == 0 { resumeQuiet() }
        }
        guard let mutation = Self.decode(entry) else {
            await record(entry, .reject(errorCode: nil, message: "the stored mutation cannot be read by this version"))
            return
        }
        if entry.state == .unknown {
            await check(entry, mutation)
        } else {
            await send(entry, mutation)
        }
    }

    private func send(_ entry: OutboxEntry, _ mutation: Mutation) async {
        let resolution: MutationResolution
        do {
            resolution = try await mutation.resolved(
                realID: { [store] in try await store.realID(forTemp: $0) },
                uploadURL: { [store] id in
                    guard let upload = try await store.outboxEntry(id), upload.state == .applied,
                        case .string(let url)? = upload.result?["url"]
                    else { return nil }
                    return url
                })
        } catch {
            logger.error("outbox read failed", metadata: ["error": "\(error)"])
            return
        }
        guard case .ready(let resolved) = resolution else {
            if case .impossible(let reason) = resolution { await record(entry, .reject(errorCode: nil, message: reason)) }
            return
        }
        do {
            let arguments = try JSONValue(encoding: resolved)
            try await store.markInFlight(entry.id, arguments: arguments, baseline: try await resolved.baseline(store: store))
        } catch {
            writeFailed(error)
            return
        }
        let attempts = entry.attempts + 1
        let roll = Double.random(in: 0..<1, using: &generator)
        var storedBytes: OutboxBlob?
        if resolved.sendsStoredBytes {
            guard let blob = try? await store.blob(of: entry.id) else {
                await record(entry, .reject(errorCode: nil, message: "the photo's bytes are gone"))
                return
            }
            storedBytes = blob
        }
        CrashPoint.reach(.beforeSend)
        let outcome = await resolved.send(via: client, context: context, storedBytes: storedBytes)
        CrashPoint.reach(.afterSend)
        let answer = outcome.payload
        let decision = policy.afterSend(outcome, attempts: attempts, roll: roll)
        let answered = outcome.serverWasDone
        noteLink(outcome)
        if case .confirm = decision {
            await confirm(entry, resolved, answer: answer)
        } else {
            await record(entry, decision, sendAnswered: answered)
        }
    }

    private func check(_ entry: OutboxEntry, _ mutation: Mutation) async {
        // The time the reads begin: a settle time counts only if it had passed before them.
        let started = Date()
        let readBack = await mutation.readBack(readBackContext(entry))
        let decision = policy.afterCheck(
            readBack, checks: entry.checks, attempts: entry.attempts, committed: entry.committed,
            send: OutboxPolicy.SendTimes(sentAt: entry.sentAt, answered: entry.sendAnswered, settlesAt: entry.settlesAt), now: started,
            roll: Double.random(in: 0..<1, using: &generator))
        switch (decision, readBack) {
        case (.confirm, .present(let confirmation)):
            await apply(entry, confirmation)
        case (.confirm, _):
            await apply(entry, Confirmation())
        case (.resend, _):
            do {
                try await store.requeue(entry.id, at: Date(), error: "not found upstream: sending again", countingCheck: true)
            } catch {
                writeFailed(error)
            }
            emit(.entry(id: entry.id, state: .queued))
        case (.check(let after, let error), _):
            do {
                // A settle time an earlier check set still stands.
                try await store.markUnknown(
                    entry.id, checkAt: Date().addingTimeInterval(Self.seconds(after)), error: error, countingCheck: true, settlesAt: entry.settlesAt)
            } catch {
                writeFailed(error)
            }
        default:
            await record(entry, decision)
        }
    }

    /// The server answered success: read the fresh records (and a created record's id), then
    /// mark applied. A created record whose id cannot be read yet stays `unknown`, committed,
    /// until a later check finds it.
    private func confirm(_ entry: OutboxEntry, _ mutation: Mutation, answer: JSONValue?) async {
        var confirmation = Confirmation()
        let check = readBackContext(entry)
        if let found = await mutation.confirmation(fromAnswer: answer, check) {
            confirmation = found
        } else {
            switch await mutation.readBack(check) {
            case .present(let found):
                confirmation = found
            case .undecided, .authExpired:
                guard let created = mutation.createdRecord, created.id < 0 else { break }
                do {
                    try await store.markUnknown(entry.id, checkAt: Date(), error: "applied; its new record's id is not known yet", committed: true)
                } catch {
                    writeFailed(error)
                }
                return
            case .absent, .uncheckable:
                break
            }
        }
        await apply(entry, confirmation)
    }

    private func apply(_ entry: OutboxEntry, _ confirmation: Confirmation) async {
        do {
            // Secrets (a new patient's password, an SMS code) are not kept once they served.
            let scrubbed = Self.decode(entry)?.withoutSecrets.flatMap { try? JSONValue(encoding: $0) }
            var result = confirmation.result
            var notice: String?
            let late = confirmation.lateCopies
            if !late.isEmpty {
                // Claimed too, so that no later entry takes one for its own; shown, not hidden.
                var object: [String: JSONValue] = [:]
                if case .object(let fields)? = result { object = fields }
                object["late_copies"] = .array(late.map { .integer($0.recordID) })
                result = .object(object)
                notice =
                    "applied; \(late.count) more cop\(late.count == 1 ? "y" : "ies") found upstream (\(late.map { "\($0.collection.rawValue) \($0.recordID)" }.joined(separator: ", "))): an earlier send took effect after its settle time"
            }
            try await store.markApplied(
                entry.id, result: result, refreshed: confirmation.refreshed, mapping: confirmation.mapping, claims: confirmation.claims + late,
                scrubbedArguments: scrubbed, notice: notice)
            logger.info("outbox entry applied", metadata: ["entry": "\(entry.id)", "kind": "\(entry.kind)"])
            if !late.isEmpty {
                logger.warning(
                    "outbox entry applied, but a late copy of an earlier send was found upstream",
                    metadata: ["entry": "\(entry.id)", "kind": "\(entry.kind)", "copies": "\(late.count)"])
                emit(.lateCopies(id: entry.id, kind: entry.kind, count: late.count))
            }
            emit(.entry(id: entry.id, state: .applied))
        } catch {
            writeFailed(error)
        }
    }

    /// Carries out `decision`; `sendAnswered` when it follows a send whose answer showed that
    /// the server was done with the request.
    private func record(_ entry: OutboxEntry, _ decision: OutboxPolicy.Decision, sendAnswered: Bool = false) async {
        do {
            switch decision {
            case .confirm:
                await apply(entry, Confirmation())
            case .reject(let code, let message):
                try await store.markRejected(entry.id, errorCode: code, message: message)
                logger.notice("outbox entry rejected", metadata: ["entry": "\(entry.id)", "kind": "\(entry.kind)", "error_code": "\(code ?? 0)"])
                emit(.entry(id: entry.id, state: .rejected))
            case .resend(let after, let error):
                try await store.requeue(entry.id, at: Date().addingTimeInterval(Self.seconds(after)), error: error)
                emit(.entry(id: entry.id, state: .queued))
            case .check(let after, let error):
                try await store.markUnknown(entry.id, checkAt: Date().addingTimeInterval(Self.seconds(after)), error: error, sendAnswered: sendAnswered)
                emit(.entry(id: entry.id, state: .unknown))
            case .settle(let until, let checkAfter):
                // Not a check spent: the read decided (the effect is not there yet).
                try await store.markUnknown(
                    entry.id, checkAt: Date().addingTimeInterval(Self.seconds(checkAfter)),
                    error: "settling until \(until.formatted(.iso8601)): not found upstream yet, and the last send may still take effect there",
                    settlesAt: until)
                if entry.settlesAt == nil {
                    logger.notice(
                        "outbox entry not found upstream yet; waiting for its last send to settle",
                        metadata: ["entry": "\(entry.id)", "kind": "\(entry.kind)", "until": "\(until.formatted(.iso8601))"])
                }
                emit(.settling(id: entry.id, until: until))
            case .park(let error):
                try await store.park(entry.id, error: error)
                logger.warning("outbox entry parked", metadata: ["entry": "\(entry.id)", "kind": "\(entry.kind)"])
                emit(.entry(id: entry.id, state: .parked))
            case .pauseForLogin:
                if entry.state == .unknown {
                    // A read-back check, not a send, met the expired session: the entry may be
                    // applied upstream. It stays unknown (its attempts as they are), to be read
                    // again after the login; requeued, it would be resent blindly.
                    try await store.markUnknown(entry.id, checkAt: Date(), error: "session expired", committed: entry.committed)
                } else {
                    try await store.requeue(entry.id, at: Date(), error: "session expired", uncountingAttempt: true)
                }
                if !isPausedForLogin {
                    isPausedForLogin = true
                    logger.notice("outbox paused until the next login")
                    emit(.pausedForLogin)
                }
            }
        } catch {
            writeFailed(error)
        }
    }

    /// A write about an entry that did not happen: the entry keeps its last durable state and is
    /// worked on again (in flight ones at the next start, docs/outbox.md). While the daemon stops
    /// (the task is cancelled, and outcome writes give up their retries) that is expected, not
    /// an error the operator must look into.
    private func writeFailed(_ error: any Error) {
        if error is CancellationError || Task.isCancelled {
            logger.notice("outbox write left to the next start: stopping", metadata: ["error": "\(error)"])
        } else {
            logger.error("outbox write failed", metadata: ["error": "\(error)"])
        }
    }

    // MARK: - Link

    /// Whether sends are held because the link failed. A hold whose time has passed is lifted
    /// here: `step()` clears it only after sleeping on it, so a hold that ran out while a drain
    /// was still busy (or one of zero length: no reconnect jitter), and every hold in a drain
    /// driven through ``drainReady()``, would otherwise stay forever and every later turn would
    /// skip every entry (a busy loop in `run()`, nothing ever sent again).
    private func isLinkHeld() -> Bool {
        guard let until = linkDownUntil else { return false }
        if until > .now { return true }
        linkDownUntil = nil
        return false
    }

    /// A failed connection holds every send for a backoff; the first success after it restores
    /// the link (expediting what waited) after a random wait.
    private func noteLink<Payload>(_ outcome: UpstreamOutcome<Payload>) {
        switch outcome {
        case .retryable(let retry) where retry.isConnectionFailure:
            let wait = policy.backoff(attempt: linkWasDown ? 4 : 1, roll: Double.random(in: 0..<1, using: &generator))
            linkDownUntil = .now + wait
            if !linkWasDown {
                linkWasDown = true
                emit(.linkDown)
            }
        case .applied, .rejected, .unknown:
            if linkWasDown {
                Task { await self.restoreLink() }
            }
        default:
            break
        }
    }

    private func restoreLink() async {
        guard linkWasDown || linkDownUntil != nil else { return }
        linkWasDown = false
        let jitter = policy.reconnectJitter * Double.random(in: 0..<1, using: &generator)
        linkDownUntil = .now + jitter
        try? await store.expediteQueued()
        emit(.linkRestored)
        wake()
    }

    // MARK: - Helpers

    private func readBackContext(_ entry: OutboxEntry) -> ReadBackContext {
        let chains = Self.decode(entry)?.rivalsShareAChain == true ? entry.chains : nil
        return ReadBackContext(
            entryID: entry.id, context: context, baseline: entry.baseline, reader: UpstreamReader(client: client),
            isClaimed: { [store] claim in (try? await store.isClaimed(claim, byOtherThan: entry.id)) ?? false },
            // A count that cannot be read reports no late copy: every match may be a rival's.
            rivals: { [store] in (try? await store.unresolvedSends(of: entry.kind, excluding: entry.id, inChains: chains)) ?? .max })
    }

    static func decode(_ entry: OutboxEntry) -> Mutation? {
        try? JSONValueDecoder().decode(Mutation.self, from: entry.arguments)
    }

    static func seconds(_ duration: Duration) -> TimeInterval {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Sleeps until `instant`, or until woken; at once when a wake came since the last wait.
    func sleep(until instant: ContinuousClock.Instant) async {
        guard !wakeDue else {
            wakeDue = false
            return
        }
        let task = Task { _ = try? await Task.sleep(until: instant, clock: .continuous) }
        sleeper = task
        await task.value
        sleeper = nil
        wakeDue = false
    }

    /// Waits until woken; at once when a wake came since the last wait.
    func waitForWake() async {
        guard !wakeDue, !Task.isCancelled else {
            wakeDue = false
            return
        }
        await withCheckedContinuation { idle = $0 }
        wakeDue = false
    }

    private func emit(_ event: Event) {
        for listener in listeners { listener.yield(event) }
    }
}

extension UpstreamOutcome {
    /// Whether the outcome shows that the server is done with the request: anything but an
    /// unknown outcome that may still take effect.
    var serverWasDone: Bool {
        if case .unknown(let uncertainty) = self { return !uncertainty.mayStillTakeEffect }
        return true
    }
}

extension UpstreamRetry {
    /// Whether no connection could be used: the link, not the request, is at fault.
    var isConnectionFailure: Bool {
        if case .notSent = reason { return true }
        return false
    }
}
