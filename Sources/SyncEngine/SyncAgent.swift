import Foundation
import Logging
import MirrorStore
import UpstreamClient
import VolunteerAPI

/// The whole sync side of one vdsyncd, for one account at a time: the session (restored from
/// the store, or a login), the pull loop (``SyncService``), the outbox (``Outbox``, ``Replayer``)
/// and what front ends see of them (``Status``). The daemon and the local interface talk to this
/// actor only; it owns no socket and no configuration file.
///
/// Guarantees: the pull and replay loops run only while a session is known; an expired session
/// stops both (nothing is dropped) until ``login(phone:password:role:)`` succeeds, or until the
/// configured credentials log in again by themselves; a successful pull tells the replayer the
/// link is back.
public actor SyncAgent {
    /// What the agent is configured with (the daemon's configuration, minus files and sockets).
    public struct Configuration: Sendable {
        public var schedule = SyncSchedule.Configuration()
        public var policy = OutboxPolicy()
        public var pageSize = 50
        /// Credentials to log in with at start and again after the session expires; nil to wait
        /// for a login from a front end.
        public var credentials: Credentials?

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
        public var lastErrors: [String]
        public var lastPull: Date?
    }

    public nonisolated let store: MirrorStore
    public nonisolated let client: UpstreamClient
    public nonisolated let outbox: Outbox
    private var configuration: Configuration
    private let logger: Logger
    private var context: MutationContext?
    private var state = SessionState.loggedOut
    private var service: SyncService?
    private var replayer: Replayer?
    private var loops: Task<Void, Never>?
    /// Logging in again with the configured account while the upstream cannot be reached.
    private var relogin: Task<Void, Never>?
    private var lastErrors: [String] = []
    private var lastPull: Date?
    private var connectivity = SyncSchedule.Connectivity.unknown

    public init(store: MirrorStore, client: UpstreamClient, configuration: Configuration = Configuration(), logger: Logger) {
        self.store = store
        self.client = client
        self.configuration = configuration
        self.logger = logger
        let wake = WakeBox()
        self.outbox = Outbox(store: store) { await wake.fire() }
        self.wakeBox = wake
    }

    private let wakeBox: WakeBox

    /// The logged-in user, for mutations.
    public var mutationContext: MutationContext? { state == .loggedOut ? nil : context }
    public var sessionState: SessionState { state }

    // MARK: - Lifecycle

    /// Restores the stored session, or logs in with the configured credentials, and starts the
    /// loops. Returns at once; ``stop()`` ends them.
    public func start() async {
        await wakeBox.set { [weak self] in await self?.wakeReplayer() }
        if let stored = try? await store.session() {
            await client.restore(UpstreamSession(token: stored.token, role: stored.role, userID: stored.userID))
            await begin(MutationContext(role: stored.role, userID: stored.userID))
            logger.info("session restored", metadata: ["role": "\(stored.role)"])
        } else if let credentials = configuration.credentials {
            if case .unreachable = await login(phone: credentials.phone, password: credentials.password, role: credentials.role) {
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
            guard case .unreachable = await login(phone: credentials.phone, password: credentials.password, role: credentials.role) else {
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
    /// for this account.
    public func login(phone: String, password: String, role: UserRole) async -> LoginResult {
        let previousSession = await client.session
        switch await client.login(phone: phone, password: password, role: role) {
        case .applied(let profile):
            guard let session = await client.session else { return .unreachable("no session after login") }
            // The mirror and the outbox belong to one account. Another account may take over
            // only when nothing of the previous one is waiting to be sent; its mirror is emptied.
            let owner = "\(role.rawValue):\(profile.id)"
            let previousOwner = try? await store.syncState("owner")?.cursor
            if let previousOwner, previousOwner != owner {
                let counts = (try? await store.outboxCounts()) ?? [:]
                let unfinished = counts.filter { $0.key != .applied && $0.key != .discarded }.values.reduce(0, +)
                if unfinished > 0 {
                    if let previousSession { await client.restore(previousSession) } else { await client.forgetSession() }
                    return .refused(
                        message: "the outbox holds \(unfinished) unsent mutations of another account: log in as that account, or discard them first",
                        errorCode: nil)
                }
                await endLoops()
                do {
                    try await store.resetMirror()
                } catch {
                    note("mirror not reset: \(type(of: error))")
                }
            }
            try? await store.markSynced("owner", at: Date(), cursor: owner)
            do {
                try await store.saveSession(StoredSession(token: session.token, role: role, userID: profile.id, savedAt: Date()))
            } catch {
                note("session not saved: \(type(of: error))")
            }
            await begin(MutationContext(role: role, userID: profile.id))
            logger.info("logged in", metadata: ["role": "\(role)"])
            return .loggedIn(role: role, userID: profile.id)
        case .rejected(let rejection):
            return .refused(message: rejection.message ?? "login refused", errorCode: rejection.errorCode)
        case .authExpired:
            return .refused(message: "login refused", errorCode: nil)
        case .retryable(let retry):
            return .unreachable("\(retry)")
        case .unknown(let reason):
            return .unreachable("\(reason)")
        }
    }

    /// Logs out: the loops stop, the stored session is forgotten, the upstream is told
    /// (`/logout`, best effort). Queued mutations stay queued for the next login.
    public func logout() async {
        relogin?.cancel()
        await endLoops()
        _ = await client.call(.logout, as: JSONValue.self)
        await client.forgetSession()
        try? await store.clearSession()
        state = .loggedOut
        context = nil
        connectivity = .unknown
        lastPull = nil
        logger.info("logged out")
    }

    // MARK: - Sync

    /// Pulls these tiers now (all by default); nothing when logged out.
    public func syncNow(_ tiers: Set<PullTier> = Set(PullTier.allCases)) async {
        await service?.syncNow(tiers)
        await replayer?.wake()
    }

    public func status() async -> Status {
        var lastPulls: [String: Date] = [:]
        if let context {
            for step in PullPlan.steps(for: context.role, userID: context.userID) {
                if let synced = try? await store.syncState(step.listKey), let date = synced.lastSuccess {
                    lastPulls[step.listKey] = date
                }
            }
        }
        return Status(
            connectivity: connectivity, session: state, role: state == .loggedOut ? nil : context?.role,
            userID: state == .loggedOut ? nil : context?.userID, lastPulls: lastPulls, outbox: (try? await store.outboxCounts()) ?? [:],
            outboxSettling: (try? await store.settlingOutboxEntries()) ?? (0, nil),
            outboxPausedForLogin: await replayer?.isPausedForLogin ?? (state != .active), lastErrors: lastErrors, lastPull: lastPull)
    }

    // MARK: - Loops

    private func begin(_ context: MutationContext) async {
        await endLoops()
        self.context = context
        state = .active
        let puller = Puller(client: client, store: store, role: context.role, userID: context.userID, pageSize: configuration.pageSize, logger: logger)
        let service = SyncService(puller: puller, configuration: configuration.schedule, logger: logger)
        let replayer = Replayer(client: client, store: store, context: context, policy: configuration.policy, logger: logger)
        self.service = service
        self.replayer = replayer
        let events = await service.events()
        let replays = await replayer.events()
        loops = Task {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await service.run() }
                group.addTask { await replayer.run() }
                group.addTask {
                    for await event in events { await self.handle(event) }
                }
                group.addTask {
                    for await event in replays { await self.handle(event) }
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
            if report.reachedUpstream {
                lastPull = Date()
                await replayer?.linkRestored()
            }
            for failure in report.failures.prefix(3) { note("pull failed: \(failure)") }
        case .authExpired:
            await sessionExpired()
        }
    }

    /// What the replayer says, as `status` shows it (internal for tests).
    func handle(_ event: Replayer.Event) async {
        switch event {
        case .pausedForLogin: await sessionExpired()
        case .linkDown: connectivity = .offline
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
        guard configuration.credentials != nil else { return }
        // Sign in again with the configured account, outside the loops this event came from
        // (a login restarts them), again while the upstream cannot be reached; a refusal leaves
        // the expired state visible.
        relogin?.cancel()
        relogin = Task { await self.loginWithCredentials() }
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
