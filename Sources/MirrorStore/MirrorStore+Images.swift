import Foundation
import GRDB

/// One picture the cache holds: where its file is (a name in the cache's directory) and what
/// it is. Its URL is the key; the URL is never logged (it may name a patient's photo).
public struct CachedImage: Sendable, Hashable {
    public var url: String
    /// The file's name in the cache's directory (random, not derived from the URL).
    public var file: String
    public var bytes: Int
    public var contentType: String

    public init(url: String, file: String, bytes: Int, contentType: String) {
        self.url = url
        self.file = file
        self.bytes = bytes
        self.contentType = contentType
    }
}

/// A picture due for a download: its URL and how many attempts failed before.
public struct DueImage: Sendable, Hashable {
    public var url: String
    public var attempts: Int

    public init(url: String, attempts: Int) {
        self.url = url
        self.attempts = attempts
    }
}

/// What `status` shows of the image cache: counts and bytes, never a URL.
public struct ImageCacheFigures: Sendable, Hashable {
    /// Pictures held as files, and their bytes.
    public var files = 0
    public var bytes = 0
    /// Pictures wanted and not downloaded yet (failed ones included).
    public var waiting = 0
    /// Of those, pictures whose last download failed (they are tried again later).
    public var failed = 0

    public init(files: Int = 0, bytes: Int = 0, waiting: Int = 0, failed: Int = 0) {
        self.files = files
        self.bytes = bytes
        self.waiting = waiting
        self.failed = failed
    }
}

/// The image cache's index (table `image_cache`, migration `v8-images`: why it lives here is
/// said there). Every change is one transaction; the files are the caller's (``ImageFetcher``
/// in SyncEngine writes and removes them), so a row says `cached` only after its file was
/// written, and a file is removed only after its row stopped saying so.
extension MirrorStore {
    /// Replaces the planner's wants: each URL is wanted with its priority (a new one waits for
    /// its download); a picture no longer planned and not cached is forgotten unless a front end
    /// asked for it, and a cached one keeps its file (the size cap evicts it in its turn) at
    /// priority 0.
    public func planImages(_ wants: [(url: String, priority: Int)]) async throws {
        try await pool.write { db in
            let urls = "[" + wants.map { Self.jsonString($0.url) }.joined(separator: ",") + "]"
            try db.execute(
                sql: "DELETE FROM image_cache WHERE state != 'cached' AND requested = 0 AND url NOT IN (SELECT value FROM json_each(?))",
                arguments: [urls])
            try db.execute(
                sql: "UPDATE image_cache SET priority = 0 WHERE requested = 0 AND url NOT IN (SELECT value FROM json_each(?))", arguments: [urls])
            let upsert = try db.cachedStatement(
                sql: """
                    INSERT INTO image_cache (url, state, priority) VALUES (?, 'waiting', ?)
                    ON CONFLICT(url) DO UPDATE SET priority = CASE WHEN requested = 1 THEN MAX(priority, excluded.priority) ELSE excluded.priority END
                    """)
            for want in wants {
                try upsert.execute(arguments: [want.url, want.priority])
            }
        }
    }

