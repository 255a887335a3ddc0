import Foundation
import GRDB
import Logging
import ServiceLifecycle
import Testing
import UpstreamClient
import VolunteerAPI

@testable import MirrorStore
@testable import ReferenceServer
@testable import ReferenceServerTestKit
@testable import SyncEngine

// The setting of the outbox's matrix, fault and workload tests: one in-process vdapi that can
// be stopped and started again on the same port (a link that goes down: connections refused),
// its demo world enriched so that every mutation kind has several valid targets, and any
// number of demo accounts logged into it, each with its own mirror file, outbox and replayer.

/// vdapi in-process over one in-memory database that outlives its listeners: ``stop()`` closes
/// the port (clients see connections refused), ``start()`` listens again on the same port with
/// the same database and fault plan, so sessions and data survive the outage.
actor UpstreamHost {
    let database: ReferenceDatabase
    let faults = FaultInjector()
    private(set) var port = 0
    private(set) var server: ReferenceServer?
    private var group: ServiceGroup?
    private var task: Task<Void, any Error>?

    init() throws {
        database = try ReferenceDatabase(.memory)
    }

    /// Listens (on a free port the first time, on the same port afterwards); returns the API's URL.
    @discardableResult
    func start() async throws -> URL {
        precondition(group == nil, "already listening")
        var configuration = ReferenceServerConfiguration()
        configuration.port = port
        var logger = Logger(label: "vdapi-test")
        logger.logLevel = .critical
        let (addresses, continuation) = AsyncStream.makeStream(of: ReferenceServer.Addresses.self)
        let server = ReferenceServer(
            configuration: configuration, database: database, faults: faults, logger: logger, onListening: { continuation.yield($0) })
        let group = ServiceGroup(configuration: .init(services: [server], logger: logger))
        let task = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        var iterator = addresses.makeAsyncIterator()
        guard let listening = await iterator.next() else {
            try await task.value
            throw RunningReferenceServerError.didNotStart
        }
        self.server = server
        self.group = group
        self.task = task
        port = listening.api.port ?? port
        return listening.api
    }

    /// Stops listening (idempotent). The database stays.
    func stop() async throws {
        guard let group, let task else { return }
        await group.triggerGracefulShutdown()
        try await task.value
        self.group = nil
        self.task = nil
    }
}

/// Several accounts of one running vdapi, each an ``OutboxWorld``.
struct OutboxCast {
    let host: UpstreamHost
    let running: RunningReferenceServer
    let worlds: [OutboxWorld]
    let ids: DemoIDs

    var database: ReferenceDatabase { host.database }

    /// The link goes down: vdapi stops listening, every connection is refused.
    func goOffline() async throws {
        try await host.stop()
    }

    /// The link comes back: vdapi listens again on the same port, and each replayer is told
    /// (as the sync service tells it after a successful pull).
    func comeBack() async throws {
        try await host.start()
        for world in worlds { await world.replayer.linkRestored() }
    }

    func addFault(_ rule: FaultRule) async {
        await host.faults.add(rule)
    }

    func removeFaults() async {
        await host.faults.removeAll()
    }

    /// Drains every replayer, turn by turn and together, until none has anything ready.
    @discardableResult
    func drainAll(maximumTurns: Int = 400) async -> Int {
        for turn in 0..<maximumTurns {
            var worked = 0
            await withTaskGroup(of: Int.self) { group in
                for world in worlds { group.addTask { await world.replayer.drainReady() } }
                for await count in group { worked += count }
            }
            if worked == 0 { return turn }
        }
        return maximumTurns
    }
}

/// A demo account.
struct DemoAccount: Sendable, Hashable, CustomStringConvertible {
    let phone: String
    let role: UserRole

    static let doctor = DemoAccount(phone: "13800000001", role: .doctor)
    static let assistant = DemoAccount(phone: "13800000011", role: .assistant)
    /// 赵明: bound to the first assistant, booked by it into the upcoming projects.
    static let patient = DemoAccount(phone: "13800000021", role: .patient)
    /// 吴婷: bound to the second assistant only.
    static let otherPatient = DemoAccount(phone: "13800000024", role: .patient)

    var description: String { "\(role) \(phone)" }
}

