import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Part 5.
struct Resources: Codable, Sendable {
    var role = "patient"
    var projects: Int
    var records: Int
    /// The daemon's own initial sync (READY to the last list pulled, read from `status`).
    var daemonSyncSeconds: Double
    var peakRSSBytes: Int
    var rssAfterSyncBytes: Int
    var databaseBytes: Int
    var readyEmptySeconds: Double
    var readyMirroredSeconds: Double
    var peakRSSRestartedBytes: Int
    /// The same mirror with synthetic diagnoses added (``SyntheticDiagnoses``), restarted over
    /// and read whole through the socket.
    var synthetic: SyntheticFigures?
    /// Part 6: search over that mirror (``SearchBench``).
    var search: SearchFigures?
}

struct SyntheticFigures: Codable, Sendable {
    var diagnosesAdded: Int
    var diagnosesMirrored: Int
    var databaseBytes: Int
    var readySeconds: Double
    var diagnosesRead: Int
    var readSeconds: Double
    var peakRSSBytes: Int
}

struct Machine: Codable, Sendable {
    var cpu: String
    var cores: Int
    var memoryBytes: Int
    var kernel: String
    var os: String
    var swift: String

    static func current(swiftVersion: String) -> Machine {
        func read(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
        let cpuinfo = read("/proc/cpuinfo").split(separator: "\n")
        let model =
            cpuinfo.first { $0.hasPrefix("model name") }.map { String($0.split(separator: ":", maxSplits: 1).last ?? "").trimmingCharacters(in: .whitespaces) }
            ?? "unknown"
        let memory =
            read("/proc/meminfo").split(separator: "\n").first { $0.hasPrefix("MemTotal:") }
            .flatMap { $0.split(separator: " ").dropFirst().first.flatMap { Int($0) } } ?? 0
        let os =
            read("/etc/os-release").split(separator: "\n").first { $0.hasPrefix("PRETTY_NAME=") }
            .map { String($0.dropFirst("PRETTY_NAME=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) } ?? "unknown"
        return Machine(
            cpu: model, cores: ProcessInfo.processInfo.activeProcessorCount, memoryBytes: memory * 1024,
            kernel: read("/proc/sys/kernel/osrelease").trimmingCharacters(in: .whitespacesAndNewlines), os: os, swift: swiftVersion)
    }
}

struct Target: Codable, Sendable {
    var name: String
    var target: String
    var measured: String
    var met: Bool
}

struct Results: Codable, Sendable {
    var mode: String
    var command: String
    var date = ISO8601DateFormatter().string(from: Date())
    var machine: Machine
    var initialSync: [InitialSync] = []
    var idle: IdleCycle?
    var outbox: OutboxFigures?
    var reads: [ReadFigures] = []
    var resources: Resources?
    var link: LinkFigures?
    var targets: [Target] = []
    var totalSeconds = 0.0

    mutating func evaluateTargets() {
        targets = []
        if let sync = initialSync.last {
            targets.append(
                Target(
                    name: "initial sync vs baseline", target: "≥ 3× faster", measured: String(format: "%.2f×", sync.speedupOverBaseline),
                    met: sync.speedupOverBaseline >= 3))
            targets.append(
                Target(
                    name: "initial sync vs floor", target: "≤ 1.5× the floor's time", measured: String(format: "%.2f×", sync.ratioToFloor),
                    met: sync.ratioToFloor <= 1.5))
        }
        if let idle {
            targets.append(
                Target(
                    name: "idle cycle writes no row", target: "0 rows",
                    measured: "\(idle.mirroredRowsWritten) mirrored rows, \(idle.rowsWritten.values.reduce(0) { $0 + $1.total }) rows in all",
                    met: idle.rowsWritten.isEmpty))
        }
        if let outbox {
            targets.append(
                Target(
                    name: "enqueue p99", target: "< 10 ms", measured: String(format: "%.2f ms", outbox.enqueue.p99Milliseconds),
                    met: outbox.enqueue.p99Milliseconds < 10))
            targets.append(
                Target(
                    name: "drain vs floor", target: "≤ 1.5× the floor's time", measured: String(format: "%.2f×", outbox.ratioToFloor),
                    met: outbox.ratioToFloor <= 1.5))
        }
        targets += readTargets()
        if let resources {
            if let synthetic = resources.synthetic {
                let peak = max(resources.peakRSSBytes, synthetic.peakRSSBytes)
                targets.append(
                    Target(
                        name: "peak RSS, large world mirrored", target: "< 100 MB (with 100,000 diagnoses)",
                        measured: "\(mb(peak)) with \(synthetic.diagnosesMirrored) diagnoses (\(synthetic.diagnosesAdded) synthetic) read whole",
                        met: peak < 100 << 20 && synthetic.diagnosesMirrored >= 100_000))
            } else {
                targets.append(
                    Target(
                        name: "peak RSS, large world mirrored", target: "< 100 MB (with 100,000 diagnoses)",
                        measured: "\(mb(resources.peakRSSBytes)) with \(resources.records) records", met: false))
            }
            if let search = resources.search {
                let indexed = search.queries.filter(\.indexed)
                let worst = indexed.map(\.ours.latency.p99Milliseconds).max() ?? .infinity
                targets.append(
                    Target(
                        name: "search p99 through the socket", target: "< 20 ms (100,000 diagnoses)",
                        measured: String(format: "%.2f ms over %d diagnoses (worst of %d indexed queries)", worst, search.diagnosesMirrored, indexed.count),
                        met: worst < 20 && search.diagnosesMirrored >= 100_000))
            }
            targets.append(
                Target(
                    name: "READY=1 after start", target: "< 1 s",
                    measured: "\(ms(resources.readyEmptySeconds)) empty, \(ms(resources.readyMirroredSeconds)) over the mirror",
                    met: max(resources.readyEmptySeconds, resources.readyMirroredSeconds) < 1))
        }
        for role in link?.roles ?? [] {
            targets += role.targets.map { target in
                var named = target
                named.name = "link, \(role.role): \(target.name)"
                return named
            }
        }
    }

    /// Part 4's targets: one client's p50, and p99 and throughput at 64 clients, per query.
    private func readTargets() -> [Target] {
        var targets: [Target] = []
        for read in reads {
            if let one = read.levels.first(where: { $0.clients == 1 }) {
                targets.append(
                    Target(
                        name: "\(read.query) p50 at 1 client", target: "< 0.2 ms", measured: String(format: "%.2f ms", one.ours.latency.p50Milliseconds),
                        met: one.ours.latency.p50Milliseconds < 0.2))
            }
            guard let level = read.levels.first(where: { $0.clients == 64 }) else { continue }
            targets.append(
                Target(
                    name: "\(read.query) p99 at 64 clients", target: "< 5 ms", measured: String(format: "%.2f ms", level.ours.latency.p99Milliseconds),
                    met: level.ours.latency.p99Milliseconds < 5))
            targets.append(
                Target(
                    name: "\(read.query) throughput at 64 clients", target: "≥ 0.5× the floor", measured: String(format: "%.2f×", level.throughputRatio),
                    met: level.throughputRatio >= 0.5))
        }
        return targets
    }

    func markdownTable() -> String {
        var out: [String] = []
        out.append(
            "Machine: \(machine.cpu), \(machine.cores) cores, \(mb(machine.memoryBytes)) RAM, Linux \(machine.kernel), \(machine.os), \(machine.swift). Mode: \(mode). Date: \(date). Total: \(f(totalSeconds, 0)) s."
        )
        out += initialSyncSection() + idleSection() + outboxSection() + readsSection() + resourcesSection() + searchSection() + linkSection()
        out.append("")
        out.append("**Targets** (reported, never asserted)")
        out.append("")
        out.append("| target | wanted | measured | met |")
        out.append("|---|---|---|---|")
        for target in targets {
            out.append("| \(target.name) | \(target.target) | \(target.measured) | \(target.met ? "yes" : "**no**") |")
        }
        return out.joined(separator: "\n")
    }

    private func f(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }

    /// Part 1: the initial full sync.
    private func initialSyncSection() -> [String] {
        guard !initialSync.isEmpty else { return [] }
        var out: [String] = []
        out.append("")
        out.append(
            "**1. Initial full sync** (role patient; ours = SyncEngine's Puller into MirrorStore; floor = the same page requests, as many at a time as the puller, bodies discarded; baseline = bench/baseline/mirror.py)"
        )
        out.append("")
        out.append(
            "| world | records | requests | ours s | ours records/s | floor s | baseline s | baseline records | ours / floor | baseline / ours | CPU s ours / floor / baseline |"
        )
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        for sync in initialSync {
            out.append(
                "| scale:\(sync.projects) | \(sync.records) | \(sync.requests) | \(f(sync.oursSeconds)) | \(f(sync.oursRecordsPerSecond, 0)) | \(f(sync.floorSeconds)) | \(f(sync.baselineSeconds)) | \(sync.baselineRecords) | \(f(sync.ratioToFloor))× | \(f(sync.speedupOverBaseline))× | \(f(sync.oursCPUSeconds)) / \(f(sync.floorCPUSeconds)) / \(f(sync.baselineCPUSeconds)) |"
            )
        }
        return out
    }

    /// Part 2: the idle cycle.
    private func idleSection() -> [String] {
        guard let idle else { return [] }
        let intervals = ["hot", "warm", "cold"].map { idle.intervals[$0].map(String.init) ?? "?" }.joined(separator: "/")
        var out: [String] = []
        out.append("")
        out.append("**2. Idle cycle** (every tier once, nothing changed upstream, role \(idle.role))")
        out.append("")
        out.append(
            "| requests | bytes received | bytes sent | rows written | journal entries | wall s | hot / warm / cold requests | requests/s per kiosk (\(intervals) s) |"
        )
        out.append("|---:|---:|---:|---:|---:|---:|---|---:|")
        let rows =
            idle.rowsWritten.isEmpty ? "0" : idle.rowsWritten.sorted { $0.key < $1.key }.map { "\($0.value.total) \($0.key)" }.joined(separator: ", ")
        let tiers = ["hot", "warm", "cold"].map { "\(idle.tiers[$0]?.requests ?? 0)" }.joined(separator: " / ")
        out.append(
            "| \(idle.requests) | \(idle.bytesReceived) | \(idle.bytesSent) | \(rows) | \(idle.journalEntries) | \(f(idle.wallSeconds, 3)) | \(tiers) | \(f(idle.requestsPerSecondPerKiosk, 4)) |"
        )
        return out
    }

    /// Part 3: the outbox.
    private func outboxSection() -> [String] {
        guard let outbox else { return [] }
        var out: [String] = []
        out.append("")
        out.append("**3. Outbox** (\(outbox.kind), \(outbox.entries) entries to \(outbox.recipients) recipients; \(outbox.policy))")
        out.append("")
        out.append("| enqueue p50 ms | enqueue p99 ms | drain s | drain entries/s | first applied after s | floor s | floor requests/s | drain / floor |")
        out.append("|---:|---:|---:|---:|---:|---:|---:|---:|")
        out.append(
            "| \(f(outbox.enqueue.p50Milliseconds)) | \(f(outbox.enqueue.p99Milliseconds)) | \(f(outbox.drainSeconds)) | \(f(outbox.drainPerSecond, 0)) | \(f(outbox.drainFirstAppliedSeconds)) | \(f(outbox.floorSeconds)) | \(f(outbox.floorPerSecond, 0)) | \(f(outbox.ratioToFloor))× |"
        )
        return out
    }

    /// Part 4: reads through the socket.
    private func readsSection() -> [String] {
        guard !reads.isEmpty else { return [] }
        var out: [String] = []
        out.append("")
        out.append("**4. Reads through the socket** (a doctor's kiosk; floor = the same reply bytes from memory over a Unix socket)")
        out.append("")
        out.append(
            "| query | reply bytes | clients | ours/s | ours p50 ms | ours p99 ms | floor/s | floor p50 ms | floor p99 ms | ours / floor throughput | cache off /s | cache off p50 ms | cache off p99 ms | cache off / floor |"
        )
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for read in reads {
            for level in read.levels {
                let plain =
                    level.uncached.map {
                        "\(f($0.perSecond, 0)) | \(f($0.latency.p50Milliseconds)) | \(f($0.latency.p99Milliseconds)) | \(f($0.perSecond / max(level.floor.perSecond, 1e-9)))×"
                    } ?? "– | – | – | –"
                out.append(
                    "| \(read.query) | \(read.replyBytes) | \(level.clients) | \(f(level.ours.perSecond, 0)) | \(f(level.ours.latency.p50Milliseconds)) | \(f(level.ours.latency.p99Milliseconds)) | \(f(level.floor.perSecond, 0)) | \(f(level.floor.latency.p50Milliseconds)) | \(f(level.floor.latency.p99Milliseconds)) | \(f(level.throughputRatio))× | \(plain) |"
                )
            }
        }
        return out
    }

    /// Part 5: resources.
    private func resourcesSection() -> [String] {
        guard let resources else { return [] }
        var out: [String] = []
        out.append("")
        out.append("**5. Resources** (vdsyncd as the patient, scale:\(resources.projects))")
        out.append("")
        out.append(
            "| records mirrored | daemon sync s | peak RSS | RSS after sync | database on disk | READY empty | READY over the mirror | peak RSS after restart |"
        )
        out.append("|---:|---:|---:|---:|---:|---:|---:|---:|")
        out.append(
            "| \(resources.records) | \(f(resources.daemonSyncSeconds)) | \(mb(resources.peakRSSBytes)) | \(mb(resources.rssAfterSyncBytes)) | \(mb(resources.databaseBytes)) | \(ms(resources.readyEmptySeconds)) | \(ms(resources.readyMirroredSeconds)) | \(mb(resources.peakRSSRestartedBytes)) |"
        )
        if let synthetic = resources.synthetic {
            out.append("")
            out.append(
                "With \(synthetic.diagnosesAdded) synthetic diagnoses added to that mirror (copies of a mirrored one under new ids), vdsyncd restarted over it and every diagnosis read through the socket (`diagnoses.list`, 500 a page):"
            )
            out.append("")
            out.append("| diagnoses mirrored | database on disk | READY | diagnoses read | read s | peak RSS |")
            out.append("|---:|---:|---:|---:|---:|---:|")
            out.append(
                "| \(synthetic.diagnosesMirrored) | \(mb(synthetic.databaseBytes)) | \(ms(synthetic.readySeconds)) | \(synthetic.diagnosesRead) | \(f(synthetic.readSeconds)) | \(mb(synthetic.peakRSSBytes)) |"
            )
        }
        return out
    }

    /// Part 8: the link per role, a table each, targets beside the figures.
    private func linkSection() -> [String] {
        guard let link else { return [] }
        var out: [String] = []
        out.append("")
        out.append(
            "**8. The link** (scale:\(link.projects), through a counting relay between vdsyncd and vdapi; ours = vdsyncd's defaults; baseline = today's agent: \(link.baselineSettings.sorted { $0.key < $1.key }.map { "`\($0.key)=\($0.value)`" }.joined(separator: ", ")), intervals not stretched while idle; floor = the same requests sent directly; bytes both ways, kB and MB of 1,000 and 1,000,000 bytes)"
        )
        if !link.baselineSettingsMissing.isEmpty {
            out.append("")
            out.append(
                "*Provisional*: this vdsyncd does not know \(link.baselineSettingsMissing.map { "`\($0)`" }.joined(separator: ", ")), so the baseline ran without \(link.baselineSettingsMissing.count == 1 ? "it" : "them") and its bytes are not yet today's agent's."
            )
        }
        for role in link.roles {
            let targets = Dictionary(role.targets.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
            func judged(_ name: String) -> [String] {
                guard let target = targets[name] else { return ["", ""] }
                return [target.target, target.met ? "met" : "**missed**"]
            }
            func row(_ cells: [String]) -> String { "| " + cells.joined(separator: " | ") + " |" }
            let reconnect = role.reconnect
            func waited(_ seconds: Double?) -> String { seconds.map { f($0) + " s" } ?? "> \(f(link.reconnectWaitSeconds, 0)) s" }
            out.append("")
            out.append("*\(role.role) \(role.phone)* (user \(role.userID))")
            out.append("")
            out.append("| | ours | baseline | floor | target | |")
            out.append("|---|---:|---:|---:|---|---|")
            out.append(row(["initial sync: requests", "\(role.initialSync.requests)", "\(role.baselineInitialSync.requests)", "", "", ""]))
            out.append(
                row([
                    "initial sync: bytes to server / to client", "\(kb(role.initialSync.bytesToServer)) / \(kb(role.initialSync.bytesToClient))",
                    "\(kb(role.baselineInitialSync.bytesToServer)) / \(kb(role.baselineInitialSync.bytesToClient))", "", "", "",
                ]))
            out.append(row(["initial sync: seconds", f(role.initialSync.seconds), f(role.baselineInitialSync.seconds), "", "", ""]))
            out.append(row(["initial sync: bytes, ours / baseline", f(role.initialSyncBytesRatio) + "×", "", ""] + judged("initial sync bytes")))
            for tier in ["hot", "warm", "cold"] {
                func pull(_ idle: LinkIdle) -> String {
                    guard let cost = idle.tiers[tier] else { return "" }
                    return "\(cost.pull.requests) req, \(kb(cost.pull.bytes)) × \(String(format: "%.1f", cost.pullsPerDay))"
                }
                out.append(row(["idle \(tier) pull: requests, bytes × pulls a day", pull(role.idle), pull(role.baselineIdle), "", "", ""]))
            }
            out.append(
                row(
                    [
                        "idle, a day: requests, bytes", "\(f(role.idle.requestsPerDay, 0)), \(kb(Int(role.idle.bytesPerDay)))",
                        "\(f(role.baselineIdle.requestsPerDay, 0)), \(kb(Int(role.baselineIdle.bytesPerDay)))", "",
                    ] + judged("idle bytes a day")))
            out.append(
                row([
                    "\(LinkBench.fleet.formatted()) kiosks: requests/s, MB/s upstream",
                    "\(f(role.idle.fleetRequestsPerSecond, 1)), \(f(role.idle.fleetBytesPerSecond / 1e6))",
                    "\(f(role.baselineIdle.fleetRequestsPerSecond, 1)), \(f(role.baselineIdle.fleetBytesPerSecond / 1e6))", "", "", "",
                ]))
            let outage = "after \(f(link.outageSeconds, 0)) s down, \(reconnect.queued) `\(reconnect.method)` queued"
            out.append(
                row(
                    ["reconnect \(outage): first applied", waited(reconnect.firstAppliedSeconds), "", f(reconnect.floorFirstAppliedSeconds) + " s"]
                        + judged("first applied after the link returns")))
            out.append(
                row(["reconnect: last applied", waited(reconnect.lastAppliedSeconds), "", f(reconnect.floorLastAppliedSeconds) + " s", "", ""]))
            out.append(
                row(
                    [
                        "reconnect: hot tier fresh (\(reconnect.hotLists) lists)",
                        waited(reconnect.hotFreshSeconds) + (reconnect.hotFreshRatio.map { " (\(f($0))× the floor)" } ?? ""), "",
                        f(reconnect.floorHotFreshSeconds) + " s (\(reconnect.floorWrites) writes, \(reconnect.floorReads) reads)",
                    ] + judged("hot tier fresh vs floor")))
        }
        return out
    }

    private func kb(_ bytes: Int) -> String {
        bytes >= 1_000_000 ? f(Double(bytes) / 1e6) + " MB" : f(Double(bytes) / 1e3, 1) + " kB"
    }

    /// Part 6: search over the mirror with the synthetic diagnoses.
    private func searchSection() -> [String] {
        guard let search = resources?.search else { return [] }
        var out: [String] = []
        out.append("")
        out.append(
            "**6. Search** over \(search.diagnosesMirrored) diagnoses (`search`, default page of 50, one client, one request after another; floor = the same `MirrorStore.search` in-process on the same file: the SQL through GRDB, no socket, no JSON)"
        )
        out.append("")
        out.append("| query | indexed | hits | ours p50 ms | ours p99 ms | floor p50 ms | floor p99 ms | ours / floor p99 |")
        out.append("|---|---|---:|---:|---:|---:|---:|---:|")
        for query in search.queries {
            out.append(
                "| \(query.label) | \(query.indexed ? "yes" : "no (scan)") | \(query.hits) | \(f(query.ours.latency.p50Milliseconds)) | \(f(query.ours.latency.p99Milliseconds)) | \(f(query.floor.latency.p50Milliseconds)) | \(f(query.floor.latency.p99Milliseconds)) | \(f(query.p99Ratio))× |"
            )
        }
        return out
    }
}
