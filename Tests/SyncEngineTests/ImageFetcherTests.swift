import Foundation
import GRDB
import Logging
import MirrorStore
import ReferenceServer
import ReferenceServerTestKit
import Testing
import VolunteerAPI

@testable import MirrorStore
@testable import SyncEngine
@testable import UpstreamClient

/// The image cache's real pieces: vdapi as the API, a second HTTP server on another loopback
/// port as the image host, the doctor's session, a mirror file, the cache's directory, and the
/// fetcher's own loop.
@Suite("Image fetcher", .serialized)
struct ImageFetcherTests {
    /// Runs `body` with a fetcher for the demo doctor running its loop; stops it after.
    static func withFetcher(
        configure: (inout ImageFetcher.Configuration) -> Void = { _ in },
        _ body: (ImageFetcher, RunningImageHost, SyncWorld) async throws -> Void
    ) async throws {
        try await RunningImageHost.withRunning { host in
            try await SyncWorld.withRunning("13800000001", .doctor) { world in
                let directory = FileManager.default.temporaryDirectory.appendingPathComponent("images-\(UUID().uuidString)/images")
                defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
                var configuration = ImageFetcher.Configuration(directory: directory)
                configure(&configuration)
                var logger = Logger(label: "image-test")
                logger.logLevel = .warning
                let fetcher = ImageFetcher(configuration: configuration, store: world.store, client: world.client, logger: logger)
                let loop = Task { await fetcher.run(userID: world.userID) }
                var failure: (any Error)?
                do { try await body(fetcher, host, world) } catch { failure = error }
                loop.cancel()
                await loop.value
                if let failure { throw failure }
            }
        }
    }

    /// Waits until `condition` holds, checking again every few milliseconds, or fails after `timeout`.
    static func eventually(_ what: String, timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("timed out waiting for \(what)")
        throw CancellationError()
    }

