import Foundation
import SyncEngine
import VolunteerAPI

/// Part 8 (issue #21): the link, per role, on one world, through the counting ``Relay`` between
/// a real vdsyncd and vdapi: the bytes of an initial sync beside today's agent (the baseline:
/// no compression, every page of the open-project list), the idle bytes and requests a day, and
/// the reconnect after an outage with work queued, beside the floor (the same requests and
/// nothing else).
struct LinkFigures: Codable, Sendable {
    var projects: Int
    var outageSeconds: Double
    var queued: Int
    /// The longest the bench waits after the link returns; what did not happen by then is
    /// reported as not reached.
    var reconnectWaitSeconds: Double
    /// The settings that make vdsyncd today's agent (the baseline daemon).
    var baselineSettings: [String: String]
    /// Those the daemon did not know (its support report does not list them): the baseline then
    /// ran without them, and its figures are provisional.
    var baselineSettingsMissing: [String]
    var roles: [LinkRole]
}

struct LinkRole: Codable, Sendable {
    var role: String
    var phone: String
    var userID: Int
    var initialSync: LinkTraffic
    var baselineInitialSync: LinkTraffic
    /// Bytes both ways, ours / baseline (target: at most 0.3).
    var initialSyncBytesRatio: Double
    var idle: LinkIdle
    var baselineIdle: LinkIdle
    var reconnect: LinkReconnect
}

extension LinkRole {
    /// Issue #21's targets for this role.
    var targets: [Target] {
        let budget = role == "patient" ? 50.0 : 10.0
        var targets = [
            Target(
                name: "initial sync bytes", target: "≤ 0.3× the baseline's", measured: String(format: "%.2f×", initialSyncBytesRatio),
                met: initialSyncBytesRatio <= 0.3),
            Target(
                name: "idle bytes a day", target: String(format: "≤ %.0f MB", budget), measured: String(format: "%.2f MB", idle.bytesPerDay / 1e6),
                met: idle.bytesPerDay <= budget * 1e6),
        ]
        let first = reconnect.firstAppliedSeconds
        targets.append(
            Target(
                name: "first applied after the link returns", target: "≤ 2 s", measured: first.map { String(format: "%.2f s", $0) } ?? "not reached",
                met: first.map { $0 <= 2 } ?? false))
        let ratio = reconnect.hotFreshRatio
        targets.append(
            Target(
                name: "hot tier fresh vs floor", target: "≤ 1.5× the floor's", measured: ratio.map { String(format: "%.2f×", $0) } ?? "not reached",
                met: ratio.map { $0 <= 1.5 } ?? false))
        return targets
    }
}

/// Requests and bytes through the relay, and the seconds they took.
struct LinkTraffic: Codable, Sendable {
    var requests: Int
    var bytesToServer: Int
    var bytesToClient: Int
    var seconds: Double

    var bytes: Int { bytesToServer + bytesToClient }
}

/// Idle, with nothing changed upstream: one pull of each tier, and the pulls a day the schedule
/// makes of it.
struct LinkIdle: Codable, Sendable {
    var tiers: [String: LinkTier]
    var requestsPerDay: Double
    /// Both ways.
    var bytesPerDay: Double
    /// 10,000 such kiosks on the upstream.
    var fleetRequestsPerSecond: Double
    var fleetBytesPerSecond: Double

    init(tiers: [PullTier: LinkTraffic], pullsPerDay: [PullTier: Double]) {
        var result: [String: LinkTier] = [:]
        var requests = 0.0
        var bytes = 0.0
        for (tier, pull) in tiers {
            let pulls = pullsPerDay[tier] ?? 0
            result[tier.rawValue] = LinkTier(pull: pull, pullsPerDay: pulls)
            requests += Double(pull.requests) * pulls
            bytes += Double(pull.bytes) * pulls
        }
        self.tiers = result
        requestsPerDay = requests
        bytesPerDay = bytes
        fleetRequestsPerSecond = requests * Double(LinkBench.fleet) / 86_400
        fleetBytesPerSecond = bytes * Double(LinkBench.fleet) / 86_400
    }
}

struct LinkTier: Codable, Sendable {
    var pull: LinkTraffic
    /// Averaged over a week of the schedule: the cold tier's stretched interval is days long.
    var pullsPerDay: Double
}

