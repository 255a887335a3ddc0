import Foundation
import GRDB
import Logging
import MirrorStore
import ReferenceServer
import ReferenceServerTestKit
import UpstreamClient
import VolunteerAPI

@testable import SyncEngine

/// A logged-in puller for one account of vdapi's demo world, over a fresh mirror file; the
/// setting of every end-to-end sync test.
struct SyncWorld {
    let running: RunningReferenceServer
    let client: UpstreamClient
    let store: MirrorStore
    let puller: Puller
    let userID: Int

    /// ids of vdapi rows, for comparing the mirror with the server's state.
    func upstream(_ sql: String, _ arguments: StatementArguments = []) async throws -> Set<Int> {
        Set(try await running.database.read { db in try Int.fetchAll(db, sql: sql, arguments: arguments) })
    }

    func mirrored(_ collection: MirrorCollection) async throws -> Set<Int> {
        Set(try await store.ids(collection))
    }

    /// Another user of the demo world, logged in, to change things upstream.
    func other(_ phone: String, _ role: UserRole) async throws -> UpstreamClient {
        let client = UpstreamClient(configuration: UpstreamConfiguration(baseURL: running.api), logger: Logger(label: "other"))
        guard case .applied = await client.login(phone: phone, password: "demo123", role: role) else {
            try await client.shutdown()
            throw WorldError.loginFailed
        }
        return client
    }
}

extension SyncWorld {
    /// Seeds vdapi's demo world, logs `phone` in as `role` (password demo123), and runs `body`;
    /// against a quirks server when `quirks` is given (else as `VDAPI_QUIRKS` says).
    static func withRunning(
        _ phone: String, _ role: UserRole, quirks: QuirkSettings? = nil, _ body: (SyncWorld) async throws -> Void
    ) async throws {
        try await RunningReferenceServer.withRunning(configure: { if let quirks { $0.quirks = quirks } }) { running in
            _ = try await Seed.demo(into: running.database, configuration: ReferenceServerConfiguration())
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sync-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let store = try MirrorStore(path: directory.appendingPathComponent("mirror.sqlite").path)
            var logger = Logger(label: "sync-test")
            logger.logLevel = .warning
            let client = UpstreamClient(configuration: UpstreamConfiguration(baseURL: running.api), logger: logger)
            do {
                guard case .applied(let user) = await client.login(phone: phone, password: "demo123", role: role) else {
                    throw WorldError.loginFailed
                }
                let puller = Puller(client: client, store: store, role: role, userID: user.id, logger: logger)
                try await body(SyncWorld(running: running, client: client, store: store, puller: puller, userID: user.id))
            } catch {
                try await client.shutdown()
                throw error
            }
            try await client.shutdown()
        }
    }
}

/// The demo account could not log in.
enum WorldError: Error {
    case loginFailed
}

extension SyncWorld {
    /// Reads every list of the role's plan again, follow-ups included, and returns the records
    /// whose mirrored JSON differs from what vdapi answers now (or that the mirror lacks).
    /// Empty means the mirror is vdapi's state for this role, record by record. A quirks server
    /// (`VDAPI_QUIRKS`) answers these reads plainly, so the mirror made from its varied answers
    /// is compared with the values as vdapi holds them.
    func recordsDifferingFromUpstream(role: UserRole) async throws -> [String] {
        let quirks = running.server.quirks
        running.server.setQuirks(nil)
        defer { running.server.setQuirks(quirks) }
        var differences: [String] = []
        var queue = PullPlan.steps(for: role, userID: userID)
        var checked = 0
        while !queue.isEmpty {
            let step = queue.removeFirst()
            var records: [MirroredRecord] = []
            var page = 1
            while true {
                var parameters = step.parameters
                if step.paging != .single {
                    parameters["current_page"] = .integer(page)
                    parameters["page_size"] = 100
                }
                guard case .applied(let body) = await client.callRaw(step.endpoint, path: step.path, parameters: parameters) else {
                    differences.append("\(step): not readable")
                    break
                }
                let decoded = try PageDecoder.decode(Data(body.readableBytesView), for: step, role: role)
                records += decoded.records
                if case .window(let pages) = step.paging, records.count >= pages * puller.pageSize {
                    // The window's records only: what lies beyond is not mirrored.
                    records = Array(records.prefix(pages * puller.pageSize))
                    break
                }
                guard step.paging != .single, decoded.page?.hasNext == true else { break }
                page += 1
            }
            for record in records {
                checked += 1
                if try await store.raw(record.collection, id: record.id) != record.raw {
                    differences.append("\(step): \(record.collection) #\(record.id)")
                }
            }
            let ids = records.map(\.id)
            queue += PullPlan.followUps(after: step, role: role, userID: userID, records: ids, changed: Set(ids)).filter { !$0.isSettling }
        }
        if checked == 0 { differences.append("nothing was compared") }
        return differences
    }
}
