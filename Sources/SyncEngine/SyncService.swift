import Logging
import MirrorStore
import UpstreamClient

/// Runs the pull side of sync: asks its ``SyncSchedule`` what to do, carries it out with the
/// ``Puller``, and tells listeners what happened. The decisions live in the schedule; this
/// actor only owns the clock, the waiting and the state.
public actor SyncService {
    /// What listeners are told, in order.
    public enum Event: Sendable {
        case pulled(tiers: Set<PullTier>, report: PullReport, connectivity: SyncSchedule.Connectivity)
        case authExpired
    }

    private let puller: Puller
    private var schedule: SyncSchedule
    private let logger: Logger
    private var generator: SystemRandomNumberGenerator
    /// The sleep until the next due pull, cancelled to wake the loop early.
    private var sleeper: Task<Void, Never>?
    /// The loop waiting with nothing due (a pull never idles here; an expired token does).
    private var idle: CheckedContinuation<Void, Never>?
    private var listeners: [AsyncStream<Event>.Continuation] = []

    public init(puller: Puller, configuration: SyncSchedule.Configuration = .init(), logger: Logger) {
        self.puller = puller
        self.schedule = SyncSchedule(configuration: configuration, start: .now)
        self.logger = logger
        self.generator = SystemRandomNumberGenerator()
    }

    public var connectivity: SyncSchedule.Connectivity { schedule.connectivity }
    public var isAuthExpired: Bool { schedule.authExpired }
    /// The last pull reached nobody, or left some of its requests unanswered (the link dropped
    /// or came back while it ran): its failed lists wait for a backoff, unless the link is known
    /// to be back sooner (``linkRestored()``).
    public var isOffline: Bool { schedule.connectivity == .offline || schedule.partialFailures > 0 }

    /// Events from now on, until the service stops.
    public func events() -> AsyncStream<Event> {
        let (stream, continuation) = AsyncStream.makeStream(of: Event.self)
        listeners.append(continuation)
        return stream
    }

    /// Pulls these tiers (all by default) as soon as the running pull, if any, is done.
    public func syncNow(_ tiers: Set<PullTier> = Set(PullTier.allCases)) {
        schedule.request(tiers)
        wakeUp()
    }

    /// Resumes after a new login (the puller's client holds the new session).
    public func loggedIn() {
        schedule.loggedIn(now: .now)
        wakeUp()
    }

    /// The link is known to be back (a probe reached the upstream): the hot tier is pulled at
    /// once, without waiting out the backoff.
    public func linkRestored() {
        schedule.linkRestored()
        wakeUp()
    }

    private func wakeUp() {
        sleeper?.cancel()
        idle?.resume()
        idle = nil
    }

    /// Runs until the task is cancelled.
    public func run() async {
        defer {
            for listener in listeners { listener.finish() }
        }
        await withTaskCancellationHandler {
            while !Task.isCancelled {
                await step()
            }
        } onCancel: {
            Task { await self.wakeUp() }
        }
    }

    private func step() async {
        switch schedule.next(now: .now) {
        case .pull(let tiers):
            let before = puller.client.linkUsage.snapshot.total
            let report = await puller.pullAll(tiers: tiers)
            let usage = puller.client.linkUsage.report()
            schedule.finished(
                reachedUpstream: report.reachedUpstream, authExpired: report.authExpired, changed: report.changedTiers,
                unanswered: report.unanswered > 0, now: .now,
                jitterRoll: Double.random(in: 0..<1, using: &generator))
            logger.info(
                "pulled",
                metadata: [
                    "tiers": "\(tiers.sorted().map(\.rawValue))", "requests": "\(report.requests)",
                    "changes": "\(report.entries.count)", "connectivity": "\(schedule.connectivity)",
                    // What the link carried while the pull ran (sends and pictures at the same time
                    // included), and so far today.
                    "bytes_received": "\(puller.client.linkUsage.snapshot.total.bytesReceived - before.bytesReceived)",
                    "bytes_received_today": "\(usage.today.traffic.bytesReceived)",
                ])
            emit(report.authExpired ? .authExpired : .pulled(tiers: tiers, report: report, connectivity: schedule.connectivity))
        case .wait(let until):
            let sleep = Task { _ = try? await Task.sleep(until: until, clock: .continuous) }
            sleeper = sleep
            await sleep.value
            sleeper = nil
        case .idle:
            guard !Task.isCancelled else { return }
            await withCheckedContinuation { idle = $0 }
        }
    }

    private func emit(_ event: Event) {
        for listener in listeners { listener.yield(event) }
    }
}