    /// A front end asked for `url`: it is wanted at `priority` at least, whatever the plan says,
    /// and one the size cap pushed out is fetched again. A failed one keeps its backoff, so a
    /// front end asking again and again does not turn into a download each time.
    public func requestImage(_ url: String, priority: Int) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO image_cache (url, state, priority, requested) VALUES (?, 'waiting', ?, 1)
                    ON CONFLICT(url) DO UPDATE SET priority = MAX(priority, excluded.priority), requested = 1,
                        state = CASE WHEN state = 'evicted' THEN 'waiting' ELSE state END
                    """,
                arguments: [url, priority])
        }
    }

    /// The pictures to download now, highest priority first, at most `limit`.
    public func dueImages(now: Date = Date(), limit: Int) async throws -> [DueImage] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT url, attempts FROM image_cache WHERE state = 'waiting' AND next_attempt_at <= ? ORDER BY priority DESC, rowid LIMIT ?",
                arguments: [now.timeIntervalSince1970, limit]
            ).map { DueImage(url: $0["url"], attempts: $0["attempts"]) }
        }
    }

    /// When the next waiting picture not due yet at `after` becomes due; nil when none waits.
    public func nextImageAttempt(after: Date = .distantPast) async throws -> Date? {
        try await pool.read { db in
            try Double.fetchOne(
                db, sql: "SELECT MIN(next_attempt_at) FROM image_cache WHERE state = 'waiting' AND next_attempt_at > ?",
                arguments: [after.timeIntervalSince1970]
            ).map(Date.init(timeIntervalSince1970:))
        }
    }

    /// Records a downloaded picture whose file is written. False when the picture is no longer
    /// wanted (its row went while it downloaded): the caller removes the file.
    public func imageCached(_ image: CachedImage, now: Date = Date()) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE image_cache SET state = 'cached', file = ?, bytes = ?, content_type = ?, last_used = ?, attempts = 0,
                        next_attempt_at = 0, last_error = NULL
                    WHERE url = ? AND state = 'waiting'
                    """,
                arguments: [image.file, image.bytes, image.contentType, now.timeIntervalSince1970, image.url])
            return db.changesCount > 0
        }
    }

    /// Records a failed download: tried again at `next`. `reason` names what failed, never the URL.
    public func imageFailed(_ url: String, attempts: Int, next: Date, reason: String) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE image_cache SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE url = ? AND state = 'waiting'",
                arguments: [attempts, next.timeIntervalSince1970, reason, url])
        }
    }

    /// The cached picture of `url`, marked used now (the least recently used goes first).
    public func cachedImage(_ url: String, now: Date = Date()) async throws -> CachedImage? {
        try await pool.write { db in
            try db.execute(sql: "UPDATE image_cache SET last_used = ? WHERE url = ? AND state = 'cached'", arguments: [now.timeIntervalSince1970, url])
            return try Row.fetchOne(db, sql: "SELECT url, file, bytes, content_type FROM image_cache WHERE url = ? AND state = 'cached'", arguments: [url])
                .map { CachedImage(url: $0["url"], file: $0["file"], bytes: $0["bytes"], contentType: $0["content_type"]) }
        }
    }

    /// A cached picture whose file is gone (removed by hand, a disk error): wanted again.
    public func imageFileMissing(_ url: String) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE image_cache SET state = 'waiting', file = NULL, bytes = 0, next_attempt_at = 0 WHERE url = ? AND state = 'cached'",
                arguments: [url])
        }
    }

    /// Keeps the cached bytes at most `cap`: the least recently used pictures but `keeping` are
    /// marked evicted, in one transaction, and returned so that the caller removes their files.
    public func evictImages(cap: Int, keeping: String? = nil) async throws -> [CachedImage] {
        try await pool.write { db in
            var total = try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(bytes), 0) FROM image_cache WHERE state = 'cached'") ?? 0
            guard total > cap else { return [] }
            var evicted: [CachedImage] = []
            let rows = try Row.fetchCursor(
                db, sql: "SELECT url, file, bytes, content_type FROM image_cache WHERE state = 'cached' AND url IS NOT ? ORDER BY last_used, rowid",
                arguments: [keeping])
            while total > cap, let row = try rows.next() {
                let image = CachedImage(url: row["url"], file: row["file"], bytes: row["bytes"], contentType: row["content_type"])
                evicted.append(image)
                total -= image.bytes
            }
            for image in evicted {
                try db.execute(
                    sql: "UPDATE image_cache SET state = 'evicted', file = NULL, bytes = 0, requested = 0 WHERE url = ?", arguments: [image.url])
            }
            return evicted
        }
    }

    /// The names of every file the index holds, to find files it does not (left by a crash
    /// between a wipe and the removal of its files).
    public func imageFiles() async throws -> Set<String> {
        try await pool.read { db in Set(try String.fetchAll(db, sql: "SELECT file FROM image_cache WHERE file IS NOT NULL")) }
    }

    /// The figures `status` shows.
    public func imageCacheFigures() async throws -> ImageCacheFigures {
        try await pool.read { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT COALESCE(SUM(state = 'cached'), 0) AS files, COALESCE(SUM(CASE WHEN state = 'cached' THEN bytes ELSE 0 END), 0) AS bytes,
                           COALESCE(SUM(state = 'waiting'), 0) AS waiting, COALESCE(SUM(state = 'waiting' AND attempts > 0), 0) AS failed
                    FROM image_cache
                    """)
            guard let row else { return ImageCacheFigures() }
            return ImageCacheFigures(files: row["files"], bytes: row["bytes"], waiting: row["waiting"], failed: row["failed"])
        }
    }

    private static func jsonString(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])) ?? Data("[\"\"]".utf8)
        return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
    }
}
