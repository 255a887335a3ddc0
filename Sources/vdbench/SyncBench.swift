import AsyncHTTPClient
import Foundation
import Logging
import MirrorStore
import NIOCore
import NIOHTTP1
import SyncEngine
import UpstreamClient
import VolunteerAPI

/// Part 1: the initial full sync of one world, as the patient (whose plan mirrors every open
/// project: the largest pull of a scale world), beside the baseline and the floor.
struct InitialSync: Codable, Sendable {
    var projects: Int
    var role = "patient"
    /// Records the sync mirrored (rows of the mirror's collections afterwards).
    var records: Int
    var requests: Int
    var oursSeconds: Double
    var oursRecordsPerSecond: Double
    /// CPU time of the bench process while the sync ran (the engine's own work: HTTP client,
    /// decoding, hashing, SQLite), beside the baseline's and the floor's.
    var oursCPUSeconds: Double
    var journalEntries: Int
    var failures: [String]
    var databaseBytes: Int
    var floorSeconds: Double
    var floorRequests: Int
    var floorConcurrency = 1
    var floorBytes: Int
    var floorCPUSeconds: Double
    var baselineSeconds: Double
    var baselineRecords: Int
    var baselineRequests: Int
    var baselineCPUSeconds: Double
    /// baseline time / ours (target: at least 3).
    var speedupOverBaseline: Double
    /// ours / floor time (target: at most 1.5).
    var ratioToFloor: Double
}

/// Part 2: one pull of every tier with nothing changed upstream.
struct IdleCycle: Codable, Sendable {
    var role: String
    var requests: Int
    var bytesReceived: Int
    var bytesSent: Int
    var wallSeconds: Double
    /// Rows written per table (inserted + updated + deleted) by the cycle, of any kind.
    var rowsWritten: [String: RowChanges]
    var mirroredRowsWritten: Int
    var journalEntries: Int
    /// Per tier: requests and bytes received of one idle pull of that tier alone.
    var tiers: [String: TierCost]
    /// Requests per second one kiosk puts on the upstream when idle, with the default intervals.
    var requestsPerSecondPerKiosk: Double
    var bytesPerSecondPerKiosk: Double
    var intervals: [String: Int]
}

struct TierCost: Codable, Sendable {
    var requests: Int
    var bytesReceived: Int
}

enum SyncBench {
    static func quietLogger(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = .error
        return logger
    }

    static func url(_ base: String) throws -> URL {
        guard let url = URL(string: base) else { throw BenchError("bad URL \(base)") }
        return url
    }

    /// A client logged in as `phone` (the login is not timed).
    static func loggedInClient(base: String, phone: String, role: UserRole) async throws -> (UpstreamClient, Int) {
        let client = UpstreamClient(configuration: UpstreamConfiguration(baseURL: try url(base)), logger: quietLogger("bench.upstream"))
        guard case .applied(let profile) = await client.login(phone: phone, password: World.password, role: role) else {
            try? await client.shutdown()
            throw BenchError("login of \(phone) as \(role) failed")
        }
        return (client, profile.id)
    }

    /// One full pull of the role's plan into a new database at `path`: seconds and the report.
    static func pull(base: String, phone: String, role: UserRole, into path: String, tiers: Set<PullTier> = Set(PullTier.allCases)) async throws
        -> (seconds: Double, cpu: Double, report: PullReport)
    {
        let (client, userID) = try await loggedInClient(base: base, phone: phone, role: role)
        let store = try MirrorStore(path: path)
        let puller = Puller(client: client, store: store, role: role, userID: userID, logger: quietLogger("bench.puller"))
        let cpu = cpuSeconds()
        let started = ContinuousClock.now
        let report = await puller.pullAll(tiers: tiers)
        let seconds = (ContinuousClock.now - started).seconds
        let used = cpuSeconds() - cpu
        try store.close()
        try await client.shutdown()
        return (seconds, used, report)
    }