    static func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test("a picture on another host is downloaded without the API's token, into a 0600 file of a 0700 directory")
    func otherHostWithoutToken() async throws {
        try await Self.withFetcher { fetcher, host, world in
            let url = host.url("/img/casebook-1?bytes=1500")
            #expect(try await fetcher.cached(url) == nil)
            try await fetcher.request(url)
            try await Self.eventually("the picture cached") { try await fetcher.cached(url) != nil }
            let picture = try #require(try await fetcher.cached(url))
            #expect(picture.contentType == "image/png")
            #expect(picture.bytes == RunningImageHost.png("casebook-1", bytes: 1500))
            #expect(await world.client.session?.token.isEmpty == false, "the doctor has a token to leak")
            #expect(host.requests.map(\.path) == ["/img/casebook-1"])
            #expect(host.requests.allSatisfy { $0.authToken == nil }, "the image host saw the API's token")
            let directory = fetcher.files.directory.path
            #expect(try Self.mode(directory) == 0o700)
            let names = fetcher.files.names()
            #expect(names.count == 1)
            for name in names { #expect(try Self.mode(directory + "/" + name) == 0o600) }
            let figures = await fetcher.figures()
            #expect(figures == ImageCacheFigures(files: 1, bytes: 1500, waiting: 0, failed: 0))
        }
    }

    @Test("a redirect from the image host is followed, still without the token")
    func redirectWithoutToken() async throws {
        try await Self.withFetcher { fetcher, host, _ in
            let url = host.url("/redirect/avatar-2")
            try await fetcher.request(url)
            try await Self.eventually("the redirected picture cached") { try await fetcher.cached(url) != nil }
            #expect(host.requests.map(\.path) == ["/redirect/avatar-2", "/img/avatar-2"])
            #expect(host.requests.allSatisfy { $0.authToken == nil })
        }
    }

    @Test("a picture's bytes count in the link usage the downloader shares with the API client")
    func picturesCountInLinkUsage() async throws {
        try await RunningImageHost.withRunning { host in
            let meter = LinkUsageMeter()
            let downloader = ImageDownloader(apiBaseURL: host.base, maximumBytes: 1 << 20, linkUsage: meter)
            let picture = await downloader.download(try #require(URL(string: host.url("/img/counted?bytes=1500"))), token: nil)
            try await downloader.shutdown()
            #expect(picture == .image(contentType: "image/png", bytes: RunningImageHost.png("counted", bytes: 1500)))
            let total = meter.snapshot.total
            #expect(total.requests == 1 && total.bytesSent > 0)
            #expect(total.bytesReceived > 1500 && total.bytesReceived < 1500 + 1024, "the picture and its head: \(total)")
            #expect(total.bytesDecoded == total.bytesReceived, "pictures are not asked compressed")
            #expect(meter.report().today.traffic == total)
        }
    }

    @Test("a downloader's shutdown leaves the image loop running, for a name lookup that ends late and for the next downloader")
    func shutdownKeepsTheLoop() async throws {
        try await RunningImageHost.withRunning { host in
            let url = try #require(URL(string: host.url("/img/again")))
            let first = ImageDownloader(apiBaseURL: host.base, maximumBytes: 1 << 20)
            #expect(await first.download(url, token: nil) == .image(contentType: "image/png", bytes: RunningImageHost.png("again", bytes: 1000)))
            try await first.shutdown()
            // What a lookup finishing after the shutdown does: complete its promise on the loop.
            #expect(try await ImageDownloader.eventLoopGroup.next().submit { 42 }.get() == 42)
            let next = ImageDownloader(apiBaseURL: host.base, maximumBytes: 1 << 20)
            #expect(await next.download(url, token: nil) == .image(contentType: "image/png", bytes: RunningImageHost.png("again", bytes: 1000)))
            try await next.shutdown()
        }
    }

    @Test("the downloader sends the token to the API's own origin only")
    func tokenOnlyToTheAPI() async throws {
        try await RunningImageHost.withRunning { host in
            let url = try #require(URL(string: host.url("/img/own")))
            // The image host taken for the API's origin: the token goes with the request ...
            let asAPI = ImageDownloader(apiBaseURL: host.base, maximumBytes: 1 << 20)
            let own = await asAPI.download(url, token: "secret-token")
            try await asAPI.shutdown()
            // ... and with another API origin (another port of the same host), it does not.
            let other = try #require(URL(string: "http://127.0.0.1:1"))
            let elsewhere = ImageDownloader(apiBaseURL: other, maximumBytes: 1 << 20)
            let foreign = await elsewhere.download(url, token: "secret-token")
            try await elsewhere.shutdown()
            #expect(own == .image(contentType: "image/png", bytes: RunningImageHost.png("own", bytes: 1000)))
            #expect(foreign == own)
            #expect(host.requests.map(\.authToken) == ["secret-token", nil])
            let api = try #require(URL(string: "https://api.example.org:443/v1"))
            for (candidate, same) in [
                ("HTTPS://API.example.org/x", true), ("http://api.example.org/x", false), ("https://api.example.org:8443/x", false),
                ("https://api.example.org.evil.test/x", false),
            ] {
                #expect(ImageDownloader.isSameOrigin(try #require(URL(string: candidate)), as: api) == same, "\(candidate)")
            }
        }
    }

    @Test("a picture the API itself serves (an /imgupload) is cached too")
    func sameOrigin() async throws {
        try await Self.withFetcher { fetcher, _, world in
            let bytes = [UInt8](RunningImageHost.png("upload", bytes: 800))
            guard case .applied(let uploaded) = await world.client.upload(UpstreamFile(bytes: bytes, filename: "x.png", contentType: "image/png")) else {
                Issue.record("the upload failed")
                return
            }
            try await fetcher.request(uploaded.url)
            try await Self.eventually("the upload cached") { try await fetcher.cached(uploaded.url) != nil }
            #expect(try await fetcher.cached(uploaded.url)?.bytes == Data(bytes))
        }
    }

    @Test(
        "on a metered link (no prefetch) the mirror's pictures are not planned, and a requested one is still fetched",
        arguments: [true, false])
    func prefetch(_ prefetch: Bool) async throws {
        try await Self.withFetcher(configure: { $0.prefetch = prefetch }) { fetcher, host, world in
            _ = await world.puller.pullAll()
            await fetcher.replan()
            let url = host.url("/img/asked-for?bytes=600")
            try await fetcher.request(url)
            try await Self.eventually("the requested picture cached") { try await fetcher.cached(url) != nil }
            // The plan ran before the request was served (a replan comes first in the loop).
            let figures = await fetcher.figures()
            if prefetch {
                #expect(figures.waiting > 0, "the demo doctor's mirror names pictures: they are wanted ahead")
            } else {
                #expect(figures.waiting == 0, "nothing wanted ahead on a metered link")
                #expect(host.requests.map(\.path) == ["/img/asked-for"])
            }
        }
    }

    @Test("past the cap, the least recently used picture is evicted: its file removed, the rest kept")
    func leastRecentlyUsedEvicted() async throws {
        try await Self.withFetcher(configure: { $0.maximumBytes = 2500 }) { fetcher, host, _ in
            let (a, b, c) = (host.url("/img/a"), host.url("/img/b"), host.url("/img/c"))
            for url in [a, b] {
                try await fetcher.request(url)
                try await Self.eventually("\(url) cached") { try await fetcher.cached(url) != nil }
            }
            // a was read after b was downloaded: b is the least recently used.
            #expect(try await fetcher.cached(a) != nil)
            try await fetcher.request(c)
            try await Self.eventually("c cached") {
                guard await fetcher.figures().files == 2 else { return false }
                return try await fetcher.cached(c) != nil
            }
            #expect(try await fetcher.cached(b) == nil, "b was evicted")
            #expect(try await fetcher.cached(a) != nil, "a was kept")
            #expect(fetcher.files.names().count == 2, "b's file is gone")
            let figures = await fetcher.figures()
            #expect(figures.bytes == 2000 && figures.bytes <= 2500)
        }
    }

    @Test("a picture recorded stays when the eviction after it fails: its file kept and named, the cap restored by the next")
    func failedEvictionKeepsTheRecordedPicture() async throws {
        try await Self.withFetcher(configure: { $0.maximumBytes = 2500 }) { fetcher, host, world in
            let (a, b, c, d) = (host.url("/img/a"), host.url("/img/b"), host.url("/img/c"), host.url("/img/d"))
            for url in [a, b] {
                try await fetcher.request(url)
                try await Self.eventually("\(url) cached") { try await fetcher.cached(url) != nil }
            }
            // The eviction's UPDATE fails in SQLite itself, after c's record committed.
            try await world.store.pool.write { db in
                try db.execute(
                    sql: """
                        CREATE TRIGGER refuse_eviction BEFORE UPDATE OF state ON image_cache WHEN NEW.state = 'evicted'
                        BEGIN SELECT RAISE(ABORT, 'eviction refused by the test'); END
                        """)
            }
            try await fetcher.request(c)
            try await Self.eventually("c cached") { try await fetcher.cached(c) != nil }
            #expect(fetcher.files.names().count == 3, "c's file was removed after its record")
            #expect(try await world.store.imageFiles() == Set(fetcher.files.names()), "the index and the directory disagree")
            #expect(await fetcher.figures().bytes == 3000, "over the cap until an eviction succeeds")

            try await world.store.pool.write { db in try db.execute(sql: "DROP TRIGGER refuse_eviction") }
            try await fetcher.request(d)
            try await Self.eventually("d cached, the cap held again") {
                guard try await fetcher.cached(d) != nil else { return false }
                return await fetcher.figures().bytes <= 2500
            }
            #expect(try await world.store.imageFiles() == Set(fetcher.files.names()))
        }
    }

    @Test("an answer over the size limit, or not an image, is refused and tried again only later")
    func refusals() async throws {
        try await Self.withFetcher(configure: { $0.maximumFileBytes = 2000 }) { fetcher, host, world in
            let (large, page) = (host.url("/img/large?bytes=5000"), host.url("/page/p"))
            let started = Date()
            try await fetcher.request(large)
            try await fetcher.request(page)
            try await Self.eventually("both refused") { await fetcher.figures().failed == 2 }
            #expect(try await fetcher.cached(large) == nil)
            #expect(try await fetcher.cached(page) == nil)
            #expect(fetcher.files.names().isEmpty, "nothing of a refused answer is kept")
            let next = try #require(try await world.store.nextImageAttempt())
            #expect(next.timeIntervalSince(started) >= 3500, "a refusal waits an hour before the next attempt")
            let figures = await fetcher.figures()
            #expect(figures.waiting == 2 && figures.files == 0)
        }
    }
}
