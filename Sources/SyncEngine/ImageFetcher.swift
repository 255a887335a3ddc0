import Foundation
import Logging
import MirrorStore
import UpstreamClient

/// Keeps the pictures of the records the role works with on disk (issue #17, "pictures
/// offline"): plans them (``ImagePlan``) from the mirror after each pull, downloads them in the
/// background by priority (``ImageDownloader``), keeps their files (``ImageFiles``) under a size
/// cap, least recently used evicted first, and answers reads of what it holds.
///
/// Guarantees:
/// - **Never in the way.** It runs as its own task (``run(userID:)``, started and stopped with
///   the agent's loops), over its own HTTP client, at most ``Configuration/concurrency``
///   downloads at a time; a pull or an outbox send never waits for it, and a silent image host
///   costs it its own timeouts only. Cancelling its task ends in-flight downloads at once.
/// - **Bounded.** The cached bytes stay at most ``Configuration/maximumBytes``; a picture over
///   ``Configuration/maximumFileBytes`` is refused; the plan is bounded (``ImagePlan/maximumWants``).
/// - **Backoff.** A failed download waits before the next attempt, doubling from
///   ``Configuration/retryBase`` (a refusal: from ``Configuration/refusalBase``) up to
///   ``Configuration/retryCap``: never a hot loop.
/// - **Private.** The API's token goes to the API's own origin only (``ImageDownloader``); the
///   log names outcomes, never a URL or a byte of a picture.
public actor ImageFetcher {
    /// The cache's place and bounds.
    public struct Configuration: Sendable {
        /// The directory of the files (the daemon's: `<state directory>/images`).
        public var directory: URL
        /// The most bytes the cached pictures take together; 0 turns the cache off.
        public var maximumBytes: Int
        /// The largest single picture accepted (never more than `maximumBytes`).
        public var maximumFileBytes = 10 << 20
        /// Downloads at once.
        public var concurrency = 2
        /// Whether the pictures the plan wants (``ImagePlan``) are downloaded ahead; off on a
        /// metered link, where only those a front end asks for (``request(_:)``) are.
        public var prefetch = true
        public var retryBase: Duration = .seconds(30)
        public var refusalBase: Duration = .seconds(3600)
        public var retryCap: Duration = .seconds(6 * 3600)
        public var connectTimeout: Duration = .seconds(5)
        public var readTimeout: Duration = .seconds(15)
        public var requestTimeout: Duration = .seconds(60)

        /// 256 MiB: some thousand photos of a few hundred KiB, small beside a kiosk's disk.
        public static let defaultMaximumBytes = 256 << 20

        public init(directory: URL, maximumBytes: Int = defaultMaximumBytes) {
            self.directory = directory
            self.maximumBytes = maximumBytes
        }

        public var isEnabled: Bool { maximumBytes > 0 }
    }

    /// A cached picture as read: what a front end is given.
    public struct Picture: Sendable, Hashable {
        public var contentType: String
        public var bytes: Data
    }

    public nonisolated let configuration: Configuration
    public nonisolated let files: ImageFiles
    private let store: MirrorStore
    private let client: UpstreamClient
    private let logger: Logger
    private var replanDue = true
    /// The pictures being downloaded now.
    private var inFlight: Set<String> = []
    private var wakeDue = false
    private var sleeper: Task<Void, Never>?
    private var idle: CheckedContinuation<Void, Never>?

    public init(configuration: Configuration, store: MirrorStore, client: UpstreamClient, logger: Logger) {
        self.configuration = configuration
        self.files = ImageFiles(directory: configuration.directory)
        self.store = store
        self.client = client
        self.logger = logger
    }

    // MARK: - Reads and requests (any time)

    /// The cached picture of `url`, marked used; nil when it is not cached (a file that went
    /// missing is wanted again).
    public nonisolated func cached(_ url: String) async throws -> Picture? {
        guard configuration.isEnabled, let image = try await store.cachedImage(url) else { return nil }
        guard let bytes = files.read(image.file) else {
            try await store.imageFileMissing(url)
            return nil
        }
        return Picture(contentType: image.contentType, bytes: bytes)
    }

    /// A front end wants `url`: it is downloaded before any planned picture.
    public func request(_ url: String) async throws {
        guard configuration.isEnabled else { return }
        try await store.requestImage(url, priority: ImagePlan.Priority.requested.rawValue)
        wakeUp()
    }

    /// The mirror changed (a pull): plan again before the next download.
    public func replan() {
        replanDue = true
        wakeUp()
    }

    /// What `status` shows.
    public nonisolated func figures() async -> ImageCacheFigures {
        (try? await store.imageCacheFigures()) ?? ImageCacheFigures()
    }

    /// Removes every file of the cache; the index is the mirror's (a wipe or a reset empties
    /// it). Call it with the loop stopped. Returns how many files went.
    @discardableResult
    public nonisolated func removeAllFiles() -> Int {
        files.removeAll()
    }

    // MARK: - The loop

    /// Plans, downloads and evicts until the task is cancelled, for the account `userID`.
    public func run(userID: Int) async {
        guard configuration.isEnabled else { return }
        let downloader = ImageDownloader(
            apiBaseURL: client.configuration.baseURL, proxy: client.configuration.proxy,
            maximumBytes: min(configuration.maximumFileBytes, configuration.maximumBytes), connectTimeout: configuration.connectTimeout,
            readTimeout: configuration.readTimeout, requestTimeout: configuration.requestTimeout, linkUsage: client.linkUsage)
        await removeStrayFiles()
        replanDue = true
        await withTaskCancellationHandler {
            // A sliding window: a download that hangs holds its own slot only, never the others.
            // A discarding group: a daemon running for months keeps no record of finished downloads.
            await withDiscardingTaskGroup { group in
                while !Task.isCancelled {
                    if replanDue { await plan(userID: userID) }
                    let started = await startDue(in: &group, downloader: downloader)
                    if !started { await waitForWork() }
                }
                group.cancelAll()
            }
        } onCancel: {
            Task { await self.wakeUp() }
        }
        inFlight = []
        try? await downloader.shutdown()
    }

    /// Reads the plan's inputs from the mirror and records the wants.
    private func plan(userID: Int) async {
        replanDue = false
        guard configuration.prefetch else { return }
        let inputs = await ImagePlan.Inputs.read(from: store, userID: userID, today: Puller.apiDate(Date()))
        let wants = ImagePlan.wants(inputs)
        do {
            try await store.planImages(wants.map { (url: $0.url, priority: $0.priority.rawValue) })
        } catch {
            logger.warning("image plan not saved", metadata: ["error": "\(type(of: error))"])
        }
    }

    /// Starts the due pictures that free slots allow; false when it started none.
    private func startDue(in group: inout DiscardingTaskGroup, downloader: ImageDownloader) async -> Bool {
        let free = max(configuration.concurrency, 1) - inFlight.count
        guard free > 0 else { return false }
        let due = ((try? await store.dueImages(limit: free + inFlight.count)) ?? []).filter { !inFlight.contains($0.url) }.prefix(free)
        for image in due {
            inFlight.insert(image.url)
            group.addTask {
                await self.fetch(image, downloader: downloader)
                await self.finished(image.url)
            }
        }
        return !due.isEmpty
    }

    private func finished(_ url: String) {
        inFlight.remove(url)
        wakeUp()
    }

    private func fetch(_ image: DueImage, downloader: ImageDownloader) async {
        guard let url = URL(string: image.url) else {
            await failed(image, reason: "not a URL", refused: true)
            return
        }
        let token = ImageDownloader.isSameOrigin(url, as: client.configuration.baseURL) ? await client.session?.token : nil
        let outcome = await downloader.download(url, token: token)
        guard !Task.isCancelled else { return }
        switch outcome {
        case .image(let contentType, let bytes):
            await keep(image.url, contentType: contentType, bytes: bytes)
        case .refused(let reason):
            await failed(image, reason: reason, refused: true)
        case .failed(let reason):
            await failed(image, reason: reason, refused: false)
        }
    }

    /// Writes the picture's file, records it, then evicts what the cap no longer holds.
    private func keep(_ url: String, contentType: String, bytes: Data) async {
        let name: String
        do {
            name = try files.write(bytes)
        } catch {
            logger.warning("image not written", metadata: ["error": "\((error as? ImageFiles.Failure)?.description ?? "\(type(of: error))")"])
            await failed(DueImage(url: url, attempts: 0), reason: "not written", refused: false)
            return
        }
        do {
            guard try await store.imageCached(CachedImage(url: url, file: name, bytes: bytes.count, contentType: contentType)) else {
                files.remove(name)
                return
            }
        } catch {
            files.remove(name)
            // Stopping (a logout, SIGTERM) cancels the write: expected, not worth a warning.
            guard !(error is CancellationError) else { return }
            logger.warning("image not recorded", metadata: ["error": "\(type(of: error))"])
            return
        }
        logger.debug("image cached", metadata: ["bytes": "\(bytes.count)", "content_type": "\(contentType)"])
        // The picture is recorded and stays, whatever befalls the eviction: removing its file
        // now would leave the index naming a file that is gone. An eviction cut short is done
        // by the next picture kept.
        do {
            for evicted in try await store.evictImages(cap: configuration.maximumBytes, keeping: url) {
                files.remove(evicted.file)
            }
        } catch {
            guard !(error is CancellationError) else { return }
            logger.warning("images not evicted", metadata: ["error": "\(type(of: error))"])
        }
    }

    private func failed(_ image: DueImage, reason: String, refused: Bool) async {
        let attempts = image.attempts + 1
        let delay = Self.retryDelay(attempts: attempts, refused: refused, configuration: configuration)
        logger.info("image download failed", metadata: ["reason": "\(reason)", "attempts": "\(attempts)", "retry_in_s": "\(delay.components.seconds)"])
        try? await store.imageFailed(image.url, attempts: attempts, next: Date().addingTimeInterval(Self.seconds(delay)), reason: reason)
    }

    /// How long after its `attempts`-th failure a picture is tried again: doubling from the
    /// base (a refusal's is longer: the host answered, it will likely answer the same) to the cap.
    static func retryDelay(attempts: Int, refused: Bool, configuration: Configuration) -> Duration {
        let base = refused ? configuration.refusalBase : configuration.retryBase
        let doublings = min(max(attempts - 1, 0), 20)
        return min(base * (1 << doublings), configuration.retryCap)
    }

    private static func seconds(_ duration: Duration) -> TimeInterval {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Files the index does not name: left by a crash between a wipe and the removal of its
    /// files, or by a download cut short. They are nobody's now.
    private func removeStrayFiles() async {
        guard let known = try? await store.imageFiles() else { return }
        let stray = files.removeAll(keeping: known)
        if stray > 0 { logger.notice("stray image files removed", metadata: ["files": "\(stray)"]) }
    }

    // MARK: - Waiting

    /// Sleeps until the next failed picture is due, or until woken (a request, a new plan, a
    /// finished download, the task's cancellation). Pictures due now and not started wait for a
    /// free slot: a finished download wakes the loop. A wake that came while nothing slept is not lost: `wakeDue` keeps it.
    private func waitForWork() async {
        let next = try? await store.nextImageAttempt(after: Date())
        guard !wakeDue, !Task.isCancelled else {
            wakeDue = false
            return
        }
        if let next {
            let sleep = Task { _ = try? await Task.sleep(for: .seconds(max(next.timeIntervalSinceNow, 0.01))) }
            sleeper = sleep
            await sleep.value
            sleeper = nil
        } else {
            await withCheckedContinuation { idle = $0 }
        }
        wakeDue = false
    }

    private func wakeUp() {
        wakeDue = true
        sleeper?.cancel()
        idle?.resume()
        idle = nil
    }
}
