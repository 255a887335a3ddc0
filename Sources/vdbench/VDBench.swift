import ArgumentParser
import Foundation
import NIOCore
import NIOPosix
import SyncEngine
import VolunteerAPI

/// `vdbench`: the benchmark harness of bench/ (issue #8). `bench/run` builds it in release mode
/// with vdapi and vdsyncd and runs it; see bench/README.md and docs/performance.md.
@main
struct VDBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vdbench",
        abstract: "Measures vdsync beside a baseline and the floor (run it through bench/run).",
        subcommands: [Run.self, FloorSocket.self],
        defaultSubcommand: Run.self)
}

/// The floor server of the read benchmark, as its own process (as vdsyncd is).
struct FloorSocket: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "floor-socket", abstract: "Answers recorded reply lines over a Unix socket.", shouldDisplay: false)

    @Option var socket: String
    @Option var table: String

    func run() async throws {
        guard let data = FileManager.default.contents(atPath: table),
            let object = try JSONSerialization.jsonObject(with: data) as? [String: String]
        else { throw BenchError("cannot read \(table)") }
        try await FloorSocketServer.serve(socketPath: socket, table: object)
    }
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Runs every measurement, prints the table, writes the JSON.")

    @Flag(help: "Small sizes, a few seconds per part (CI).")
    var quick = false

    @Option(help: "The vdapi binary (release).") var vdapi: String
    @Option(help: "The vdsyncd binary (release).") var vdsyncd: String
    @Option(help: "The baseline script.") var baseline = "bench/baseline/mirror.py"
    @Option(help: "The Python interpreter for the baseline.") var python = "python3"
    @Option(help: "Scratch directory (databases, sockets, logs).") var work = ".build/bench"
    @Option(help: "Where seeded worlds are kept between runs.") var cache = "bench/.cache"
    @Option(help: "The JSON results file.") var output: String?
    @Option(help: "The Markdown table file.") var markdown: String?
    @Option(help: "Projects of the large world (the small one has a tenth).") var scale: Int?
    @Option(help: "Mutations queued and drained (default 1000; the drain runs at a few entries a second, see docs/performance.md).") var entries: Int?
    @Option(help: "Seconds each read measurement lasts.") var readSeconds: Double?
    @Option(help: "The command line to print as the one that made the results.") var command = "bench/run"
    @Option(help: "The Swift version line to record.") var swiftVersion = ""
    @Option(help: "Seconds the link is down in the link part (default 120; quick 8).") var outage: Double?
    @Option(help: "Mutations queued during the link part's outage.") var queued = 10
    @Option(
        help: "Only these parts, comma-separated: sync, idle, resources, outbox, reads, link (for working on one; writes bench/results/partial.{json,md}).")
    var only: String?

    func run() async throws {
        let started = ContinuousClock.now
        let large = scale ?? (quick ? 300 : 5_000)
        let small = max(10, large / 10)
        let mutations = entries ?? (quick ? 100 : 1_000)
        let readDuration = Duration.seconds(readSeconds ?? (quick ? 0.4 : 2))
        let readWarmup = Duration.seconds(quick ? 0.1 : 0.5)
        let allParts: Set<String> = ["sync", "idle", "resources", "outbox", "reads", "link"]
        let parts = only.map { Set($0.split(separator: ",").map(String.init)) } ?? allParts
        guard parts.isSubset(of: allParts) else { throw BenchError("unknown parts: \(parts.subtracting(allParts).sorted())") }
        let name = only != nil ? "partial" : quick ? "quick" : "latest"
        let output = self.output ?? "bench/results/\(name).json"
        let markdown = self.markdown ?? "bench/results/\(name).md"
        let work = URL(fileURLWithPath: self.work).standardizedFileURL.path
        try? FileManager.default.removeItem(atPath: work)
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let cache = URL(fileURLWithPath: self.cache).standardizedFileURL.path
        let log: (String) -> Void = { line in FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

        var results = Results(mode: quick ? "quick" : "full", command: command, machine: Machine.current(swiftVersion: swiftVersion))
        log("vdbench \(results.mode): worlds scale:\(large) and scale:\(small), \(mutations) mutations, reads \(readDuration.seconds) s each")

        // 1. Initial full sync, small world then large (which parts 2 to 5 use).
        var worlds: [World] = []
        defer { for world in worlds { world.stop() } }
        let needsLarge = !parts.subtracting(["link"]).isEmpty
        for projects in parts.contains("sync") ? [small, large] : needsLarge ? [large] : [] {
            log("== \(parts.contains("sync") ? "initial sync" : "world"), scale:\(projects)")
            let (world, seeded) = try World.start(projects: projects, seedNumber: 7, vdapi: vdapi, cache: cache, work: work, name: "vdapi-\(projects)")
            worlds.append(world)
            if let seeded { log("    seeded scale:\(projects) in \(String(format: "%.1f", seeded)) s (kept in \(cache))") }
            guard parts.contains("sync") else { continue }
            results.initialSync.append(try await SyncBench.initialSync(world: world, work: work, baselineScript: baseline, python: python, log: log))
            if projects == small, small != large {
                world.stop()
                worlds.removeAll { $0 === world }
            }
        }
        // 2. Idle cycle on the large world's mirror.
        if parts.contains("idle"), let world = worlds.last {
            log("== idle cycle, scale:\(large)")
            // The daemon's defaults, so the per-day figures are what a kiosk left alone costs.
            let intervals = SyncSchedule.Configuration().intervals.mapValues { Int($0.components.seconds) }
            results.idle = try await SyncBench.idleCycle(world: world, work: work, intervals: intervals, log: log)
        }

        // 5. Resources: vdsyncd mirroring the large world as the patient, then restarted over it.
        if parts.contains("resources"), let world = worlds.last {
            log("== resources, scale:\(large)")
            results.resources = try await resources(world: world, work: work, duration: readDuration, warmup: readWarmup, log: log)
        }

        // 3. Outbox and 4. reads: a doctor's kiosk (today's patients, chat).
        if let world = worlds.last, parts.contains("outbox") || parts.contains("reads") {
            try await doctorsKiosk(
                world: world, parts: parts, mutations: mutations, work: work, readDuration: readDuration, readWarmup: readWarmup, results: &results, log: log)
        }

        // 8. The link per role (issue #21): scale:5000 (or --scale), scale:100 with --quick.
        if parts.contains("link") {
            let projects = scale ?? (quick ? 100 : 5_000)
            let world: World
            if let running = worlds.first(where: { $0.projects == projects }) {
                world = running
            } else {
                log("== world, scale:\(projects)")
                let (started, seeded) = try World.start(
                    projects: projects, seedNumber: 7, vdapi: vdapi, cache: cache, work: work, name: "vdapi-link-\(projects)")
                worlds.append(started)
                if let seeded { log("    seeded scale:\(projects) in \(String(format: "%.1f", seeded)) s (kept in \(cache))") }
                world = started
            }
            let outage = Duration.seconds(self.outage ?? (quick ? 8 : 120))
            log("== link per role, scale:\(projects), outage \(String(format: "%.0f", outage.seconds)) s, \(queued) queued")
            results.link = try await LinkBench.run(world: world, vdsyncd: vdsyncd, work: work, quick: quick, outage: outage, queued: queued, log: log)
        }
        try finish(results, started, output, markdown)
    }

    /// Parts 3 and 4 on one doctor's vdsyncd.
    func doctorsKiosk(
        world: World, parts: Set<String>, mutations: Int, work: String, readDuration: Duration, readWarmup: Duration, results: inout Results,
        log: (String) -> Void
    ) async throws {
        log("== \(parts.contains("outbox") ? "outbox" : "doctor's kiosk"), scale:\(world.projects)")
        let doctor = try await world.busiestDoctorToday(patients: 8)
        let daemon = try Daemon.start(name: "vdsyncd-doctor", vdsyncd: vdsyncd, upstream: world.base, work: work, login: nil)
        defer { daemon.stop() }
        let control = try daemon.connect()
        let loginAt = ContinuousClock.now
        try control.call("session.login", ["phone": doctor.phone, "password": World.password, "role": "doctor"])
        let pulled = try daemon.waitForPull(role: .doctor, userID: doctor.userID, since: loginAt, timeout: .seconds(300))
        log(
            "    doctor \(doctor.userID) pulled in \(String(format: "%.2f", pulled)) s; today's project \(doctor.projectID) (\(doctor.projectDate)); \(doctor.patientIDs.count) recipients"
        )
        guard !doctor.patientIDs.isEmpty else { throw BenchError("the doctor has no patients") }
        if parts.contains("outbox") {
            results.outbox = try await OutboxBench.run(
                world: world, daemon: daemon, doctor: (doctor.phone, doctor.userID), recipients: doctor.patientIDs, entries: mutations, log: log)
        }

        if parts.contains("reads") {
            log("== reads through the socket")
            // The same daemon again, over the same state, with the reply cache off.
            let uncached = { [vdsyncd] () throws -> Daemon in
                daemon.stop()
                return try Daemon.start(
                    name: "vdsyncd-doctor", vdsyncd: vdsyncd, upstream: world.base, work: work, login: nil, keepState: true,
                    settings: ["VDSYNC_READ_CACHE": "off"])
            }
            results.reads = try await reads(
                daemon: daemon, uncached: uncached, doctor: (doctor.userID, doctor.projectID), work: work, duration: readDuration, warmup: readWarmup,
                log: log)
        }
    }

    /// Prints the table and writes the JSON and Markdown files.
    func finish(_ results: Results, _ started: ContinuousClock.Instant, _ output: String, _ markdown: String) throws {
        var results = results
        results.totalSeconds = (ContinuousClock.now - started).seconds
        results.evaluateTargets()
        let table = results.markdownTable()
        print("")
        print(table)
        try FileManager.default.createDirectory(atPath: (output as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        try encoder.encode(results).write(to: URL(fileURLWithPath: output))
        try Data(table.utf8).write(to: URL(fileURLWithPath: markdown))
        print("\nwrote \(output) and \(markdown) in \(String(format: "%.0f", results.totalSeconds)) s")
    }

    // MARK: - Part 5

    func resources(world: World, work: String, duration: Duration, warmup: Duration, log: (String) -> Void) async throws -> Resources {
        let phone = World.phone(prefix: "139", 0)
        let (token, userID) = try await BenchHTTP.login(world.base, phone: phone, password: World.password, type: UserRole.patient.rawValue)
        _ = token
        let first = try Daemon.start(name: "vdsyncd-patient", vdsyncd: vdsyncd, upstream: world.base, work: work, login: ("patient", phone))
        let synced = try first.waitForPull(role: .patient, userID: userID, since: first.child.startedAt, timeout: .seconds(900))
        let afterSync = first.memory()
        let records = try Snapshot.take(first.databasePath).mirroredRecords()
        log(
            "    vdsyncd: READY in \(ms(first.readySeconds)), mirrored \(records) records in \(String(format: "%.2f", synced)) s, peak RSS \(mb(afterSync?.peak ?? 0))"
        )
        first.stop()
        let size = databaseBytes(first.databasePath)
        let second = try Daemon.start(name: "vdsyncd-patient", vdsyncd: vdsyncd, upstream: world.base, work: work, login: ("patient", phone), keepState: true)
        try await Task.sleep(for: .seconds(1))
        let restarted = second.memory()
        second.stop()
        log("    restart over the mirror: READY in \(ms(second.readySeconds)), RSS \(mb(restarted?.current ?? 0))")

        // The same mirror with synthetic diagnoses added, restarted over and read whole.
        let added = quick ? 5_000 : 100_000
        let mirrored = try await SyntheticDiagnoses.add(added, to: first.databasePath)
        let third = try Daemon.start(name: "vdsyncd-patient", vdsyncd: vdsyncd, upstream: world.base, work: work, login: ("patient", phone), keepState: true)
        defer { third.stop() }
        let control = try third.connect()
        let readStart = ContinuousClock.now
        var read = 0
        while true {
            let page = try control.call("diagnoses.list", ["limit": 500, "offset": read]) as? [String: Any]
            let items = page?["items"] as? [Any] ?? []
            read += items.count
            if items.count < 500 { break }
        }
        let readSeconds = (ContinuousClock.now - readStart).seconds
        let synthetic = SyntheticFigures(
            diagnosesAdded: added, diagnosesMirrored: mirrored, databaseBytes: databaseBytes(first.databasePath), readySeconds: third.readySeconds,
            diagnosesRead: read, readSeconds: readSeconds, peakRSSBytes: third.memory()?.peak ?? 0)
        log(
            "    with \(mirrored) diagnoses: READY in \(ms(third.readySeconds)), read \(read) in \(String(format: "%.2f", readSeconds)) s, peak RSS \(mb(synthetic.peakRSSBytes))"
        )
        // 6. Search over that mirror, through the socket and in-process.
        log("== search over \(mirrored) diagnoses")
        let search = try await SearchBench.run(
            socketPath: third.socketPath, databasePath: first.databasePath, mirrored: mirrored, duration: duration, warmup: warmup, log: log)
        return Resources(
            projects: world.projects, records: records, daemonSyncSeconds: synced, peakRSSBytes: afterSync?.peak ?? 0,
            rssAfterSyncBytes: afterSync?.current ?? 0,
            databaseBytes: size, readyEmptySeconds: first.readySeconds, readyMirroredSeconds: second.readySeconds,
            peakRSSRestartedBytes: restarted?.peak ?? 0, synthetic: synthetic, search: search)
    }

    // MARK: - Part 4

    func reads(
        daemon: Daemon, uncached: () throws -> Daemon, doctor: (userID: Int, projectID: Int), work: String, duration: Duration, warmup: Duration,
        log: (String) -> Void
    ) async throws -> [ReadFigures] {
        let control = try daemon.connect()
        // The messages the drain sent are mirrored by the next pull (their dialogs moved).
        let before = try daemon.lastPullsBeforeANewSecond()
        let asked = ContinuousClock.now
        try control.call("sync.now")
        _ = try daemon.waitForPull(role: .doctor, userID: doctor.userID, keysAfter: before, since: asked, timeout: .seconds(300))
        let dialogs = (try control.call("dialogs.list", ["limit": 100]) as? [String: Any])?["items"] as? [[String: Any]] ?? []
        var dialogID = 0
        var most = -1
        for item in dialogs {
            guard let id = item["id"] as? Int else { continue }
            let total = (try control.call("dialogs.messages", ["dialog_id": id, "limit": 1]) as? [String: Any])?["total"] as? Int ?? 0
            if total > most {
                most = total
                dialogID = id
            }
        }
        log("    dialog \(dialogID) holds \(most) messages; project \(doctor.projectID)")
        let queries: [(String, [String: Any])] = [
            ("projects.patients", ["project_id": doctor.projectID]),
            ("dialogs.messages", ["dialog_id": dialogID, "limit": 50]),
            ("projects.list", [:]),
        ]
        var table: [String: String] = [:]
        var lines: [(String, String, [UInt8], Int, Int)] = []
        for (method, params) in queries {
            let line = LineSocket.request(method, params, id: 1)
            let reply = try control.exchange(line)
            let items = ((try JSONSerialization.jsonObject(with: Data(reply)) as? [String: Any])?["result"] as? [String: Any])?["items"] as? [Any]
            table[String(decoding: line, as: UTF8.self)] = String(decoding: reply, as: UTF8.self)
            let paramsText = String(decoding: (try? JSONSerialization.data(withJSONObject: params, options: [.sortedKeys])) ?? Data(), as: UTF8.self)
            lines.append((method, paramsText, line, reply.count + 1, items?.count ?? 0))
        }
        let tablePath = "\(work)/floor-replies.json"
        try JSONSerialization.data(withJSONObject: table).write(to: URL(fileURLWithPath: tablePath))
        let floorSocket = "\(work)/floor.sock"
        let floor = try Child(
            name: "floor-socket", executable: CommandLine.arguments[0], arguments: ["floor-socket", "--socket", floorSocket, "--table", tablePath],
            workDirectory: work)
        defer { floor.stop() }
        _ = try floor.waitForLine(matching: "floor listening", timeout: .seconds(30))

        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var figures: [ReadFigures] = []
        for (method, params, line, bytes, items) in lines {
            var levels: [ReadLevel] = []
            for clients in [1, 16, 64] {
                let ours = try await ReadLoad.run(path: daemon.socketPath, line: line, clients: clients, warmup: warmup, duration: duration, group: group)
                let bare = try await ReadLoad.run(path: floorSocket, line: line, clients: clients, warmup: warmup, duration: duration, group: group)
                levels.append(ReadLevel(clients: clients, ours: ours, floor: bare, throughputRatio: ours.perSecond / max(bare.perSecond, 1e-9)))
                log(
                    "    \(method) ×\(clients): ours \(Int(ours.perSecond))/s p50 \(ms(ours.latency.p50Milliseconds / 1000)) p99 \(ms(ours.latency.p99Milliseconds / 1000)); floor \(Int(bare.perSecond))/s p99 \(ms(bare.latency.p99Milliseconds / 1000))"
                )
            }
            figures.append(ReadFigures(query: method, params: params, replyBytes: bytes, items: items, levels: levels))
        }
        let plain = try uncached()
        defer { plain.stop() }
        for (index, (method, _, line, _, _)) in lines.enumerated() {
            for (level, clients) in [1, 16, 64].enumerated() {
                let run = try await ReadLoad.run(path: plain.socketPath, line: line, clients: clients, warmup: warmup, duration: duration, group: group)
                figures[index].levels[level].uncached = run
                log(
                    "    \(method) ×\(clients), reply cache off: \(Int(run.perSecond))/s p50 \(ms(run.latency.p50Milliseconds / 1000)) p99 \(ms(run.latency.p99Milliseconds / 1000))"
                )
            }
        }
        try await group.shutdownGracefully()
        return figures
    }
}

func ms(_ seconds: Double) -> String { String(format: "%.2f ms", seconds * 1000) }
func mb(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1_048_576) }