extension OutboxScenario {
    /// Seeds the demo world (enriched, see ``RichDemo``), logs every account in, pulls each
    /// role's mirror, and runs `body` with an outbox and a replayer per account.
    static func withCast(
        _ accounts: [DemoAccount], policy: OutboxPolicy = OutboxWorld.policy(), _ body: (OutboxCast) async throws -> Void
    ) async throws {
        let host = try UpstreamHost()
        let api = try await host.start()
        var clients: [UpstreamClient] = []
        var directories: [URL] = []
        var logger = Logger(label: "outbox-test")
        logger.logLevel = ProcessInfo.processInfo.environment["OUTBOX_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        func close() async throws {
            for client in clients { try await client.shutdown() }
            try await host.stop()
            for directory in directories { try? FileManager.default.removeItem(at: directory) }
        }
        do {
            _ = try await Seed.demo(into: host.database, configuration: ReferenceServerConfiguration())
            let ids = try await RichDemo.enrich(host.database)
            let server = try #require(await host.server)
            let running = RunningReferenceServer(server: server, api: api, admin: nil)
            var worlds: [OutboxWorld] = []
            for account in accounts {
                let directory = scratchDirectory.appendingPathComponent("outbox-\(UUID().uuidString)")
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                directories.append(directory)
                let store = try MirrorStore(path: directory.appendingPathComponent("mirror.sqlite").path)
                let client = UpstreamClient(configuration: UpstreamConfiguration(baseURL: api), logger: logger)
                clients.append(client)
                guard case .applied(let user) = await client.login(phone: account.phone, password: "demo123", role: account.role) else {
                    throw WorldError.loginFailed
                }
                let puller = Puller(client: client, store: store, role: account.role, userID: user.id, logger: logger)
                _ = await puller.pullAll()
                let world = SyncWorld(running: running, client: client, store: store, puller: puller, userID: user.id)
                let context = MutationContext(role: account.role, userID: user.id)
                let replayer = Replayer(client: client, store: store, context: context, policy: policy, logger: logger)
                worlds.append(OutboxWorld(world: world, outbox: Outbox(store: store), replayer: replayer, context: context))
            }
            try await body(OutboxCast(host: host, running: running, worlds: worlds, ids: ids))
        } catch {
            try? await close()
            throw error
        }
        try await close()
    }
}

/// Namespace of the scenario helpers.
enum OutboxScenario {
    /// Where the mirror files go: memory-backed when the system has it (the mirror commits with
    /// `synchronous = FULL`; on a disk the hundreds of commits of a workload are mostly fsync
    /// waits), else the temporary directory. Removed after each cast.
    static let scratchDirectory: URL = {
        let shm = URL(fileURLWithPath: "/dev/shm", isDirectory: true)
        if FileManager.default.isWritableFile(atPath: shm.path) { return shm }
        return FileManager.default.temporaryDirectory
    }()

    /// A valid 1×1 PNG.
    static let png = Data(
        base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")!

    /// The PNG as a mutation's photo parameter, taken offline.
    static var photo: JSONValue {
        ["data": .string(png.base64EncodedString()), "content_type": "image/png", "filename": "photo.png"]
    }

    /// A short unique tag for texts that must be told apart upstream.
    static func tag() -> String {
        String(UUID().uuidString.prefix(8))
    }

    /// An ID-card number in vdapi's format, unique enough for a test.
    static func idCardNumber() -> String {
        "1101011985" + String(format: "%02d%02d%04d", Int.random(in: 1...12), Int.random(in: 1...28), Int.random(in: 0..<10_000))
    }
}

// MARK: - Reading both sides

extension OutboxWorld {
    var me: Int { world.userID }
    var upstreamDatabase: ReferenceDatabase { world.running.database }

    /// One integer from vdapi's database (nil when no row).
    func upstreamInt(_ sql: String, _ arguments: StatementArguments = []) async throws -> Int? {
        try await upstreamDatabase.read { db in try Int.fetchOne(db, sql: sql, arguments: arguments) }
    }

    func upstreamInts(_ sql: String, _ arguments: StatementArguments = []) async throws -> [Int] {
        try await upstreamDatabase.read { db in try Int.fetchAll(db, sql: sql, arguments: arguments) }
    }

    /// The first two columns of the first row, as integers.
    func upstreamPair(_ sql: String, _ arguments: StatementArguments = []) async throws -> (Int, Int)? {
        try await upstreamDatabase.read { db in
            try Row.fetchOne(db, sql: sql, arguments: arguments).map { ($0[0] as Int, $0[1] as Int) }
        }
    }