    /// Part 1 for one world.
    static func initialSync(world: World, work: String, baselineScript: String, python: String, log: (String) -> Void) async throws -> InitialSync {
        let phone = World.phone(prefix: "139", 0)
        let (host, port) = try world.address()

        // Warm-up through the relay: vdapi's caches are warm for every timed pass after it, and
        // the relay records the pages a sync asks for, which the floor replays.
        let relay = try await Relay.start(targetHost: host, targetPort: port)
        let warm = "\(work)/sync-\(world.projects)-warmup.sqlite"
        let (warmClient, warmUser) = try await loggedInClient(base: "http://127.0.0.1:\(relay.port)", phone: phone, role: .patient)
        _ = relay.counts(reset: true)
        let warmStore = try MirrorStore(path: warm)
        let warmReport = await Puller(client: warmClient, store: warmStore, role: .patient, userID: warmUser, logger: quietLogger("bench.puller")).pullAll()
        try warmStore.close()
        try await warmClient.shutdown()
        let captured = relay.counts(reset: true)
        await relay.close()
        log("    warm-up: \(warmReport.requests) requests, \(captured.toClient) bytes received")

        // The floor: the same requests with the puller's concurrency (a page and the pages it asks
        // for ahead), bodies discarded. The floor keeps that many in flight across lists too,
        // where the puller does so only within one: the floor is the faster for it.
        let concurrency = Puller.defaultPagesAhead + 1
        let floor = try await floorFetch(base: world.base, phone: phone, requests: captured.requests, concurrency: concurrency)
        log("    floor: \(floor.requests) requests in \(String(format: "%.2f", floor.seconds)) s")

        // Ours, timed, into a fresh database.
        let path = "\(work)/sync-\(world.projects)-ours.sqlite"
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let ours = try await pull(base: world.base, phone: phone, role: .patient, into: path)
        let records = try Snapshot.take(path).mirroredRecords()
        log("    ours: \(records) records, \(ours.report.requests) requests in \(String(format: "%.2f", ours.seconds)) s")

        // The baseline.
        let baseline = try runBaseline(
            python: python, script: baselineScript, base: world.base, phone: phone, database: "\(work)/sync-\(world.projects)-baseline.sqlite", work: work)
        log("    baseline: \(baseline.records) records, \(baseline.requests) requests in \(String(format: "%.2f", baseline.seconds)) s")

        return InitialSync(
            projects: world.projects, records: records, requests: ours.report.requests, oursSeconds: ours.seconds,
            oursRecordsPerSecond: Double(records) / ours.seconds, oursCPUSeconds: ours.cpu, journalEntries: ours.report.entries.count,
            failures: ours.report.failures, databaseBytes: databaseBytes(path),
            floorSeconds: floor.seconds, floorRequests: floor.requests, floorConcurrency: concurrency, floorBytes: floor.bytes, floorCPUSeconds: floor.cpu,
            baselineSeconds: baseline.seconds, baselineRecords: baseline.records, baselineRequests: baseline.requests, baselineCPUSeconds: baseline.cpuSeconds,
            speedupOverBaseline: baseline.seconds / ours.seconds, ratioToFloor: ours.seconds / floor.seconds)
    }

    /// The floor: `requests` (as the relay noted them: "GET /target", a body if any) sent as
    /// `phone` logged in as `role`, `concurrency` at a time, the answers read and dropped.
    /// `firstSeconds`: when the first answer had been read.
    static func floorFetch(base: String, phone: String, role: UserRole = .patient, requests: [Relay.Request], concurrency: Int = 1) async throws -> (
        seconds: Double, cpu: Double, requests: Int, bytes: Int, firstSeconds: Double
    ) {
        let (token, _) = try await BenchHTTP.login(base, phone: phone, password: World.password, type: role.rawValue)
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.connectionPool.retryConnectionEstablishment = false
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        let targets = requests.compactMap { request -> (NIOHTTP1.HTTPMethod, String, Relay.Request)? in
            let parts = request.line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2 else { return nil }
            return (NIOHTTP1.HTTPMethod(rawValue: String(parts[0])), String(parts[1]), request)
        }
        let cpu = cpuSeconds()
        let started = ContinuousClock.now
        var first: ContinuousClock.Instant?
        let bytes = try await withThrowingTaskGroup(of: Int.self) { group in
            var next = 0
            var total = 0
            func add() {
                guard next < targets.count else { return }
                let (method, target, recorded) = targets[next]
                next += 1
                group.addTask {
                    var request = HTTPClientRequest(url: base + target)
                    request.method = method
                    request.headers.add(name: "X-auth-token", value: token)
                    if !recorded.body.isEmpty {
                        request.headers.add(name: "Content-Type", value: recorded.contentType ?? "application/json")
                        request.body = .bytes(ByteBuffer(bytes: recorded.body))
                    }
                    let response = try await http.execute(request, timeout: .seconds(60))
                    var count = 0
                    for try await chunk in response.body { count += chunk.readableBytes }
                    return count
                }
            }
            for _ in 0..<concurrency { add() }
            while let count = try await group.next() {
                if first == nil { first = .now }
                total += count
                add()
            }
            return total
        }
        let end = ContinuousClock.now
        let used = cpuSeconds() - cpu
        try await http.shutdown()
        return ((end - started).seconds, used, targets.count, bytes, ((first ?? end) - started).seconds)
    }