/// The link returned at T, with `queued` mutations waiting: seconds from T (nil: not within the
/// wait), beside the floor's seconds from its start.
struct LinkReconnect: Codable, Sendable {
    var method: String
    var queued: Int
    /// The entries' states when the measurement ended (of those queued during the outage).
    var states: [String: Int]
    var firstAppliedSeconds: Double?
    var lastAppliedSeconds: Double?
    /// Every list of the hot tier pulled again after T.
    var hotFreshSeconds: Double?
    var hotLists: Int
    /// Requests through the relay from T to the end of the measurement.
    var requestsAfterReturn: Int
    var floorWrites: Int
    var floorReads: Int
    var floorFirstAppliedSeconds: Double
    var floorLastAppliedSeconds: Double
    var floorHotFreshSeconds: Double
    /// ours / floor to a fresh hot tier (target: at most 1.5).
    var hotFreshRatio: Double?
}

enum LinkBench {
    /// Kiosks of each role in the fleet figure.
    static let fleet = 10_000
    /// Today's agent: vdsyncd with these settings (compression off, every page of the
    /// open-project list).
    static let baselineSettings = ["VDSYNC_COMPRESSION": "false", "VDSYNC_OPEN_PROJECT_PAGES": "0"]
    static let day = Duration.seconds(86_400)

    /// Pulls a day of each tier, averaged over a week of the schedule's own decisions with
    /// nothing changing upstream.
    static func pullsPerDay(_ configuration: SyncSchedule.Configuration) -> [PullTier: Double] {
        configuration.idlePulls(over: day * 7).mapValues { Double($0) / 7 }
    }

    /// The roles and their accounts: the first doctor and patient of the scale world, and its
    /// tenth assistant (or the last, in a world of fewer).
    static func accounts(world: World) async throws -> [(role: UserRole, phone: String)] {
        let wanted = World.phone(prefix: "136", 9)
        let rows = try await world.query(
            "SELECT phone FROM user WHERE type = ? AND phone <= ? ORDER BY phone DESC LIMIT 1", [UserRole.assistant.rawValue, wanted])
        guard let assistant = rows.first?["phone"] as? String else { throw BenchError("the world has no assistant") }
        return [(.doctor, World.phone(prefix: "137", 0)), (.assistant, assistant), (.patient, World.phone(prefix: "139", 0))]
    }

