import Logging
import NIOCore
import Synchronization
import Testing
import VolunteerAPI

@testable import LocalRPC

/// Data with a version, as the mirror has one: `write` changes the value and the generation.
private final class VersionedData: Sendable {
    private let state = Mutex((generation: UInt64(1), value: 0, handlerRuns: 0, open: true))

    var generation: UInt64? { state.withLock { $0.open ? $0.generation : nil } }
    var handlerRuns: Int { state.withLock { $0.handlerRuns } }

    func write(_ value: Int) {
        state.withLock {
            $0.value = value
            $0.generation += 1
        }
    }

    func close() { state.withLock { $0.open = false } }

    /// What the cacheable read's handler does: counts its run and reads the value.
    func read() -> Int {
        state.withLock {
            $0.handlerRuns += 1
            return $0.value
        }
    }
}

/// A cacheable read (`data.read`, which echoes its params) and a plain write (`data.write`).
private func dispatcher(_ data: VersionedData, maxBytes: Int = 1 << 20) throws -> RPCDispatcher {
    let read = RPCMethod(
        "data.read", summary: "the value", access: .read, params: [.optional("tag", RPCSchema.string())],
        result: .init("value", RPCSchema.object()), cacheable: true
    ) { params, _ in
        ["value": .integer(data.read()), "tag": .string(try params.optionalString("tag") ?? "")]
    }
    let write = RPCMethod(
        "data.write", summary: "sets the value", access: .write, params: [.required("value", RPCSchema.integer())],
        result: .init("ok", RPCSchema.boolean())
    ) { params, _ in
        data.write(try params.requiredInt("value"))
        return true
    }
    return RPCDispatcher(
        registry: try RPCRegistry([read, write]), info: TestServer.info,
        replyCache: RPCReplyCache(maxBytes: maxBytes) { data.generation }, logger: Logger(label: "test.cache"))
}

private func withServer(_ data: VersionedData, _ body: (TestClient) async throws -> Void) async throws {
    let directory = try makeTemporaryDirectory()
    let server = RPCServer(dispatcher: try dispatcher(data), configuration: RPCServerConfiguration(), logger: Logger(label: "test.cache"))
    try await server.start(RPCListener(socketPath: directory + "/vdsyncd.sock"))
    let client = try await TestClient.connect(directory + "/vdsyncd.sock")
    do {
        try await body(client)
    } catch {
        await client.close()
        await server.stop()
        throw error
    }
    await client.close()
    await server.stop()
}

@Suite("Reply cache: reads nothing changed since, answered from memory")
struct ReplyCacheTests {
    @Test("a result is served only at the generation it was stored under, and not without one")
    func generations() {
        let generation = Mutex<UInt64?>(5)
        let cache = RPCReplyCache { generation.withLock { $0 } }
        let key = RPCReplyCache.Key(method: "m", params: nil)
        cache.store(ByteBuffer(string: "1"), for: key, at: 5)
        #expect(cache.result(for: key) == ByteBuffer(string: "1"))
        #expect(cache.result(for: .init(method: "m", params: [:])) == nil)
        generation.withLock { $0 = 6 }
        #expect(cache.result(for: key) == nil)
        // Computed from data older than what is cached now: dropped, not served.
        cache.store(ByteBuffer(string: "2"), for: key, at: 6)
        cache.store(ByteBuffer(string: "old"), for: key, at: 5)
        #expect(cache.result(for: key) == ByteBuffer(string: "2"))
        generation.withLock { $0 = nil }
        #expect(cache.result(for: key) == nil)
        #expect(cache.counts == .init(hits: 2, misses: 2))
    }

    @Test("results leave memory once they cannot be served: a logout (no generation), or removeAll")
    func forgotten() {
        let generation = Mutex<UInt64?>(3)
        let cache = RPCReplyCache { generation.withLock { $0 } }
        let key = RPCReplyCache.Key(method: "m", params: nil)
        cache.store(ByteBuffer(string: "patient"), for: key, at: 3)
        generation.withLock { $0 = nil }
        #expect(cache.result(for: key) == nil)
        // Back at the same generation (a login that committed nothing yet): still gone.
        generation.withLock { $0 = 3 }
        #expect(cache.result(for: key) == nil)
        cache.store(ByteBuffer(string: "patient"), for: key, at: 3)
        #expect(cache.result(for: key) != nil)
        cache.removeAll()
        #expect(cache.result(for: key) == nil)
    }

    @Test("a read that ends after a logout or a change is not stored: nothing kept that cannot be served")
    func lateResultsNotStored() {
        let generation = Mutex<UInt64?>(3)
        let cache = RPCReplyCache { generation.withLock { $0 } }
        let key = RPCReplyCache.Key(method: "m", params: nil)
        // Its handler started at 3; the account logged out (the session gone, then removeAll).
        generation.withLock { $0 = nil }
        cache.removeAll()
        cache.store(ByteBuffer(string: "patient"), for: key, at: 3)
        #expect(cache.storedResults == 0, "a logged-out account's result is in memory")
        // Started at 3; a commit came before it ended: never servable either.
        generation.withLock { $0 = 4 }
        cache.store(ByteBuffer(string: "patient"), for: key, at: 3)
        #expect(cache.storedResults == 0, "a result of older data is in memory")
        cache.store(ByteBuffer(string: "patient"), for: key, at: 4)
        #expect(cache.storedResults == 1 && cache.result(for: key) != nil)
    }

