import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import VolunteerAPI

/// Small JSON-over-HTTP calls the bench makes itself (logins for the floors, vdapi's admin port).
enum BenchHTTP {
    static func json(_ method: NIOHTTP1.HTTPMethod, _ url: String, body: Any? = nil, token: String? = nil, client: HTTPClient = .shared) async throws -> Any {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let token { request.headers.add(name: "X-auth-token", value: token) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        }
        let response = try await client.execute(request, timeout: .seconds(120))
        let bytes = try await response.body.collect(upTo: 256 << 20)
        guard (200..<300).contains(Int(response.status.code)) else {
            throw BenchError("\(method) \(url): HTTP \(response.status.code) \(String(String(buffer: bytes).prefix(300)))")
        }
        return try JSONSerialization.jsonObject(with: Data(bytes.readableBytesView), options: [.fragmentsAllowed])
    }

    /// `POST /login`; the token of the answer.
    static func login(_ base: String, phone: String, password: String, type: Int) async throws -> (token: String, userID: Int) {
        let answer = try await json(.POST, base + "/login", body: ["phono": phone, "pwd": password, "type": type]) as? [String: Any]
        guard let data = answer?["data"] as? [String: Any], let token = data["token"] as? String, let id = data["id"] as? Int else {
            throw BenchError("login of \(phone) failed: \(String(describing: answer))")
        }
        return (token, id)
    }
}

/// One running vdapi over a copy of a seeded scale world.
final class World: @unchecked Sendable {
    let projects: Int
    let base: String
    let admin: String
    let child: Child
    let databasePath: String

    /// The password of every scale account.
    static let password = "scale123"

    private init(projects: Int, base: String, admin: String, child: Child, databasePath: String) {
        self.projects = projects
        self.base = base
        self.admin = admin
        self.child = child
        self.databasePath = databasePath
    }

    /// Starts vdapi over a fresh copy of the `scale:projects` world, seeding it into the cache
    /// first when the cache lacks it (a world is the same for the same N, seed number and day).
    static func start(projects: Int, seedNumber: Int, vdapi: String, cache: String, work: String, name: String) throws -> (World, seeded: Double?) {
        try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
        let day = Self.serverDay()
        let cached = "\(cache)/scale-\(projects)-seed\(seedNumber)-\(day).sqlite"
        var seeded: Double?
        if !FileManager.default.fileExists(atPath: cached) {
            // Older worlds of this N are stale (their dates are relative to the day they were made).
            for old in (try? FileManager.default.contentsOfDirectory(atPath: cache)) ?? [] where old.hasPrefix("scale-\(projects)-seed\(seedNumber)-") {
                try? FileManager.default.removeItem(atPath: "\(cache)/\(old)")
            }
            let building = cached + ".building"
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: building + suffix) }
            let started = ContinuousClock.now
            let seeder = try Child(
                name: "\(name)-seed", executable: vdapi,
                arguments: ["--database", building, "--seed", "scale:\(projects)", "--seed-number", "\(seedNumber)", "--port", "0", "--log-level", "warning"],
                workDirectory: work)
            _ = try seeder.waitForLine(matching: #"vdapi listening on"#, timeout: .seconds(600))
            seeded = (ContinuousClock.now - started).seconds
            seeder.stop()
            try copyDatabase(building, to: cached)
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: building + suffix) }
        }
        let copy = "\(work)/\(name).sqlite"
        try copyDatabase(cached, to: copy)
        let child = try Child(
            name: name, executable: vdapi,
            arguments: ["--database", copy, "--port", "0", "--admin-port", "0", "--log-level", "warning"], workDirectory: work)
        let groups = try child.waitForLine(matching: #"vdapi listening on (http://[0-9.:]+) \(admin (http://[0-9.:]+)\)"#, timeout: .seconds(120))
        return (World(projects: projects, base: groups[1], admin: groups[2], child: child, databasePath: copy), seeded)
    }

    /// vdapi's host and port, for a relay in front of it.
    func address() throws -> (host: String, port: Int) {
        guard let target = URL(string: base), let host = target.host(), let port = target.port else { throw BenchError("bad base \(base)") }
        return (host, port)
    }

    /// Today on the API's clock, as the seed dates its worlds.
    static func serverDay() -> String {
        APIClock.date(Date())
    }

    /// Rows of a read-only SQL query on vdapi's database (its admin port).
    func query(_ sql: String, _ arguments: [Any] = []) async throws -> [[String: Any]] {
        let rows = try await BenchHTTP.json(.POST, admin + "/admin/query", body: ["sql": sql, "arguments": arguments])
        guard let list = rows as? [[String: Any]] else { throw BenchError("admin query answered \(rows)") }
        return list
    }

    func addFault(_ rule: [String: Any]) async throws {
        _ = try await BenchHTTP.json(.POST, admin + "/admin/faults", body: rule)
    }

    func clearFaults() async throws {
        _ = try await BenchHTTP.json(.DELETE, admin + "/admin/faults")
    }

    func stop() {
        child.stop()
    }

    // MARK: - Accounts

    /// The phone of the `index`th (from 0) account: 137… doctors, 136… assistants, 139… patients.
    static func phone(prefix: String, _ index: Int) -> String {
        prefix + String(format: "%08d", index + 1)
    }

    /// The doctor with the most bookings in a project of today (or the nearest day), that
    /// project, and some of the doctor's patients.
    func busiestDoctorToday(patients: Int) async throws -> (phone: String, userID: Int, projectID: Int, projectDate: String, patientIDs: [Int]) {
        let rows = try await query(
            """
            SELECT p.id AS project_id, p.doctor_id AS doctor_id, u.phone AS phone, p.date AS date,
                   (SELECT COUNT(*) FROM diagnosis d WHERE d.project_id = p.id AND d.verify_status = \(BookingStatus.booked.rawValue)) AS bookings
            FROM project p JOIN user u ON u.id = p.doctor_id
            WHERE p.status = \(ProjectStatus.active.rawValue)
            ORDER BY abs(julianday(p.date) - julianday(date('now', '+8 hours'))), bookings DESC, p.id
            LIMIT 1
            """)
        guard let row = rows.first, let projectID = row["project_id"] as? Int, let doctorID = row["doctor_id"] as? Int,
            let phone = row["phone"] as? String, let date = row["date"] as? String
        else { throw BenchError("no project in the world: \(rows)") }
        let people = try await query(
            "SELECT DISTINCT user_id FROM diagnosis WHERE doctor_user_id = ? ORDER BY user_id LIMIT ?", [doctorID, patients])
        return (phone, doctorID, projectID, date, people.compactMap { $0["user_id"] as? Int })
    }
}