    static func run(world: World, vdsyncd: String, work: String, quick: Bool, outage: Duration, queued: Int, log: (String) -> Void) async throws
        -> LinkFigures
    {
        // Past the outage, the agent's backoff (the pull schedule's and the outbox's, each capped
        // at 300 s) and the hot interval decide; a quick run waits less, and says so.
        let wait = Duration.seconds(quick ? 10 : 600)
        var figures = LinkFigures(
            projects: world.projects, outageSeconds: outage.seconds, queued: queued, reconnectWaitSeconds: wait.seconds,
            baselineSettings: baselineSettings, baselineSettingsMissing: [], roles: [])
        let (host, port) = try world.address()
        for (role, phone) in try await accounts(world: world) {
            log("    \(role) \(phone)")
            // Ours: the daemon's defaults.
            let relay = try await Relay.start(targetHost: host, targetPort: port)
            let ours = try Daemon.start(
                name: "vdsyncd-link-\(role)", vdsyncd: vdsyncd, upstream: "http://127.0.0.1:\(relay.port)", work: work, login: nil)
            let (sync, userID) = try await initialSync(daemon: ours, relay: relay, role: role, phone: phone, timeout: .seconds(quick ? 120 : 900))
            log("      ours: initial sync \(describe(sync))")
            let report = try ours.connect().call("support.report") as? [String: Any]
            let known = Set((report?["configuration"] as? [String: Any] ?? [:]).keys)
            let idle = try await idleTiers(daemon: ours, relay: relay, role: role, userID: userID)
            log("      ours: idle pulls " + PullTier.allCases.map { "\($0) \(describe(idle.tiers[$0]))" }.joined(separator: "; "))
            let returned = try await reconnect(
                daemon: ours, relay: relay, world: world, role: role, phone: phone, userID: userID, outage: outage, queued: queued, wait: wait,
                hot: idle.hot, log: log)
            ours.stop()
            await relay.close()

            // The baseline: the same daemon as today's agent.
            let settings = baselineSettings.filter { known.contains($0.key) }
            let missing = Set(baselineSettings.keys).subtracting(known).sorted()
            if !missing.isEmpty, figures.baselineSettingsMissing.isEmpty {
                log("      note: vdsyncd does not know \(missing.joined(separator: ", ")): the baseline runs without them (provisional)")
            }
            figures.baselineSettingsMissing = missing
            let baselineRelay = try await Relay.start(targetHost: host, targetPort: port)
            let baseline = try Daemon.start(
                name: "vdsyncd-link-\(role)-baseline", vdsyncd: vdsyncd, upstream: "http://127.0.0.1:\(baselineRelay.port)", work: work, login: nil,
                settings: settings)
            let (baselineSync, _) = try await initialSync(
                daemon: baseline, relay: baselineRelay, role: role, phone: phone, timeout: .seconds(quick ? 120 : 900))
            let baselineIdle = try await idleTiers(daemon: baseline, relay: baselineRelay, role: role, userID: userID)
            log("      baseline: initial sync \(describe(baselineSync))")
            baseline.stop()
            await baselineRelay.close()

            // Pulls a day: the schedule's own decisions with nothing changing (intervals stretch
            // while idle); today's agent keeps its intervals (no stretching).
            var fixed = SyncSchedule.Configuration()
            fixed.idleStretch = [:]
            figures.roles.append(
                LinkRole(
                    role: "\(role)", phone: phone, userID: userID, initialSync: sync, baselineInitialSync: baselineSync,
                    initialSyncBytesRatio: Double(sync.bytes) / Double(max(baselineSync.bytes, 1)),
                    idle: LinkIdle(tiers: idle.tiers, pullsPerDay: pullsPerDay(SyncSchedule.Configuration())),
                    baselineIdle: LinkIdle(tiers: baselineIdle.tiers, pullsPerDay: pullsPerDay(fixed)), reconnect: returned))
        }
        return figures
    }

    static func describe(_ traffic: LinkTraffic?) -> String {
        guard let traffic else { return "?" }
        return "\(traffic.requests) requests, \(traffic.bytesToServer) B up, \(traffic.bytesToClient) B down, \(String(format: "%.2f", traffic.seconds)) s"
    }

    /// `session.login` through the socket, then the first full pull: every list of the role's
    /// plan pulled (the daemon's database, read beside it) and the link quiet.
    static func initialSync(daemon: Daemon, relay: Relay, role: UserRole, phone: String, timeout: Duration) async throws -> (LinkTraffic, Int) {
        let control = try daemon.connect()
        let watch = try daemon.watch()
        _ = relay.counts(reset: true)
        let started = ContinuousClock.now
        let login = try control.call("session.login", ["phone": phone, "password": World.password, "role": "\(role)"]) as? [String: Any]
        guard let userID = login?["user_id"] as? Int else { throw BenchError("session.login of \(phone) answered \(String(describing: login))") }
        let keys = Set(PullPlan.steps(for: role, userID: userID).map(\.listKey))
        let pulled = try await waitForLists(keys, after: [:], watch: watch, daemon: daemon, timeout: timeout)
        try await settle(relay)
        let counts = relay.counts(reset: true)
        return (traffic(counts, seconds: (pulled - started).seconds), userID)
    }

    /// One pull of each tier on demand (`sync.now`), nothing changed upstream; the hot pull's
    /// requests (the floor's reads) and its lists.
    static func idleTiers(daemon: Daemon, relay: Relay, role: UserRole, userID: Int) async throws -> (
        tiers: [PullTier: LinkTraffic], hot: (requests: [Relay.Request], lists: Set<String>)
    ) {
        let control = try daemon.connect()
        let watch = try daemon.watch()
        let steps = PullPlan.steps(for: role, userID: userID)
        var tiers: [PullTier: LinkTraffic] = [:]
        var hot: (requests: [Relay.Request], lists: Set<String>) = ([], [])
        for tier in PullTier.allCases {
            let keys = Set(steps.filter { $0.tier == tier }.map(\.listKey))
            try await settle(relay)
            let before = try watch.lastPulls()
            _ = relay.counts(reset: true)
            let started = ContinuousClock.now
            try control.call("sync.now", ["tiers": [tier.rawValue]])
            let pulled = try await waitForLists(keys, after: before, watch: watch, daemon: daemon, timeout: .seconds(600))
            try await settle(relay)
            let counts = relay.counts(reset: true)
            tiers[tier] = traffic(counts, seconds: (pulled - started).seconds)
            if tier == .hot { hot = (counts.requests, keys) }
        }
        return (tiers, hot)
    }

