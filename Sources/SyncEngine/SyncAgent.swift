import Foundation
import Logging
import MirrorStore
import Synchronization
import UpstreamClient
import VolunteerAPI

/// The whole sync side of one vdsyncd, for one account at a time: the session (restored from
/// the store, or a login), the pull loop (``SyncService``), the outbox (``Outbox``, ``Replayer``)
/// and what front ends see of them (``Status``). The daemon and the local interface talk to this
/// actor only; it owns no socket and no configuration file.
///
/// Guarantees: the pull and replay loops run only while a session is known; an expired session
/// stops both (nothing is dropped) until ``login(phone:password:role:)`` succeeds, or, when the
/// session was the configured account's own, until the configured credentials log in again by
/// themselves (never as another account than the one whose session expired); a successful pull
/// tells the replayer the link is back. Accounts take turns: the replayer sends only the
/// logged-in account's entries, and another account's wait for its next login.
public actor SyncAgent {
    /// What the agent is configured with (the daemon's configuration, minus files and sockets).
    public struct Configuration: Sendable {
        public var schedule = SyncSchedule.Configuration()
        public var policy = OutboxPolicy()
        public var pageSize = 50
        /// The change journal keeps at most this many entries, none older than `journalMaxAge`;
        /// it is trimmed after each pull.
        public var journalMaxEntries = 100_000
        public var journalMaxAge: Duration = .seconds(7 * 86_400)
        /// Credentials to log in with at start and again after the session expires; nil to wait
        /// for a login from a front end.
        public var credentials: Credentials?
        /// The image cache (pictures offline); nil or a cap of 0: pictures are not kept.
        public var images: ImageFetcher.Configuration?
        /// What bounds the role's pull plan (the open-project window, nearest first).
        public var plan = PullPlan.Options()
        /// How often the way to the upstream is probed while it cannot be reached; nil: never
        /// (the loops' own backoff alone notices the link's return).
        public var probeInterval: Duration? = LinkProbeSchedule.defaultInterval

        public init() {}
    }

    /// An account to sign in with. Its description never shows the password or the phone.
    public struct Credentials: Sendable, CustomStringConvertible {
        public let phone: String
        public let password: String
        public let role: UserRole

        public init(phone: String, password: String, role: UserRole) {
            self.phone = phone
            self.password = password
            self.role = role
        }

        public var description: String { "\(role) credentials" }
    }

    /// Where the session stands.
    public enum SessionState: String, Sendable, Hashable {
        /// No one is logged in.
        case loggedOut = "logged_out"
        /// A session is in use.
        case active
        /// The upstream refused the session: mutations wait for a new login.
        case expired
    }

    /// What `status` shows: connectivity, the session, the last pulls, the outbox, errors.
    public struct Status: Sendable {
        public var connectivity: SyncSchedule.Connectivity
        public var session: SessionState
        public var role: UserRole?
        public var userID: Int?
        public var lastPulls: [String: Date]
        public var outbox: [OutboxState: Int]
        /// `unknown` entries a read-back did not find while their last send may still take
        /// effect upstream, and the latest time one of them may be sent again.
        public var outboxSettling: (count: Int, until: Date?)
        public var outboxPausedForLogin: Bool
        /// Entries of other accounts, neither applied nor discarded: they wait for their
        /// account's next login.
        public var outboxOtherAccounts: Int
        public var lastErrors: [String]
        public var lastPull: Date?
        /// The image cache: files, bytes, waiting and failed pictures.
        public var imageCache = ImageCacheFigures()
        /// Its size cap in bytes; 0 when pictures are not kept.
        public var imageCacheCap = 0
        /// What the link to the upstream carried today and on the last days (API calls and pictures).
        public var link = LinkUsage.Report(today: .init(day: LinkUsage.Day(Date()), traffic: .init()), days: [])
    }

    public nonisolated let store: MirrorStore
    public nonisolated let client: UpstreamClient
    public nonisolated let outbox: Outbox
    /// The image cache, when configured: its loop runs beside the pull and replay loops.
    public nonisolated let images: ImageFetcher?
    private var configuration: Configuration
    private let logger: Logger
    private var context: MutationContext?
    /// Who opened the current session; nil when unknown (a session saved before it was kept).
    private var origin: StoredSession.Origin?
    private var state = SessionState.loggedOut {
        didSet { sessionOpen.withLock { $0 = state != .loggedOut } }
    }
    /// `state` is not `loggedOut`, readable without a hop to the actor (every read checks it).
    private let sessionOpen = Mutex(false)
    private var service: SyncService?
    private var replayer: Replayer?
    private var loops: Task<Void, Never>?
    /// Logging in again with the configured account while the upstream cannot be reached.
    private var relogin: Task<Void, Never>?
    private var lastErrors: [String] = []
    private var lastPull: Date?
    private var connectivity = SyncSchedule.Connectivity.unknown
    /// How many times real traffic found the upstream unreachable: a probe's signal that is
    /// followed by another is a false alarm (``LinkProbeSchedule``).
    private var linkFailures = 0

    public init(store: MirrorStore, client: UpstreamClient, configuration: Configuration = Configuration(), logger: Logger) {
        self.store = store
        self.client = client
        self.configuration = configuration
        self.logger = logger
        let wake = WakeBox()
        self.outbox = Outbox(store: store) { await wake.fire() }
        self.wakeBox = wake
        self.images = configuration.images.flatMap {
            $0.isEnabled ? ImageFetcher(configuration: $0, store: store, client: client, logger: logger) : nil
        }
    }

    private let wakeBox: WakeBox

    /// The logged-in user, for mutations.
    public var mutationContext: MutationContext? { state == .loggedOut ? nil : context }

    /// Whether someone is logged in (an expired session counts), without waiting for the actor:
    /// the socket's reads ask on every call.
    public nonisolated var hasSession: Bool { sessionOpen.withLock { $0 } }
    public var sessionState: SessionState { state }

    // MARK: - Lifecycle

    /// Restores the stored session, or logs in with the configured credentials, and starts the
    /// loops. Returns at once; ``stop()`` ends them.
    public func start() async {
        await wakeBox.set { [weak self] in await self?.wakeReplayer() }
        if let stored = try? await store.session() {
            await client.restore(UpstreamSession(token: stored.token, role: stored.role, userID: stored.userID))
            origin = stored.origin
            await begin(MutationContext(role: stored.role, userID: stored.userID))
            logger.info("session restored", metadata: ["role": "\(stored.role)"])
        } else if let credentials = configuration.credentials {
            if case .unreachable = await login(phone: credentials.phone, password: credentials.password, role: credentials.role, origin: .configured) {
                relogin = Task { await self.loginWithCredentials(firstAfter: .seconds(1)) }
            }
        }
    }

    /// Stops the loops (in-flight requests finish or end as unknown; the outbox keeps them).
    public func stop() async {
        relogin?.cancel()
        await endLoops()
    }

    /// Logs in with the configured account, and again while the upstream cannot be reached
    /// (waits from `firstAfter`, doubling up to 60 s), until a login succeeds or is refused,
    /// another login made the session active, or the agent stops. (One attempt only left a
    /// kiosk that started, or whose session expired, while the link was down logged out until
    /// it was restarted: docs/reliability.md, "Disk".)
    private func loginWithCredentials(firstAfter: Duration? = nil) async {
        guard let credentials = configuration.credentials else { return }
        var delay = firstAfter ?? .seconds(1)
        if firstAfter != nil {
            try? await Task.sleep(for: delay)
        }
        while !Task.isCancelled, state != .active {
            guard
                case .unreachable = await login(phone: credentials.phone, password: credentials.password, role: credentials.role, origin: .configured)
            else {
                return
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(60))
        }
    }

    /// Applies a new schedule and outbox policy (a reload): the loops restart with them, the
    /// session and the outbox stay as they are. Credentials are kept from the first configuration.
    public func reconfigure(schedule: SyncSchedule.Configuration, policy: OutboxPolicy) async {
        configuration.schedule = schedule
        configuration.policy = policy
        if state == .active, let context {
            await begin(context)
        }
    }

    // MARK: - Session

    /// The outcome of a login from a front end.
    public enum LoginResult: Sendable {
        case loggedIn(role: UserRole, userID: Int)
        case refused(message: String, errorCode: Int?)
        case unreachable(String)
    }

    /// Logs in; on success the session is stored (so a restart resumes it) and the loops start
    /// for this account. `origin` says who asked: a front end over the socket, or the daemon
    /// with its configured account.
    public func login(phone: String, password: String, role: UserRole, origin: StoredSession.Origin = .socket) async -> LoginResult {
        // A person signing in at the kiosk ends the daemon's own attempts to sign in again.
        if origin == .socket { relogin?.cancel() }
        let outcome = await signingIn { await client.login(phone: phone, password: password, role: role) }
        guard case .applied(let profile) = outcome else { return Self.failure(outcome) }
        return await opened(MutationContext(role: role, userID: profile.id), origin: origin)
    }

    /// Logs in with a phone and an SMS code (a patient's sign-in, which registers a new phone);
    /// `isNew` says it did. Otherwise as ``login(phone:password:role:origin:)``.
    public func loginByCode(phone: String, code: String) async -> (result: LoginResult, isNew: Bool) {
        relogin?.cancel()
        let outcome = await signingIn { await client.loginByCode(phone: phone, code: code) }
        guard case .applied(let answer) = outcome else { return (Self.failure(outcome), false) }
        return (await opened(MutationContext(role: answer.user.role, userID: answer.user.id), origin: .socket), answer.isNew)
    }

    /// Registers an account with an SMS code; the server's answer is a session, so the new
    /// account is logged in.
    public func register(phone: String, code: String, password: String, role: UserRole) async -> LoginResult {
        relogin?.cancel()
        let outcome = await signingIn { await client.register(phone: phone, code: code, password: password, role: role) }
        guard case .applied(let profile) = outcome else { return Self.failure(outcome) }
        // Without a token the client keeps the session it had, which is not this account's.
        guard profile.token?.isEmpty == false else { return .unreachable("the registration answered no session: log in") }
        return await opened(MutationContext(role: role, userID: profile.id), origin: .socket)
    }

    /// Sends a sign-in request with the loops stopped, so that nothing of the current account
    /// is sent or pulled with a session the request may open for another; a failed request
    /// leaves the session as it was and the loops run again.
    private func signingIn<Payload: Sendable>(_ request: () async -> UpstreamOutcome<Payload>) async -> UpstreamOutcome<Payload> {
        let previous = (context: context, state: state)
        await endLoops()
        let outcome = await request()
        if !outcome.isSuccess, let context = previous.context, previous.state != .loggedOut {
            await begin(context)
            state = previous.state
        }
        return outcome
    }

    /// A session the upstream opened for `context`: the mirror becomes the account's, the
    /// session is stored (a restart resumes it) and the loops start.
    private func opened(_ context: MutationContext, origin: StoredSession.Origin) async -> LoginResult {
        guard let session = await client.session else { return .unreachable("no session after login") }
        await takeOver(for: context)
        do {
            try await store.saveSession(
                StoredSession(token: session.token, role: context.role, userID: context.userID, savedAt: Date(), origin: origin))
        } catch {
            note("session not saved: \(type(of: error))")
        }
        self.origin = origin
        await begin(context)
        logger.info("logged in", metadata: ["role": "\(context.role)"])
        return .loggedIn(role: context.role, userID: context.userID)
    }

    /// A sign-in that did not open a session, as front ends are told.
    private static func failure<Payload>(_ outcome: UpstreamOutcome<Payload>) -> LoginResult {
        switch outcome {
        case .applied: .unreachable("no session after login")
        case .rejected(let rejection): .refused(message: rejection.message ?? "login refused", errorCode: rejection.errorCode)
        case .authExpired: .refused(message: "login refused", errorCode: nil)
        case .retryable(let retry): .unreachable("\(retry)")
        case .unknown(let reason): .unreachable("\(reason)")
        }
    }

    /// The mirror belongs to one account at a time. When `context` is another account than the
    /// mirror's owner, the mirror is emptied first (the new account pulls its own); the outbox
    /// keeps every account's entries, and each account's wait for its own login.
    private func takeOver(for context: MutationContext) async {
        let previousOwner = try? await store.syncState("owner")?.cursor
        if let previousOwner, previousOwner != context.account {
            await endLoops()
            do {
                try await store.resetMirror()
            } catch {
                note("mirror not reset: \(type(of: error))")
            }
            // The previous account's pictures must not stay readable by the next.
            images?.removeAllFiles()
        }
        try? await store.markSynced("owner", at: Date(), cursor: context.account)
    }

    /// Logs out: sends under way get their answers, the loops stop, the stored session is forgotten, the upstream is told
    /// (`/logout`, best effort). Queued mutations stay queued for the account's next login.
    /// With `wipe`, everything the database holds of the account but those queued mutations is
    /// removed, so the next person at a shared kiosk finds nothing of it (``MirrorStore/wipe(account:)``).
    @discardableResult
    public func logout(wipe: Bool = false) async -> WipeReport? {
        relogin?.cancel()
        // A send under way gets its answer first (within the request timeout): cancelled, it
        // would be unknown and settle for minutes before the account's next login may resend it.
        await replayer?.quiesce(within: client.configuration.requestTimeout)
        await endLoops()
        _ = await client.call(.logout, as: JSONValue.self)
        await client.forgetSession()
        try? await store.clearSession()
        var account = context?.account ?? ""
        if context == nil, let owner = try? await store.syncState("owner")?.cursor { account = owner }
        state = .loggedOut
        context = nil
        origin = nil
        connectivity = .unknown
        lastPull = nil
        lastErrors = []
        guard wipe else {
            logger.info("logged out")
            return nil
        }
        // The pictures first: a crash after this leaves index rows whose files are gone (read as
        // not cached), never files without the wipe.
        let imageFiles = images?.removeAllFiles() ?? 0
        do {
            let report = try await store.wipe(account: account)
            logger.info(
                "logged out and wiped",
                metadata: [
                    "records": "\(report.records)", "kept_entries": "\(report.keptEntries)", "image_files": "\(imageFiles)",
                    "checkpointed": "\(report.checkpointed)",
                ])
            return report
        } catch {
            logger.error("logged out, but the wipe failed", metadata: ["error": "\(type(of: error))"])
            note("wipe failed: \(type(of: error))")
            return nil
        }
    }

    // MARK: - Sync

    /// Pulls these tiers now (all by default); nothing when logged out.
    public func syncNow(_ tiers: Set<PullTier> = Set(PullTier.allCases)) async {
        await service?.syncNow(tiers)
        await replayer?.wake()
    }

    public func status() async -> Status {
        let account = state == .loggedOut ? nil : context?.account
        var lastPulls: [String: Date] = [:]
        if let context {
            for step in PullPlan.steps(for: context.role, userID: context.userID, options: configuration.plan) {
                if let synced = try? await store.syncState(step.listKey), let date = synced.lastSuccess {
                    lastPulls[step.listKey] = date
                }
            }
        }
        return Status(
            connectivity: connectivity, session: state, role: state == .loggedOut ? nil : context?.role,
            userID: state == .loggedOut ? nil : context?.userID, lastPulls: lastPulls,
            outbox: (try? await store.outboxCounts(account: account ?? "")) ?? [:],
            outboxSettling: (try? await store.settlingOutboxEntries(account: account ?? "")) ?? (0, nil),
            outboxPausedForLogin: await replayer?.isPausedForLogin ?? (state != .active),
            outboxOtherAccounts: (try? await store.unfinishedOutboxEntries(otherThan: account)) ?? 0, lastErrors: lastErrors, lastPull: lastPull,
            imageCache: await images?.figures() ?? ImageCacheFigures(), imageCacheCap: images?.configuration.maximumBytes ?? 0,
            link: client.linkUsage.report())
    }

    // MARK: - Loops

    private func begin(_ context: MutationContext) async {
        await endLoops()
        self.context = context
        state = .active
        let puller = Puller(
            client: client, store: store, role: context.role, userID: context.userID, pageSize: configuration.pageSize, options: configuration.plan,
            logger: logger)
        let service = SyncService(puller: puller, configuration: configuration.schedule, logger: logger)
        let replayer = Replayer(client: client, store: store, context: context, policy: configuration.policy, logger: logger)
        self.service = service
        self.replayer = replayer
        let events = await service.events()
        let replays = await replayer.events()
        let images = self.images
        loops = Task {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await service.run() }
                group.addTask { await replayer.run() }
                // Pictures download on their own task and HTTP client: never before a pull or a send.
                if let images { group.addTask { await images.run(userID: context.userID) } }
                group.addTask {
                    for await event in events { await self.handle(event) }
                }
                group.addTask {
                    for await event in replays { await self.handle(event) }
                }
                if let interval = self.configuration.probeInterval {
                    group.addTask { await self.watchLink(every: interval, service: service, replayer: replayer) }
                }
            }
        }
    }

    private func endLoops() async {
        guard let loops else { return }
        loops.cancel()
        await loops.value
        self.loops = nil
        service = nil
        replayer = nil
    }

    private func handle(_ event: SyncService.Event) async {
        switch event {
        case .pulled(_, let report, let connectivity):
            self.connectivity = connectivity
            if connectivity == .offline || report.unanswered > 0 { linkFailures += 1 }
            if report.reachedUpstream {
                lastPull = Date()
                await replayer?.linkRestored()
            }
            if !report.entries.isEmpty { await images?.replan() }
            _ = try? await store.trimJournal(
                maxEntries: configuration.journalMaxEntries, maxAge: TimeInterval(configuration.journalMaxAge.components.seconds))
            for failure in report.failures.prefix(3) { note("pull failed: \(failure)") }
        case .authExpired:
            await sessionExpired()
        }
    }

    /// What the replayer says, as `status` shows it (internal for tests).
    func handle(_ event: Replayer.Event) async {
        switch event {
        case .pausedForLogin: await sessionExpired()
        case .linkDown:
            connectivity = .offline
            linkFailures += 1
        case .linkRestored: connectivity = .online
        case .lateCopies(let id, let kind, let count):
            note("outbox entry \(id) (\(kind)): \(count) late cop\(count == 1 ? "y" : "ies") of an earlier send found upstream after its settle time")
        case .entry, .settling: break
        }
    }

    private func sessionExpired() async {
        guard state == .active else { return }
        state = .expired
        note("the upstream session expired")
        logger.notice("session expired; mutations wait for a new login")
        guard let credentials = configuration.credentials, Self.signsInAgain(origin: origin, role: context?.role, credentials: credentials) else {
            return
        }
        // Sign in again with the configured account, outside the loops this event came from
        // (a login restarts them), again while the upstream cannot be reached; a refusal leaves
        // the expired state visible.
        relogin?.cancel()
        relogin = Task { await self.loginWithCredentials() }
    }

    /// Whether an expired session may be replaced by signing in with the configured `credentials`:
    /// only when it was the configured account's own. A session opened over the socket is never
    /// replaced by the configured account; the person at the kiosk logs in again. A session
    /// saved before origins were kept counts as configured when its role is the configured one.
    static func signsInAgain(origin: StoredSession.Origin?, role: UserRole?, credentials: Credentials) -> Bool {
        switch origin {
        case .configured: true
        case .socket: false
        case nil: role == credentials.role
        }
    }

    // MARK: - Link

    /// While a loop finds the upstream unreachable, probes the way to it and, when a probe gets
    /// through, tells both loops at once: the replayer drains (after its short jitter) and the
    /// hot tier is pulled, without waiting out their backoffs (``LinkProbeSchedule``).
    private func watchLink(every interval: Duration, service: SyncService, replayer: Replayer) async {
        var probes = LinkProbeSchedule(interval: interval)
        // The failures counted when the loops were last told: until real traffic decides, no
        // new probe is made.
        var signalled: Int?
        while !Task.isCancelled {
            try? await Task.sleep(for: probes.wait)
            let pullsDown = await service.isOffline
            let sendsDown = await replayer.isLinkDown
            guard pullsDown || sendsDown else {
                probes.linkWorked()
                signalled = nil
                continue
            }
            if let failures = signalled {
                guard linkFailures > failures else { continue }
                probes.falseAlarm()
                signalled = nil
            }
            guard await client.probe(timeout: min(probes.wait, .seconds(2))) else { continue }
            logger.info("the upstream can be reached again: pulling and sending now")
            signalled = linkFailures
            await service.linkRestored()
            if sendsDown { await replayer.linkRestored() }
        }
    }

    private func wakeReplayer() async {
        await replayer?.wake()
    }

    /// Adds a line to what `status` shows as the last errors (the daemon's start-up findings).
    public func report(_ problem: String) {
        note(problem)
    }

    private func note(_ error: String) {
        lastErrors.append(error)
        if lastErrors.count > 10 { lastErrors.removeFirst(lastErrors.count - 10) }
    }
}

/// Lets the outbox, made before the agent exists, wake the agent's current replayer.
private actor WakeBox {
    private var action: (@Sendable () async -> Void)?

    func set(_ action: @escaping @Sendable () async -> Void) {
        self.action = action
    }

    func fire() async {
        await action?()
    }
}
