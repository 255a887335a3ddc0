import Foundation
import GRDB
import NIOCore
import NIOHTTP1
import NIOHTTPCompression
import NIOPosix
import Synchronization
import Testing
import UpstreamClient
import VolunteerAPI

/// The agent asks for gzip and decodes it (AsyncHTTPClient's decompression), within a size limit
/// against decompression bombs, and counts what the link carried (``LinkUsage``).
@Suite("HTTP compression and link usage")
struct CompressionTests {
    /// Hospitals enough for a list well over vdapi's 1 kB threshold.
    private static func insertHospitals(_ upstream: TestUpstream, count: Int = 60) async throws {
        try await upstream.database.write { db in
            for index in 0..<count {
                try db.execute(
                    sql: "INSERT INTO hospital (name, tag, addr, level) VALUES (?, '综合', '杭州市西湖区文三路', '三甲医院')", arguments: ["第\(index)人民医院"])
            }
        }
    }

    @Test("a list decodes to the same records with and without compression, and gzip costs fewer bytes on the wire")
    func sameRecordsFewerBytes() async throws {
        try await TestUpstream.withRunning { upstream in
            try await Self.insertHospitals(upstream)
            #expect(upstream.client.configuration.compression, "on by default")
            let compressed = await upstream.client.call(.hospitals, parameters: ["page_size": 100], as: RecordList<Hospital>.self)
            let compressedUsage = upstream.client.linkUsage.snapshot.total
            try await upstream.withClient(configure: { $0.compression = false }) { plainClient in
                let plain = await plainClient.call(.hospitals, parameters: ["page_size": 100], as: RecordList<Hospital>.self)
                let records = try #require(compressed.payload, "\(compressed)").records
                #expect(records.count >= 60)
                #expect(records == (try #require(plain.payload, "\(plain)").records))

                let plainUsage = plainClient.linkUsage.snapshot.total
                #expect(compressedUsage.requests == 1 && plainUsage.requests == 1)
                #expect(compressedUsage.bytesReceived < compressedUsage.bytesDecoded / 3, "gzip on the wire: \(compressedUsage)")
                #expect(compressedUsage.bytesDecoded > 2000)
                #expect(plainUsage.bytesReceived == plainUsage.bytesDecoded, "a plain answer is the same on the wire and decoded")
                #expect(compressedUsage.bytesReceived < plainUsage.bytesReceived / 3)
                #expect(compressedUsage.bytesSent > plainUsage.bytesSent, "the request says Accept-Encoding: gzip")
            }
        }
    }

    @Test("a request asks for gzip only when compression is on")
    func acceptEncodingHeader() throws {
        let base = try #require(URL(string: "http://127.0.0.1:9"))
        var request = try UpstreamRequest(endpoint: .hospitals, baseURL: base)
        #expect(request.headers["Accept-Encoding"].isEmpty)
        request.acceptGzip()
        #expect(request.headers["Accept-Encoding"] == ["gzip"])
    }

    @Test("a decompression bomb ends as an unknown outcome within the size limit, and the next call works")
    func decompressionBomb() async throws {
        let bomb = try await BombServer.start(bombs: 2, inflatedSize: 10 << 20)
        let limit = 1 << 20
        var configuration = UpstreamConfiguration(baseURL: bomb.url, maximumBodySize: limit)
        configuration.requestTimeout = .seconds(20)
        let client = UpstreamClient(configuration: configuration, logger: LogRecorder().logger)
        do {
            // A read: a failed read, the server having answered.
            let read = await client.callRaw(.hospitals)
            #expect(read.uncertainty == UpstreamUncertainty(.noAnswer(.decompressionLimit), httpStatus: 200), "\(read)")
            let afterRead = client.linkUsage.snapshot.total
            #expect(afterRead.requests == 1)
            #expect(afterRead.bytesReceived < 64 << 10, "the bomb is small on the wire: \(afterRead)")
            #expect(afterRead.bytesDecoded <= limit + 1024, "decoding stopped at the limit, not at 10 MB: \(afterRead)")

            // A mutation: the server answered, so its effect is unknown (the engine reads back).
            let write = await client.call(.sendChatMessage, parameters: ["to_user_id": 2, "content": "你好"], as: JSONValue.self)
            #expect(write.uncertainty == UpstreamUncertainty(.noAnswer(.decompressionLimit), httpStatus: 200), "\(write)")

            // The same client goes on: a compressed answer within the limit decodes.
            let next = await client.callRaw(.hospitals)
            let body = try #require(next.payload, "\(next)")
            #expect(String(buffer: body) == BombServer.fine)
            #expect(bomb.requests == 3)
        } catch {
            try await client.shutdown()
            try await bomb.stop()
            throw error
        }
        try await client.shutdown()
        try await bomb.stop()
    }