    /// With the daemon synced and idle: the link down for `outage`, `queued` mutations made
    /// meanwhile, then the link up at T; the seconds from T to the first and the last entry
    /// applied and to every hot list pulled again. Then the floor: the writes the daemon sent
    /// after T and the hot pull's reads, sent directly.
    static func reconnect(
        daemon: Daemon, relay: Relay, world: World, role: UserRole, phone: String, userID: Int, outage: Duration, queued: Int, wait: Duration,
        hot: (requests: [Relay.Request], lists: Set<String>), log: (String) -> Void
    ) async throws -> LinkReconnect {
        let control = try daemon.connect()
        let watch = try daemon.watch()
        let mutations = try self.mutations(role: role, control: control, count: queued)
        try await settle(relay)
        let before = try watch.outboxStates()

        await relay.down()
        let down = ContinuousClock.now
        for (method, params) in mutations {
            let result = try control.call(method, params) as? [String: Any]
            guard result?["mutation_id"] != nil else { throw BenchError("\(method) answered \(String(describing: result))") }
        }
        try await Task.sleep(until: down + outage)
        let pullsBefore = try watch.lastPulls()
        _ = relay.counts(reset: true)
        try await relay.up()
        let back = ContinuousClock.now

        var first: ContinuousClock.Instant?
        var last: ContinuousClock.Instant?
        var fresh: ContinuousClock.Instant?
        var states: [String: Int] = [:]
        while ContinuousClock.now < back + wait {
            let now = ContinuousClock.now
            states = try watch.outboxStates().mapValues { $0 }
            for (state, count) in states { states[state] = count - before[state, default: 0] }
            let applied = states["applied", default: 0]
            let settled = applied + states["rejected", default: 0] + states["parked", default: 0]
            if first == nil, applied > 0 { first = now }
            if last == nil, settled >= mutations.count { last = now }
            if fresh == nil {
                let pulls = try watch.lastPulls()
                if hot.lists.allSatisfy({ pulls[$0, default: 0] > pullsBefore[$0, default: 0] }) { fresh = now }
            }
            if last != nil, fresh != nil { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        let noted = relay.counts(reset: true).requests
        states = states.filter { $0.value != 0 }
        let seconds = { (instant: ContinuousClock.Instant?) in instant.map { ($0 - back).seconds } }
        log(
            "      reconnect after \(String(format: "%.0f", outage.seconds)) s down, \(mutations.count) \(mutations.first?.0 ?? "") queued: first applied \(show(seconds(first))), last \(show(seconds(last))), hot fresh \(show(seconds(fresh))) (\(states))"
        )

        // The floor: the writes as the relay noted them after T, as many at once as the outbox
        // sends, then the hot tier's reads, as many at once as the puller asks for.
        let writes = noted.filter(isWrite)
        let reads = hot.requests.filter { $0.line.hasPrefix("GET ") }
        let sent = try await SyncBench.floorFetch(base: world.base, phone: phone, role: role, requests: writes, concurrency: OutboxPolicy().concurrency)
        let read = try await SyncBench.floorFetch(base: world.base, phone: phone, role: role, requests: reads, concurrency: Puller.defaultPagesAhead + 1)
        let floorFresh = sent.seconds + read.seconds
        log(
            "      floor: \(writes.count) writes in \(show(sent.seconds)) (first \(show(sent.firstSeconds))), then \(reads.count) hot reads: \(show(floorFresh))"
        )
        return LinkReconnect(
            method: mutations.first?.0 ?? "", queued: mutations.count, states: states, firstAppliedSeconds: seconds(first),
            lastAppliedSeconds: seconds(last), hotFreshSeconds: seconds(fresh), hotLists: hot.lists.count, requestsAfterReturn: noted.count,
            floorWrites: writes.count, floorReads: reads.count, floorFirstAppliedSeconds: sent.firstSeconds, floorLastAppliedSeconds: sent.seconds,
            floorHotFreshSeconds: floorFresh, hotFreshRatio: seconds(fresh).map { $0 / max(floorFresh, 1e-6) })
    }

    /// Whether a noted request is a mutation, by the catalogue (some writes travel as GET).
    static func isWrite(_ request: Relay.Request) -> Bool {
        let parts = request.line.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, let method = VolunteerAPI.HTTPMethod(rawValue: String(parts[0])) else { return false }
        let path = String(parts[1].split(separator: "?", maxSplits: 1).first ?? "")
        return Endpoint.route(method, path)?.0.kind == .write
    }

    static func show(_ seconds: Double?) -> String {
        seconds.map { String(format: "%.2f s", $0) } ?? "not reached"
    }

    /// `count` mutations the role may make, to counterparts found in its mirror: a doctor's and
    /// a patient's `chat.send` to the people of their dialogs (or bookings); an assistant's
    /// `doctor.follow` of doctors it does not follow (then `doctor.unfollow` of those it does).
    static func mutations(role: UserRole, control: LineSocket, count: Int) throws -> [(String, [String: Any])] {
        func items(_ method: String, _ params: [String: Any] = [:]) throws -> [[String: Any]] {
            (try control.call(method, params) as? [String: Any])?["items"] as? [[String: Any]] ?? []
        }
        func field(_ item: [String: Any], _ name: String) -> Int? {
            let record = item["record"] as? [String: Any]
            return record?[name] as? Int ?? (record?[name] as? String).flatMap { Int($0) }
        }
        switch role {
        case .doctor, .patient:
            let (dialogField, bookingField) = role == .doctor ? ("patient_user_id", "user_id") : ("doctor_user_id", "doctor_user_id")
            var people = try items("dialogs.list", ["limit": 100]).compactMap { field($0, dialogField) }
            if people.isEmpty { people = try items("diagnoses.list", ["limit": 100]).compactMap { field($0, bookingField) } }
            var seen = Set<Int>()
            people = Array(people.filter { seen.insert($0).inserted }.prefix(8))
            guard !people.isEmpty else { throw BenchError("the \(role)'s mirror names no one to write to") }
            return (0..<count).map { index in ("chat.send", ["to_user_id": people[index % people.count], "content": "link bench \(index)"] as [String: Any]) }
        case .assistant:
            let followed = try items("follows.list", ["limit": 500]).compactMap { $0["id"] as? Int }
            let doctors = try items("doctors.list", ["limit": 500]).compactMap { $0["id"] as? Int }
            let follow = doctors.filter { !followed.contains($0) }.map { ("doctor.follow", ["doctor_id": $0] as [String: Any]) }
            let unfollow = followed.map { ("doctor.unfollow", ["doctor_id": $0] as [String: Any]) }
            let chosen = Array((follow + unfollow).prefix(count))
            guard !chosen.isEmpty else { throw BenchError("the assistant's mirror names no doctor") }
            return chosen
        }
    }

    static func traffic(_ counts: Relay.Counts, seconds: Double) -> LinkTraffic {
        LinkTraffic(requests: counts.requests.count, bytesToServer: counts.toServer, bytesToClient: counts.toClient, seconds: seconds)
    }

    /// Polls (every 20 ms) until every list of `keys` was pulled whole after `before`; the instant
    /// it was seen.
    static func waitForLists(_ keys: Set<String>, after before: [String: Double], watch: DaemonWatch, daemon: Daemon, timeout: Duration) async throws
        -> ContinuousClock.Instant
    {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let pulls = try watch.lastPulls()
            if keys.allSatisfy({ key in pulls[key].map { $0 > before[key, default: 0] } ?? false }) { return .now }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw BenchError("\(daemon.name): \(keys.count) lists not pulled within \(timeout):\n\(daemon.child.log().suffix(2000))")
    }

    /// Waits until nothing passed the relay for 0.3 s (follow-ups, a last answer), at most 10 s.
    static func settle(_ relay: Relay) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        var seen = -1
        var since = ContinuousClock.now
        while ContinuousClock.now < deadline {
            let counts = relay.counts()
            let total = counts.toServer + counts.toClient
            if total != seen {
                seen = total
                since = .now
            } else if ContinuousClock.now - since >= .milliseconds(300) {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
