import Foundation
import Logging
import MirrorStore
import NIOCore
import UpstreamClient
import VolunteerAPI

/// Pulls one role's mirror from the upstream into the store, step by step of its
/// ``PullPlan``. Each page is written in one transaction; a failing step leaves what the
/// mirror held before intact and is retried on the next pull; an expired token stops the pull.
public actor Puller {
    nonisolated let client: UpstreamClient
    private let store: MirrorStore
    private nonisolated let role: UserRole
    private let userID: Int
    private nonisolated let logger: Logger
    /// Records per page asked of paged lists.
    public nonisolated let pageSize: Int
    /// A bound on the pages of one list, whatever its `total_page` says.
    static let maximumPages = 10_000
    /// Pages of one complete list asked for ahead of the one being written. The upstream takes
    /// most of a page's time (vdapi ~0.3 s for 50 open projects), so while one page is decoded
    /// and written the next ones are on their way; pages are still written one by one, in order.
    public nonisolated let pagesAhead: Int
    public static let defaultPagesAhead = 2

    /// What bounds the role's plan (the open-project window, nearest first).
    public nonisolated let options: PullPlan.Options

    public init(
        client: UpstreamClient, store: MirrorStore, role: UserRole, userID: Int, pageSize: Int = 50, pagesAhead: Int = defaultPagesAhead,
        options: PullPlan.Options = PullPlan.Options(), logger: Logger
    ) {
        self.options = options
        self.client = client
        self.store = store
        self.role = role
        self.userID = userID
        self.pageSize = pageSize
        self.pagesAhead = max(0, pagesAhead)
        self.logger = logger
    }

    /// Pulls the steps of the role's plan in `tiers` (all by default) and their follow-ups.
    public func pullAll(tiers: Set<PullTier> = Set(PullTier.allCases), now: @Sendable () -> Date = { Date() }) async -> PullReport {
        var report = PullReport()
        var synced: [String: Date] = [:]
        await pullSteps(tiers: tiers, now: now, report: &report, synced: &synced)
        // When each list was last pulled whole is bookkeeping: one transaction for the whole
        // pull (one fsync), not one per list.
        if !synced.isEmpty { try? await store.markSynced(synced) }
        return report
    }

    private func pullSteps(tiers: Set<PullTier>, now: @Sendable () -> Date, report: inout PullReport, synced: inout [String: Date]) async {
        // Hotter steps first: after an outage, what a clinic works from is fresh before the rest.
        var queue = PullPlan.steps(for: role, userID: userID, options: options).enumerated()
            .filter { tiers.contains($0.element.tier) }
            .sorted { ($0.element.tier, $0.offset) < ($1.element.tier, $1.offset) }
            .map(\.element)
        // Diagnoses are hot, but they are the follow-ups of the (warm) project list: without it,
        // the hot tier reads the waiting lists of today's and upcoming projects from the mirror.
        if tiers.contains(.hot), !tiers.contains(.warm) {
            queue += PullPlan.waitingLists(role: role, userID: userID, projects: await currentProjects(now: now()))
        }
        guard await run(queue, now: now, report: &report, synced: &synced) else { return }
        // The people of today's and upcoming clinics, once the lists that name them are fresh.
        if tiers.contains(.warm) {
            let clinicDay = PullPlan.clinicDay(
                role: role, patients: await currentPatients(now: now()), bookedProjects: await currentBookedProjects(now: now()))
            _ = await run(clinicDay, now: now, report: &report, synced: &synced)
        }
    }

    /// Pulls `steps` and their follow-ups; false when the token expired.
    private func run(_ steps: [PullStep], now: @Sendable () -> Date, report: inout PullReport, synced: inout [String: Date]) async -> Bool {
        var queue = steps
        while !queue.isEmpty {
            let step = queue.removeFirst()
            let result = await pull(step, now: now, report: &report)
            switch result {
            case .authExpired:
                report.authExpired = true
                return false
            case .failed:
                continue
            case .pulled(let ids, let changed):
                synced[step.listKey] = now()
                queue += PullPlan.followUps(after: step, role: role, userID: userID, records: ids, changed: changed)
            }
        }
        return true
    }

    /// The patients whose bookings of the doctor's current projects stand, from the mirror.
    func currentPatients(now: Date) async -> [Int] {
        guard role == .doctor else { return [] }
        var patients: [Int] = []
        for project in await currentProjects(now: now) {
            let query = MirrorQuery(
                .diagnoses,
                filters: [.init("project_id", .equal, .integer(project)), .init("verify_status", .equal, .integer(BookingStatus.booked.rawValue))],
                limit: 500)
            for row in (try? await store.query(query))?.rows ?? [] {
                let record = MirroredRecord.decoding(.diagnoses, id: row.id, raw: row.raw, context: [:])
                if case .integer(let patient)? = record.columns["patient_id"], !patients.contains(patient) { patients.append(patient) }
            }
        }
        return patients
    }

    /// The projects of the patient's bookings that stand and are today or later, from the mirror.
    func currentBookedProjects(now: Date) async -> [Int] {
        guard role == .patient else { return [] }
        let query = MirrorQuery(
            .diagnoses,
            filters: [
                .init("visit_time", .greaterOrEqual, .text(Self.apiDate(now))),
                .init("verify_status", .equal, .integer(BookingStatus.booked.rawValue)),
            ], list: PullPlan.patientBookings.listKey, limit: 500)
        let decoder = JSONValueDecoder()
        return ((try? await store.query(query))?.rows ?? []).compactMap { row in
            (try? decoder.decode(Diagnosis.self, from: row.raw))?.casebook?.projectID
        }
    }

    /// The mirrored projects of the role's waiting list that are in progress or to come (dated
    /// today or later, in the API's time zone).
    func currentProjects(now: Date) async -> [Int] {
        guard let source = PullPlan.waitingListSource(for: role) else { return [] }
        let query = MirrorQuery(.projects, filters: [.init("date", .greaterOrEqual, .text(Self.apiDate(now)))], list: source.listKey, limit: 500)
        return ((try? await store.query(query))?.rows ?? []).map(\.id)
    }

    /// `yyyy-MM-dd` on the API's clock, as the API dates projects.
    static func apiDate(_ date: Date) -> String {
        APIClock.date(date)
    }

    enum StepResult {
        case pulled(ids: [Int], changed: Set<Int>)
        case failed
        case authExpired
    }

    /// Pulls one step: its pages, then, for a list known completely, what left it. An
    /// append-only list starts at the last page the mirror holds, unless `whole`.
    func pull(_ step: PullStep, whole: Bool = false, now: @Sendable () -> Date, report: inout PullReport) async -> StepResult {
        var ids: [Int] = []
        var changed = Set<Int>()
        var mirrored: [Int] = []
        if step.paging == .appendOnly, !whole {
            mirrored = (try? await store.members(of: step.listKey, collection: step.collection)) ?? []
        }
        let firstPage = mirrored.isEmpty ? 1 : (mirrored.count - 1) / pageSize + 1
        // Where the first page read sits in the list: the members before it are not read again.
        let base = (firstPage - 1) * pageSize
        var pageNumber = firstPage
        // Pages of a complete list already asked for, by number; those not taken are cancelled.
        var ahead: [Int: Task<Fetch, Never>] = [:]
        defer { for task in ahead.values { task.cancel() } }
        while true {
            let fetch: Fetch
            if let task = ahead.removeValue(forKey: pageNumber) {
                fetch = await task.value
            } else {
                fetch = await self.fetch(step, page: pageNumber)
            }
            let fetched = fetch.count(into: &report)
            guard case .page(let page) = fetched else { return fetched.failure }
            if firstPage > 1, pageNumber == firstPage, page.records.first?.id != mirrored[base] {
                // The page does not begin where the mirror says (a server that ignores paging, or
                // a list that is not append-only after all): read it whole.
                logger.info("list moved since the last pull; reading it whole", metadata: ["step": "\(step)"])
                for task in ahead.values { task.cancel() }
                ahead = [:]
                return await pull(step, whole: true, now: now, report: &report)
            }
            if let window = step.aheadLimit, let total = page.page?.totalPages, pageNumber < Self.maximumPages {
                let last = min(total, pageNumber + pagesAhead, window, Self.maximumPages)
                if pageNumber < last {
                    for next in (pageNumber + 1)...last where ahead[next] == nil {
                        ahead[next] = Task { await self.fetch(step, page: next) }
                    }
                }
            }
            // A list answered without `page` (`/chat/{id}`) pages by its parameters all the same:
            // a page that repeats ids already read means the server ignored them.
            if pageNumber > 1, page.page == nil, let first = page.records.first?.id, ids.contains(first) {
                logger.warning("paging ignored", metadata: ["step": "\(step)"])
                return .pulled(ids: ids, changed: changed)
            }
            do {
                let written = try await store.write(page.records, list: step.listKey, offset: base + ids.count, now: now())
                report.entries += written.entries
                if !written.entries.isEmpty { report.changedTiers.insert(step.tier) }
                // A page may bring records of another collection besides (a home page with its banners).
                ids += page.records.filter { $0.collection == step.collection }.map(\.id)
                changed.formUnion(written.entries.map(\.recordID))
                // A server that ignores `current_page` answers page 1 again: stop there, and do
                // not take the list as complete.
                if pageNumber > 1, let current = page.page?.current, current != pageNumber {
                    logger.warning("paging ignored", metadata: ["step": "\(step)"])
                    return .pulled(ids: ids, changed: changed)
                }
                // Without `page`, a full page may have a next one.
                let more = (page.page.map(\.hasNext) ?? (page.records.count >= pageSize)) && pageNumber < Self.maximumPages
                if step.paging.readsOn(after: pageNumber, more: more, broughtNew: !written.entries.isEmpty) {
                    pageNumber += 1
                    continue
                }
            } catch {
                // A stop cancels the pull mid-page: the transaction did not happen, nothing to report.
                if !(error is CancellationError) {
                    logger.error("mirror write failed", metadata: ["step": "\(step)", "error": "\(type(of: error))"])
                }
                report.failures.append(step.listKey)
                return .failed
            }
            break
        }
        if step.paging.isWhole {
            guard await reconcile(step, ids: ids, now: now, report: &report) else { return .failed }
        }
        return .pulled(ids: ids, changed: changed)
    }

    /// Tells the store the list is complete. An empty answer for a list that held records is
    /// asked for once more before it is believed.
    private func reconcile(_ step: PullStep, ids: [Int], now: @Sendable () -> Date, report: inout PullReport) async -> Bool {
        do {
            var result = try await store.completeList(step.listKey, of: step.collection, ids: ids, now: now())
            if result == .needsConfirmation {
                guard case .page(let again) = await fetch(step, page: 1).count(into: &report) else { return false }
                guard again.records.isEmpty else {
                    // Not empty after all: the next pull walks it whole.
                    return true
                }
                result = try await store.completeList(step.listKey, of: step.collection, ids: [], emptyConfirmed: true, now: now())
            }
            if case .applied(let removed, let deleted) = result {
                report.entries += deleted
                if removed > 0 || !deleted.isEmpty { report.changedTiers.insert(step.tier) }
            }
            return true
        } catch {
            report.failures.append(step.listKey)
            return false
        }
    }

    enum Fetched: Sendable {
        case page(PageDecoder.DecodedPage)
        case failed
        case authExpired

        var failure: StepResult {
            switch self {
            case .authExpired: .authExpired
            case .page, .failed: .failed
            }
        }
    }

    /// One page asked for and decoded, and what the asking counts for the report.
    struct Fetch: Sendable {
        let fetched: Fetched
        let answered: Bool
        let failure: String?

        /// The page, once its request, answer and failure are counted in `report`.
        func count(into report: inout PullReport) -> Fetched {
            report.requests += 1
            if answered { report.answered += 1 } else { report.unanswered += 1 }
            if let failure { report.failures.append(failure) }
            return fetched
        }
    }

    /// Asks for one page and decodes it, off the actor so that pages asked for ahead decode
    /// while another is written.
    private nonisolated func fetch(_ step: PullStep, page: Int) async -> Fetch {
        var parameters = step.parameters
        if step.paging != .single {
            parameters["current_page"] = .integer(page)
            parameters["page_size"] = .integer(pageSize)
        }
        let outcome = await client.callRaw(step.endpoint, path: step.path, parameters: parameters)
        let answered: Bool
        switch outcome {
        case .applied, .rejected, .authExpired: answered = true
        case .retryable, .unknown: answered = false
        }
        switch outcome {
        case .applied(let body):
            do {
                return Fetch(fetched: .page(try PageDecoder.decode(Data(body.readableBytesView), for: step, role: role)), answered: answered, failure: nil)
            } catch {
                logger.warning("unreadable page", metadata: ["step": "\(step)", "error": "\(error)"])
                return Fetch(fetched: .failed, answered: answered, failure: step.listKey)
            }
        case .authExpired:
            return Fetch(fetched: .authExpired, answered: answered, failure: nil)
        default:
            logger.info("step not pulled", metadata: ["step": "\(step)", "outcome": "\(outcome)"])
            return Fetch(fetched: .failed, answered: answered, failure: step.listKey)
        }
    }
}

/// What one pull did: requests made, the journal entries it added, the lists that failed.
public struct PullReport: Sendable {
    public var requests = 0
    /// Requests the upstream answered (whatever it said), and those it did not.
    public var answered = 0
    public var unanswered = 0
    public var entries: [JournalEntry] = []
    /// The tiers of the steps that changed the mirror: the schedule keeps their intervals short.
    public var changedTiers = Set<PullTier>()
    public var failures: [String] = []
    public var authExpired = false

    public init() {}
}

extension PullReport {
    /// Whether the upstream was reachable: it answered at least one request. Online and offline
    /// come from real outcomes like this one, never from pinging a third party.
    public var reachedUpstream: Bool { answered > 0 }
}