    @Test("link usage is kept per local day, seven days back, today shown even before any request")
    func dayBuckets() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "Asia/Shanghai"))
        func at(_ day: Int, _ hour: Int) throws -> Date {
            try #require(calendar.date(from: DateComponents(year: 2026, month: 12, day: day, hour: hour)))
        }
        let call = LinkUsage.Traffic(requests: 1, bytesSent: 100, bytesReceived: 300, bytesDecoded: 1200)
        var usage = LinkUsage()
        #expect(usage.report(at: try at(1, 9), calendar: calendar).today == .init(day: .init(year: 2026, month: 12, day: 1), traffic: .init()))

        usage.record(call, at: try at(1, 0), calendar: calendar)
        usage.record(call, at: try at(1, 23), calendar: calendar)
        usage.record(call, at: try at(2, 8), calendar: calendar)
        let second = usage.report(at: try at(2, 9), calendar: calendar)
        #expect(second.today.day.description == "2026-12-02" && second.today.traffic == call)
        #expect(second.days.map(\.day.description) == ["2026-12-01", "2026-12-02"])
        #expect(second.days[0].traffic == LinkUsage.Traffic(requests: 2, bytesSent: 200, bytesReceived: 600, bytesDecoded: 2400))

        // Midnight in Shanghai is 16:00 UTC the day before: the local day counts.
        let utcEvening = try #require(
            Calendar(identifier: .gregorian).date(from: DateComponents(timeZone: .gmt, year: 2026, month: 12, day: 2, hour: 17)))
        usage.record(call, at: utcEvening, calendar: calendar)
        #expect(usage.report(at: utcEvening, calendar: calendar).today.day.description == "2026-12-03")

        // Day 8 keeps days 2 to 8; day 1 falls out.
        usage.record(call, at: try at(8, 12), calendar: calendar)
        let eighth = usage.report(at: try at(8, 13), calendar: calendar)
        #expect(eighth.days.map(\.day.description) == ["2026-12-02", "2026-12-03", "2026-12-08"])
        #expect(usage.days.count == 3 && usage.total.requests == 5)
        // Nothing on day 9 yet: today is zero, the window moves on without a request.
        let ninth = usage.report(at: try at(9, 6), calendar: calendar)
        #expect(ninth.today.traffic == .init() && ninth.days.map(\.day.description) == ["2026-12-03", "2026-12-08"])
    }

    @Test("wire bytes: the request line and headers, and the answer's Content-Length when it has one")
    func wireEstimates() {
        var headers = HTTPHeaders([("Accept", "application/json")])
        let sent = LinkUsage.requestBytes(method: "GET", url: "http://h:8/p?q=1", headers: headers, bodyLength: 0)
        #expect(sent == "GET /p?q=1 HTTP/1.1\r\nHost: h:8\r\nAccept: application/json\r\n\r\n".utf8.count)
        headers = HTTPHeaders([("Content-Length", "10"), ("Content-Encoding", "gzip")])
        let head = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\nContent-Encoding: gzip\r\n\r\n".utf8.count
        #expect(LinkUsage.headBytes(status: 200, headers: headers) == head)
        #expect(LinkUsage.answerBytes(status: 200, headers: headers, decodedLength: 500) == head + 10)
        #expect(LinkUsage.answerBytes(status: 200, headers: [:], decodedLength: 500) == "HTTP/1.1 200 OK\r\n\r\n".utf8.count + 500)
    }
}

/// A loopback HTTP server for the bomb: its first `bombs` answers are `inflatedSize` bytes of
/// zeros as JSON, the rest a small envelope; all of them gzipped by swift-nio-extras'
/// `HTTPResponseCompressor`, as a real server's would be.
final class BombServer: Sendable {
    static let fine = #"{"error_code":0,"data":{"list":[],"page":null},"error_message":""}"#

    let url: URL
    private let channel: any Channel
    private let counter: Counter

    var requests: Int { counter.value.withLock { $0 } }

    private init(url: URL, channel: any Channel, counter: Counter) {
        self.url = url
        self.channel = channel
        self.counter = counter
    }

    static func start(bombs: Int, inflatedSize: Int) async throws -> BombServer {
        let count = Counter()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(HTTPResponseCompressor())
                    try channel.pipeline.syncOperations.addHandler(BombHandler(count: count, bombs: bombs, inflatedSize: inflatedSize))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(channel.localAddress?.port)
        return BombServer(url: try #require(URL(string: "http://127.0.0.1:\(port)")), channel: channel, counter: count)
    }

    func stop() async throws {
        try await channel.close()
    }

    final class Counter: Sendable {
        let value = Mutex(0)
    }
}

/// Answers each request: a bomb while the count is below `bombs`, else ``BombServer/fine``.
private final class BombHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let count: BombServer.Counter
    let bombs: Int
    let inflatedSize: Int

    init(count: BombServer.Counter, bombs: Int, inflatedSize: Int) {
        self.count = count
        self.bombs = bombs
        self.inflatedSize = inflatedSize
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = unwrapInboundIn(data) else { return }
        let index = count.value.withLock { value in
            defer { value += 1 }
            return value
        }
        var body = ByteBuffer()
        if index < bombs {
            body.writeRepeatingByte(0x30, count: inflatedSize)
        } else {
            body.writeString(BombServer.fine)
        }
        let head = HTTPResponseHead(
            version: .http1_1, status: .ok,
            headers: HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", String(body.readableBytes))]))
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}