    func upstreamString(_ sql: String, _ arguments: StatementArguments = []) async throws -> String? {
        try await upstreamDatabase.read { db in try String.fetchOne(db, sql: sql, arguments: arguments) }
    }

    /// The entry as stored now.
    func stored(_ entry: OutboxEntry) async throws -> OutboxEntry {
        try #require(try await store.outboxEntry(entry.id))
    }

    /// The temporary id of the record an entry creates offline.
    func tempID(of entry: OutboxEntry) throws -> Int {
        let created = try #require(Replayer.decode(entry)?.createdRecord)
        return created.id
    }

    /// What the entry's optimistic effect touches: records (list nil) and list memberships.
    func overlayRows(of entryID: Int) async throws -> [(collection: MirrorCollection, id: Int, list: String?)] {
        try await store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT collection, record_id, list FROM overlay WHERE entry_id = ? ORDER BY position", arguments: [entryID])
                .compactMap { row in
                    MirrorCollection(rawValue: row["collection"]).map { ($0, row["record_id"], row["list"]) }
                }
        }
    }

    /// The server truth the mirror keeps beneath pending changes (nil: no such record upstream).
    func shadowRaw(_ collection: MirrorCollection, _ id: Int) async throws -> JSONValue? {
        let text = try await store.pool.read { db in
            try String.fetchOne(db, sql: "SELECT raw FROM shadow WHERE collection = ? AND record_id = ?", arguments: [collection.rawValue, id])
        }
        return try text.map { try JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
    }

    /// Every list membership of the mirror.
    func listMemberships() async throws -> Set<String> {
        try await store.pool.read { db in
            Set(
                try Row.fetchAll(db, sql: "SELECT list, collection, record_id FROM list_member").map { row in
                    "\(row["list"] as String)|\(row["collection"] as String)|\(row["record_id"] as Int)"
                })
        }
    }

    /// Sends the SMS code for `phone` (vdapi: always 123456), as the assistant's front end does
    /// before binding a patient.
    func sendVerifyCode(_ phone: String) async throws {
        let outcome = await world.client.call(.sendVerifyCode, parameters: ["phone": .string(phone)], as: JSONValue.self)
        guard case .applied = outcome else {
            Issue.record("sending the verify code failed: \(outcome)")
            return
        }
    }
}

// MARK: - The enriched demo world

/// Ids of the demo world and of what ``RichDemo`` added.
struct DemoIDs: Sendable {
    var doctors: [Int] = []
    var assistants: [Int] = []
    var patients: [Int] = []
    /// Copies of the first doctor (followable); the first patient and assistant follow the first three.
    var extraDoctors: [Int] = []
    /// Copies of the first patient, bound to no one, filling places.
    var extraPatients: [Int] = []
    /// Organisations nobody belonged to; the first doctor belongs to the first four.
    var extraOrganisations: [Int] = []
    /// The third doctor's upcoming projects in 11-13 days, with bookings of patients 0-2 (by
    /// the first assistant), patient 3 and the first two extra patients.
    var bookedUpcoming: [Int] = []
    /// The third doctor's upcoming projects in 17-20 days, without bookings.
    var emptyUpcoming: [Int] = []
    /// The third doctor's upcoming project with every place taken (by extra patients).
    var full = 0
    /// The first doctor's upcoming projects in 24-26 days, without bookings (to cancel).
    var quietUpcoming: [Int] = []
    /// The first doctor's projects of the last five days, patients 0 and 3-5 booked and seen,
    /// nobody rated.
    var pastDone: [Int] = []
    /// The first doctor's project in progress today.
    var today = 0
}

/// Adds to vdapi's demo world (through its own booking rules, at the moments things happened)
/// enough records that every mutation kind has several valid targets: the demo alone has, for
/// instance, one booking the first doctor may still rate.
enum RichDemo {
    static func enrich(_ database: ReferenceDatabase) async throws -> DemoIDs {
        try await database.write { db in try enrich(db, now: Date()) }
    }