    struct BaselineResult: Decodable {
        var seconds: Double
        var cpuSeconds: Double
        var records: Int
        var requests: Int
    }

    static func runBaseline(python: String, script: String, base: String, phone: String, database: String, work: String) throws -> BaselineResult {
        for suffix in ["", "-journal", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: database + suffix) }
        let output = "\(work)/baseline-\(UUID().uuidString).json"
        let child = try Child(
            name: "baseline", executable: python,
            arguments: [script, "--base", base, "--phone", phone, "--password", World.password, "--database", database, "--output", output],
            workDirectory: work)
        while child.isRunning { Thread.sleep(forTimeInterval: 0.05) }
        guard child.stop() == 0, let data = FileManager.default.contents(atPath: output) else {
            throw BenchError("the baseline failed:\n\(child.log().suffix(2000))")
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(BaselineResult.self, from: data)
    }

    /// Part 2, on the database part 1 left: one pull of every tier with nothing changed, timed;
    /// then each tier alone through the relay, for its requests and bytes.
    static func idleCycle(world: World, work: String, intervals: [PullTier: Int], log: (String) -> Void) async throws -> IdleCycle {
        let phone = World.phone(prefix: "139", 0)
        let path = "\(work)/sync-\(world.projects)-ours.sqlite"
        let (host, port) = try world.address()

        let before = try Snapshot.take(path)
        let direct = try await pull(base: world.base, phone: phone, role: .patient, into: path)
        let after = try Snapshot.take(path)
        let changes = after.changes(since: before)
        let mirrored = Set(MirrorCollection.allCases.map(\.table))
        log("    idle cycle: \(direct.report.requests) requests in \(String(format: "%.3f", direct.seconds)) s, rows written \(changes.mapValues(\.total))")

        let relay = try await Relay.start(targetHost: host, targetPort: port)
        var tiers: [String: TierCost] = [:]
        var total = Relay.Counts()
        for tier in PullTier.allCases {
            let (client, userID) = try await loggedInClient(base: "http://127.0.0.1:\(relay.port)", phone: phone, role: .patient)
            _ = relay.counts(reset: true)
            let store = try MirrorStore(path: path)
            let report = await Puller(client: client, store: store, role: .patient, userID: userID, logger: quietLogger("bench.puller")).pullAll(tiers: [tier])
            let counts = relay.counts(reset: true)
            try store.close()
            try await client.shutdown()
            tiers[tier.rawValue] = TierCost(requests: report.requests, bytesReceived: counts.toClient)
            total.toClient += counts.toClient
            total.toServer += counts.toServer
        }
        await relay.close()
        var perSecond = 0.0
        var bytesPerSecond = 0.0
        for tier in PullTier.allCases {
            guard let cost = tiers[tier.rawValue], let interval = intervals[tier] else { continue }
            perSecond += Double(cost.requests) / Double(interval)
            bytesPerSecond += Double(cost.bytesReceived) / Double(interval)
        }
        return IdleCycle(
            role: "patient", requests: direct.report.requests, bytesReceived: total.toClient, bytesSent: total.toServer, wallSeconds: direct.seconds,
            rowsWritten: changes, mirroredRowsWritten: changes.filter { mirrored.contains($0.key) }.values.reduce(0) { $0 + $1.total },
            journalEntries: direct.report.entries.count, tiers: tiers, requestsPerSecondPerKiosk: perSecond, bytesPerSecondPerKiosk: bytesPerSecond,
            intervals: Dictionary(uniqueKeysWithValues: intervals.map { ($0.key.rawValue, $0.value) }))
    }
}