    @Test("the cache holds at most its bytes: a result that does not fit starts it over")
    func bounded() {
        let cache = RPCReplyCache(maxBytes: 1200) { 1 }
        func key(_ n: Int) -> RPCReplyCache.Key { .init(method: "m", params: ["n": .integer(n)]) }
        let text = ByteBuffer(string: String(repeating: "a", count: 150))
        cache.store(text, for: key(1), at: 1)
        cache.store(text, for: key(2), at: 1)
        cache.store(text, for: key(3), at: 1)
        #expect(cache.result(for: key(1)) != nil && cache.result(for: key(3)) != nil)
        cache.store(text, for: key(4), at: 1)
        cache.store(text, for: key(5), at: 1)
        #expect(cache.result(for: key(1)) == nil, "started over")
        #expect(cache.result(for: key(5)) != nil)
        // Larger than a quarter of the cache: never kept.
        cache.store(ByteBuffer(string: String(repeating: "e", count: 300)), for: key(1), at: 1)
        #expect(cache.result(for: key(1)) == nil)
    }

    @Test("a reply's head and tail around its result are the bytes the encoder writes for the whole reply")
    func successLine() throws {
        let result: JSONValue = ["items": [["id": 1, "record": ["a": "b/c"]]], "total": 1]
        let text = try RPCJSON.encode(result)
        for id: RPCID in [.integer(7), .integer(-3), .string("s"), .string("quote \" and \\ and \n and 中文 /"), .number(1.5), .null] {
            let line = RPCResponse.successLine(id: id)
            #expect(line.head + text + line.tail == (try RPCJSON.encode(RPCResponse(id: id, outcome: .success(result)).json)), "\(id)")
        }
    }

    @Test("a repeated read runs its handler once; a write makes the next read run it again")
    func repeatedRead() async throws {
        let data = VersionedData()
        try await withServer(data) { client in
            let first = try await client.call("data.read", ["tag": "x"], id: 1)
            let second = try await client.call("data.read", ["tag": "x"], id: "two")
            #expect(first["result"] == ["value": 0, "tag": "x"])
            #expect(second == ["jsonrpc": "2.0", "id": "two", "result": ["value": 0, "tag": "x"]])
            #expect(data.handlerRuns == 1)
            // Other params are another read.
            #expect(try await client.call("data.read", ["tag": "y"])["result"] == ["value": 0, "tag": "y"])
            #expect(data.handlerRuns == 2)
            #expect(try await client.call("data.write", ["value": 7])["result"] == true)
            #expect(try await client.call("data.read", ["tag": "x"])["result"] == ["value": 7, "tag": "x"])
            #expect(data.handlerRuns == 3)
            // Without a generation (no one logged in) every read runs its handler.
            data.close()
            _ = try await client.call("data.read", ["tag": "x"])
            _ = try await client.call("data.read", ["tag": "x"])
            #expect(data.handlerRuns == 5)
        }
    }

    @Test("pipelined reads, cached or not, and writes on one connection are answered in order")
    func pipelinedInOrder() async throws {
        let data = VersionedData()
        try await withServer(data) { client in
            _ = try await client.call(line: #"{"jsonrpc":"2.0","method":"data.read","id":0}"#)
            var lines = ""
            for n in 1...60 {
                // Every fifth request writes n; the reads around it must see the values in order.
                let request =
                    n % 5 == 0
                    ? #"{"jsonrpc":"2.0","method":"data.write","params":{"value":\#(n)},"id":\#(n)}"#
                    : #"{"jsonrpc":"2.0","method":"data.read","id":\#(n)}"#
                lines += request + "\n"
            }
            // A notification of a cached read gets no reply, even when its result is held.
            lines += #"{"jsonrpc":"2.0","method":"data.read"}"# + "\n"
            lines += #"{"jsonrpc":"2.0","method":"data.read","id":"last"}"# + "\n"
            try await client.sendRaw(Array(lines.utf8))
            var latest = 0
            for n in 1...60 {
                let reply = try await client.nextJSON()
                #expect(reply["id"] == .integer(n))
                if n % 5 == 0 {
                    latest = n
                    #expect(reply["result"] == true)
                } else {
                    #expect(reply["result"] == ["value": .integer(latest), "tag": ""])
                }
            }
            #expect(try await client.nextJSON() == ["jsonrpc": "2.0", "id": "last", "result": ["value": 60, "tag": ""]])
            // One run per value the reads saw (0, 5, 10, ... 55; 60 by the notification), the rest from the cache.
            #expect(data.handlerRuns == 13)
        }
    }

    @Test("a line too long to parse on the event loop still gets its reply, the usual way")
    func longLine() async throws {
        let data = VersionedData()
        try await withServer(data) { client in
            let tag = String(repeating: "t", count: RPCConnectionHandler.inlineParseLimit)
            let expected: JSONValue = ["value": 0, "tag": .string(tag)]
            let first = try await client.call("data.read", ["tag": .string(tag)])
            let second = try await client.call("data.read", ["tag": .string(tag)])
            #expect(first["result"] == expected && second["result"] == expected)
            #expect(data.handlerRuns == 1)
        }
    }
}