    private static func enrich(_ db: Database, now: Date) throws -> DemoIDs {
        var ids = DemoIDs()
        ids.doctors = try Int.fetchAll(db, sql: "SELECT id FROM user WHERE type = 2 ORDER BY id")
        ids.assistants = try Int.fetchAll(db, sql: "SELECT id FROM user WHERE type = 3 ORDER BY id")
        ids.patients = try Int.fetchAll(db, sql: "SELECT id FROM user WHERE type = 1 ORDER BY id")
        let doctor = ids.doctors[0]
        let assistant = ids.assistants[0]
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = APIClock.zone
        let midnight = calendar.startOfDay(for: now)
        func at(_ day: Int, _ hour: Int) -> Date { midnight.addingTimeInterval(TimeInterval(day * 86_400 + hour * 3600)) }
        let stamp = APIClock.timestamp(now)

        // People: doctors and patients copied from the first of each.
        func copyUser(_ id: Int, phone: String, name: String, idno: String) throws -> Int {
            try db.execute(
                sql: """
                    INSERT INTO user (type, phone, password_hash, real_name, avatars, idno, sex, birthday, email, height, weight,
                        province_id, city_id, county_id, addr, marital_status, drink_status, smoking_status, is_verify, hospital_id,
                        departments, job_position, good_at, work_photo, abstract, work_time, team_name, created_at)
                    SELECT type, ?, password_hash, ?, avatars, ?, sex, birthday, email, height, weight,
                        province_id, city_id, county_id, addr, marital_status, drink_status, smoking_status, is_verify, hospital_id,
                        departments, job_position, good_at, work_photo, abstract, work_time, team_name, created_at
                    FROM user WHERE id = ?
                    """, arguments: [phone, name, idno, id])
            return Int(db.lastInsertedRowID)
        }
        for index in 1...8 {
            ids.extraDoctors.append(try copyUser(doctor, phone: "1390000000\(index)", name: "矩阵医生\(index)", idno: "11101019700101\(100 + index)X"))
        }
        for index in 1...6 {
            ids.extraPatients.append(
                try copyUser(ids.patients[0], phone: "1390000002\(index)", name: "矩阵患者\(index)", idno: "11101019600101\(200 + index)X"))
        }
        for extra in ids.extraDoctors.prefix(3) {
            for follower in [ids.patients[0], assistant] {
                try db.execute(sql: "INSERT INTO follow (user_id, doctor_id, created_at) VALUES (?, ?, ?)", arguments: [follower, extra, stamp])
            }
        }

        // Organisations: ten more, the first doctor in the first five.
        for index in 1...10 {
            try db.execute(sql: "INSERT INTO org (name, logo, abstract) VALUES (?, '', '矩阵测试组织')", arguments: ["矩阵组织\(index)"])
            ids.extraOrganisations.append(Int(db.lastInsertedRowID))
        }
        for organisation in ids.extraOrganisations.prefix(5) {
            try db.execute(
                sql: "INSERT INTO org_member (org_id, doctor_id, verify_status, created_at) VALUES (?, ?, 1, ?)",
                arguments: [organisation, doctor, stamp])
        }

        // Projects copied from one of the doctor's in the demo. The first doctor gets few and
        // small ones: each read of `/doctor/project` (the pull, and the read-back of every
        // publication) presents every project with its booked patients and their computed
        // scores, and decoding that is most of a matrix run's time in a debug build.
        func project(day: Int, begin: Int, end: Int, capacity: Int, price: Int, abstract: String, doctor: Int = doctor) throws -> Int {
            let slots = SlotPlan(begin: begin * 3600, end: end * 3600, places: capacity)
            try db.execute(
                sql: """
                    INSERT INTO project (doctor_id, hospital_id, org_id, date, begin, "end", people_count, lng, lat, addr,
                        service_target, abstract, price, status, slot_capacity, created_at)
                    SELECT doctor_id, hospital_id, NULL, ?, ?, ?, ?, lng, lat, addr, service_target, ?, ?, 1, ?, ?
                    FROM project WHERE doctor_id = ? ORDER BY id LIMIT 1
                    """,
                arguments: [
                    APIClock.date(at(day, 0)), SlotPlan.clock(begin * 3600), SlotPlan.clock(end * 3600), capacity, abstract, price,
                    slots.column, APIClock.timestamp(at(min(day, 0) - 10, 10)), doctor,
                ])
            return Int(db.lastInsertedRowID)
        }
        func book(_ projectID: Int, _ patient: Int, by assistantID: Int = 0, slot: Int, at moment: Date) throws -> Int {
            let label = try slotLabel(db, projectID, index: slot)
            return try Booking.join(
                db,
                Booking.Request(
                    projectID: projectID, patientID: patient, assistantID: assistantID, slot: label,
                    content: assistantID == 0 ? "矩阵测试：想咨询" : "", photos: []),
                now: moment)
        }

        for day in 11...13 {
            let id = try project(day: day, begin: 9, end: 11, capacity: 8, price: 20, abstract: "矩阵测试：已有预约的义诊 \(day)", doctor: ids.doctors[2])
            ids.bookedUpcoming.append(id)
            let bookers: [(patient: Int, assistant: Int)] = [
                (ids.patients[0], assistant), (ids.patients[1], assistant), (ids.patients[2], assistant), (ids.patients[3], 0),
                (ids.extraPatients[0], 0), (ids.extraPatients[1], 0),
            ]
            for (index, booker) in bookers.enumerated() {
                _ = try book(id, booker.patient, by: booker.assistant, slot: index / 2, at: now)
            }
        }
        for day in 17...20 {
            ids.emptyUpcoming.append(
                try project(day: day, begin: 14, end: 16, capacity: 8, price: 0, abstract: "矩阵测试：空的义诊 \(day)", doctor: ids.doctors[2]))
        }
        for day in 24...26 {
            ids.quietUpcoming.append(try project(day: day, begin: 14, end: 15, capacity: 2, price: 0, abstract: "矩阵测试：没人约的义诊 \(day)"))
        }
        ids.full = try project(day: 23, begin: 9, end: 10, capacity: 2, price: 0, abstract: "矩阵测试：约满的义诊", doctor: ids.doctors[2])
        _ = try book(ids.full, ids.extraPatients[2], slot: 0, at: now)
        _ = try book(ids.full, ids.extraPatients[3], slot: 1, at: now)

        for day in 1...5 {
            let id = try project(day: -day, begin: 9, end: 11, capacity: 8, price: 0, abstract: "矩阵测试：已结束的义诊 \(day)")
            ids.pastDone.append(id)
            for (index, patient) in [0, 3, 4, 5].map({ ids.patients[$0] }).enumerated() {
                let booking = try book(id, patient, slot: index / 2, at: at(-day - 1, 10))
                try Booking.markDone(db, diagnosisID: booking, now: at(-day, 10))
            }
        }

        // Today's project: more patients waiting, booked yesterday.
        ids.today =
            try Int.fetchOne(
                db, sql: "SELECT id FROM project WHERE doctor_id = ? AND date = ? AND status = 1", arguments: [doctor, APIClock.date(now)]) ?? 0
        for patient in [ids.patients[3], ids.patients[4], ids.patients[5], ids.patients[7]] {
            guard let label = try freeSlot(db, ids.today) else { break }
            _ = try Booking.join(
                db,
                Booking.Request(projectID: ids.today, patientID: patient, assistantID: 0, slot: label, content: "矩阵测试：今天来看", photos: []),
                now: at(-1, 10))
        }
        return ids
    }

    /// The label of the slot at `index` of a project.
    static func slotLabel(_ db: Database, _ projectID: Int, index: Int) throws -> String {
        let column = try String.fetchOne(db, sql: "SELECT slot_capacity FROM project WHERE id = ?", arguments: [projectID])
        let labels = Presenter.slotCapacities(column).keys.sorted()
        return labels[min(index, labels.count - 1)]
    }

    /// The first slot of a project with a place left, if any.
    static func freeSlot(_ db: Database, _ projectID: Int) throws -> String? {
        let column = try String.fetchOne(db, sql: "SELECT slot_capacity FROM project WHERE id = ?", arguments: [projectID])
        for (label, capacity) in Presenter.slotCapacities(column).sorted(by: { $0.key < $1.key }) {
            let taken =
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM diagnosis WHERE project_id = ? AND plan_time = ? AND verify_status = 1", arguments: [projectID, label]) ?? 0
            if taken < capacity { return label }
        }
        return nil
    }

    /// The first slot of a project with a place left, read from vdapi's database.
    static func freeSlot(_ database: ReferenceDatabase, _ projectID: Int) async throws -> String? {
        try await database.read { db in try freeSlot(db, projectID) }
    }
}
