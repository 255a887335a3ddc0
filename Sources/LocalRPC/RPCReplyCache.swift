import NIOCore
import Synchronization
import VolunteerAPI

/// The results of reads that nothing has changed since, so that a read asked again is answered
/// from memory: what every open screen does after each change notification, and what a script
/// polling a list does all day.
///
/// Only methods marked ``RPCMethod/cacheable`` use it: their result must depend on nothing but
/// their params and the data that `generation` follows. A result is stored under the generation
/// taken before its handler ran and served only while the generation is still that value, so a
/// reply is never older than the data was when the request arrived. `generation` answering nil
/// (no one logged in) turns serving and storing off. Bounded by `maxBytes`: when a result does
/// not fit, the cache starts over. Medical data is not kept longer than it can be served: the
/// first lookup after the generation moved or went nil empties the cache, and so does
/// ``removeAll()`` (a logout); a result whose generation is no longer current when its handler
/// ends is not stored at all.
public final class RPCReplyCache: Sendable {
    /// The data's version now (equal values: nothing changed), or nil when nothing may be served.
    public typealias Generation = @Sendable () -> UInt64?

    struct Key: Hashable, Sendable {
        let method: String
        /// The params as parsed (by name or by position, as sent); nil when absent.
        let params: JSONValue?
    }

    /// Hits and misses since start (the tests read them).
    public struct Counts: Sendable, Hashable {
        public var hits = 0
        public var misses = 0
    }

    private struct State: Sendable {
        var generation: UInt64 = 0
        var results: [Key: ByteBuffer] = [:]
        var bytes = 0
        var counts = Counts()
    }

    public let maxBytes: Int
    private let generation: Generation
    private let state = Mutex(State())

    public init(maxBytes: Int = 8 << 20, generation: @escaping Generation) {
        self.maxBytes = maxBytes
        self.generation = generation
    }

    public var counts: Counts { state.withLock { $0.counts } }

    /// How many results are held now (the tests read it).
    var storedResults: Int { state.withLock { $0.results.count } }

    /// The generation to store a result under, taken before its handler runs.
    func currentGeneration() -> UInt64? { generation() }

    /// The stored result (its JSON text) of `key` when the data has not changed since it was
    /// stored. The buffer shares the cache's storage: writing it copies nothing.
    func result(for key: Key) -> ByteBuffer? {
        guard let now = generation() else {
            removeAll()
            return nil
        }
        return state.withLock { state in
            if state.generation != now {
                state.generation = max(state.generation, now)
                state.results.removeAll()
                state.bytes = 0
            }
            guard state.generation == now, let result = state.results[key] else {
                state.counts.misses += 1
                return nil
            }
            state.counts.hits += 1
            return result
        }
    }

    /// Keeps `result` for `key`, computed from the data as of `generation`.
    func store(_ result: ByteBuffer, for key: Key, at generation: UInt64) {
        let size = Self.size(result, key)
        guard size <= maxBytes / 4 else { return }
        state.withLock { state in
            // A read that was running while the data changed, or while its account logged out
            // (``removeAll()`` comes after the session is gone), is not kept: it could never
            // be served, and would stay in memory until the next lookup.
            guard self.generation() == generation else { return }
            // A newer generation empties the cache.
            if generation > state.generation {
                state.generation = generation
                state.results.removeAll(keepingCapacity: true)
                state.bytes = 0
            }
            guard generation == state.generation else { return }
            if state.bytes + size > maxBytes {
                state.results.removeAll(keepingCapacity: true)
                state.bytes = 0
            }
            if let old = state.results.updateValue(result, forKey: key) {
                state.bytes -= Self.size(old, key)
            }
            state.bytes += size
        }
    }

    /// Forgets every result at once.
    public func removeAll() {
        state.withLock { state in
            state.results.removeAll()
            state.bytes = 0
        }
    }

    /// What an entry is counted as: its text, and a fixed allowance for the key and the table.
    private static func size(_ result: ByteBuffer, _ key: Key) -> Int {
        result.readableBytes + key.method.utf8.count + 128
    }
}
