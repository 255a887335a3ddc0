import Foundation
import Logging
import MirrorStore
import ReferenceServer
import Testing
import UpstreamClient
import VolunteerAPI

@testable import SyncEngine

/// Plans that read less on a metered link (issue #21, "Smarter plans"), within the documented
/// API, against vdapi: each counts the requests a pull makes.
@Suite("Pull plans on a metered link")
struct LinkPlanTests {
    static var logger: Logger {
        var logger = Logger(label: "link-plan-test")
        logger.logLevel = .warning
        return logger
    }

    /// The ids a list answers in order, every page of it (100 a page).
    static func listed(_ step: PullStep, client: UpstreamClient, role: UserRole) async throws -> [Int] {
        var ids: [Int] = []
        for page in 1...50 {
            var parameters = step.parameters
            parameters["current_page"] = .integer(page)
            parameters["page_size"] = 100
            guard case .applied(let body) = await client.callRaw(step.endpoint, path: step.path, parameters: parameters) else {
                Issue.record("\(step) not readable")
                return ids
            }
            let decoded = try PageDecoder.decode(Data(body.readableBytesView), for: step, role: role)
            ids += decoded.records.map(\.id)
            guard decoded.page?.hasNext == true else { break }
        }
        return ids
    }

    @Test("the open-project list mirrors its first pages, nearest first, in as many requests; what leaves the window leaves the mirror")
    func openProjectWindow() async throws {
        try await SyncWorld.withRunning(DemoAccount.patient.phone, .patient) { world in
            // A kiosk that knows where it is.
            let located = UpstreamClient(configuration: UpstreamConfiguration(baseURL: world.running.api, location: "116.40-39.90"), logger: Self.logger)
            defer { Task { try? await located.shutdown() } }
            guard case .applied = await located.login(phone: DemoAccount.patient.phone, password: "demo123", role: .patient) else {
                throw WorldError.loginFailed
            }
            let options = PullPlan.Options(openProjectPages: 2, nearestFirst: true)
            let step = PullPlan.openProjects(options)
            #expect(step.parameters["sort"] == 1, "nearest first")
            #expect(step.listKey == "GET /project", "the order is not part of the list: the kiosk's reads find it by the same key")
            let nearestFirst = try await Self.listed(step, client: located, role: .patient)
            try #require(nearestFirst.count > 4, "the demo world lists too few open projects for a window of 2 pages of 2")

            let puller = Puller(client: located, store: world.store, role: .patient, userID: world.userID, pageSize: 2, options: options, logger: Self.logger)
            var report = PullReport()
            guard case .pulled = await puller.pull(step, now: { Date() }, report: &report) else {
                Issue.record("the window was not pulled")
                return
            }
            #expect(report.requests == 2, "2 pages, not \((nearestFirst.count + 1) / 2)")
            #expect(try await world.store.members(of: step.listKey, collection: .projects) == Array(nearestFirst.prefix(4)))

            let narrower = Puller(
                client: located, store: world.store, role: .patient, userID: world.userID, pageSize: 2,
                options: PullPlan.Options(openProjectPages: 1, nearestFirst: true), logger: Self.logger)
            report = PullReport()
            _ = await narrower.pull(PullPlan.openProjects(narrower.options), now: { Date() }, report: &report)
            #expect(report.requests == 1)
            #expect(try await world.store.members(of: step.listKey, collection: .projects) == Array(nearestFirst.prefix(2)))
            let mirrored = try await world.mirrored(.projects)
            #expect(mirrored.isDisjoint(with: nearestFirst[2..<4]), "projects that left the window left the mirror (no other list holds them)")

            // 0 pages: the whole country, as before.
            #expect(PullPlan.openProjects(PullPlan.Options(openProjectPages: 0)).paging == .complete)
        }
    }

    @Test("a list sorted newest first stops at the first page that holds nothing new")
    func newestFirstStopsEarly() async throws {
        try await SyncWorld.withRunning(DemoAccount.doctor.phone, .doctor) { world in
            let step = PullStep(.systemMessages, into: .systemMessages, paging: .newestFirst)
            let upstream = try await Self.listed(step, client: world.client, role: .doctor)
            try #require(upstream.count > 2, "the demo doctor has too few messages for pages of 1")
            let puller = Puller(client: world.client, store: world.store, role: .doctor, userID: world.userID, pageSize: 1, logger: Self.logger)
            var first = PullReport()
            _ = await puller.pull(step, now: { Date() }, report: &first)
            #expect(first.requests == upstream.count, "the first pull finds every page new and reads them all")
            #expect(try await world.mirrored(.systemMessages) == Set(upstream))
            var again = PullReport()
            _ = await puller.pull(step, now: { Date() }, report: &again)
            #expect(again.requests == 1, "nothing new on the first page: no second page")
            #expect(again.entries.isEmpty)
        }
    }

    @Test("a long dialog is read again from its last mirrored page, not from its first, and stays whole")
    func dialogFromItsLastPage() async throws {
        try await SyncWorld.withRunning(DemoAccount.doctor.phone, .doctor) { world in
            let patient = try await world.other(DemoAccount.patient.phone, .patient)
            func send(_ count: Int) async {
                for number in 1...count {
                    let sent = await patient.call(
                        .sendChatMessage, parameters: ["content": .string("第 \(number) 条"), "photo": [], "type": 1, "to_user_id": .integer(world.userID)],
                        as: JSONValue.self)
                    #expect(sent.isSuccess)
                }
            }
            await send(25)
            let puller = Puller(client: world.client, store: world.store, role: .doctor, userID: world.userID, pageSize: 10, logger: Self.logger)
            _ = await puller.pullAll(tiers: [.hot])
            let everyMessage = "SELECT id FROM chat_message WHERE from_user_id = ? OR to_user_id = ?"
            #expect(try await world.mirrored(.chatMessages) == world.upstream(everyMessage, [world.userID, world.userID]))

            await send(3)
            try await patient.shutdown()
            let dialogs = try await world.store.ids(.chatDialogs)
            let steps = PullPlan.followUps(
                after: PullStep(.chatDialogs, into: .chatDialogs, paging: .complete), role: .doctor, userID: world.userID, records: dialogs,
                changed: Set(dialogs)
            ).filter { $0.endpoint == .chatMessages }
            var longest: (mirrored: Int, requests: Int)?
            for step in steps {
                let mirrored = try await world.store.members(of: step.listKey, collection: .chatMessages).count
                var report = PullReport()
                _ = await puller.pull(step, now: { Date() }, report: &report)
                if mirrored > longest?.mirrored ?? -1 { longest = (mirrored, report.requests) }
            }
            let dialog = try #require(longest)
            try #require(dialog.mirrored >= 25)
            // Pages of 10: the last mirrored page and, at most, the one after it.
            #expect(dialog.requests <= 2, "read from page 1: \(dialog.requests) requests for \(dialog.mirrored) messages")
            #expect(try await world.mirrored(.chatMessages) == world.upstream(everyMessage, [world.userID, world.userID]))
        }
    }
}
