import AsyncHTTPClient
import Foundation
import GRDB
import NIOCore
import NIOHTTPCompression
import Testing
import VolunteerAPI

@testable import ReferenceServer

#if canImport(Glibc)
    import Glibc
#endif

/// vdapi compresses as the nginx in front of a real service does: JSON and text of 1 kB or more,
/// gzip when the request accepts it, with the compressed length as `Content-Length`; never a
/// picture, never a tiny body, never with `--compression off`.
@Suite("vdapi HTTP compression")
struct CompressionTests {
    /// Enough hospitals that their list is well over the 1 kB threshold.
    private static func insertHospitals(_ server: TestServer, count: Int = 40) async throws {
        try await server.database.write { db in
            for index in 0..<count {
                try db.execute(
                    sql: "INSERT INTO hospital (name, tag, addr, level) VALUES (?, '综合', '杭州市西湖区文三路', '三甲医院')", arguments: ["第\(index)人民医院"])
            }
        }
    }

    private static let gzip = [("Accept-Encoding", "gzip")]

    /// A client that decodes gzip itself (as the agent's does), for comparing decoded bodies.
    private static func withDecodingClient<T>(_ body: (HTTPClient) async throws -> T) async throws -> T {
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(decompression: .enabled(limit: .size(16 << 20))))
        do {
            let result = try await body(client)
            try await client.shutdown()
            return result
        } catch {
            try await client.shutdown()
            throw error
        }
    }

    @Test("a list is gzipped when asked, with the compressed length as Content-Length; plain when not asked")
    func listCompressedWhenAsked() async throws {
        try await TestServer.withRunning { server in
            try await Self.insertHospitals(server)
            let query: [String: JSONValue] = ["page_size": 100]
            let plain = try await server.call(.hospitals, [:], query)
            #expect(plain.status == 200 && plain.header("Content-Encoding") == nil, "not asked, not compressed")
            #expect(plain.header("Content-Length") == String(plain.body.readableBytes))
            #expect(plain.body.readableBytes > ResponseCompression.minimumLength)

            let compressed = try await server.call(.hospitals, [:], query, headers: Self.gzip)
            #expect(compressed.status == 200 && compressed.header("Content-Encoding") == "gzip")
            #expect(compressed.header("Transfer-Encoding") == nil, "one write: a length, not chunks")
            #expect(compressed.header("Content-Length") == String(compressed.body.readableBytes))
            #expect(compressed.body.readableBytes < plain.body.readableBytes / 3)
            #expect(Array(compressed.body.readableBytesView.prefix(2)) == [0x1F, 0x8B], "gzip's magic number")
            #expect(compressed.header("Vary") == "Accept-Encoding")

            // Decoded, it is the very answer a client that did not ask gets.
            try await Self.withDecodingClient { client in
                var request = HTTPClientRequest(url: server.api.absoluteString + Endpoint.hospitals.path.template + "?page_size=100")
                request.headers.add(name: "Accept-Encoding", value: "gzip")
                let response = try await client.execute(request, timeout: .seconds(30))
                #expect(response.headers.first(name: "Content-Encoding") == "gzip")
                let decoded = try await response.body.collect(upTo: 16 << 20)
                // The same JSON (vdapi's key order may differ from one answer to the next).
                #expect(decoded.readableBytes == plain.body.readableBytes)
                #expect(try JSONDecoder().decode(JSONValue.self, from: Data(decoded.readableBytesView)) == (try plain.json))
            }
        }
    }

    @Test("with compression off every answer is plain, whatever the request accepts")
    func compressionOff() async throws {
        try await TestServer.withRunning(configure: { $0.compression = false }) { server in
            try await Self.insertHospitals(server)
            let answer = try await server.call(.hospitals, [:], ["page_size": 100], headers: Self.gzip)
            #expect(answer.status == 200 && answer.header("Content-Encoding") == nil)
            #expect(answer.body.readableBytes > ResponseCompression.minimumLength)
            _ = try answer.payload(RecordList<Hospital>.self)
        }
    }

    @Test("a tiny answer is not compressed")
    func tinyAnswerPlain() async throws {
        try await TestServer.withRunning { server in
            let answer = try await server.call(.hospitals, [:], [:], headers: Self.gzip)
            #expect(answer.status == 200 && answer.body.readableBytes < ResponseCompression.minimumLength)
            #expect(answer.header("Content-Encoding") == nil)
            _ = try answer.payload(RecordList<Hospital>.self)
        }
    }

    @Test("a picture is never compressed, however compressible its bytes")
    func imageNeverCompressed() async throws {
        try await TestServer.withRunning { server in
            let patient = try await server.account(.patient, phone: "13700000061")
            // A PNG signature, then 64 kB of one byte: gzip would shrink it a hundredfold.
            let bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + [UInt8](repeating: 0x41, count: 64 << 10)
            let boundary = "vdapi-compression-boundary"
            var body = ByteBuffer()
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"photo.png\"\r\nContent-Type: image/png\r\n\r\n")
            body.writeBytes(bytes)
            body.writeString("\r\n--\(boundary)--\r\n")
            var upload = HTTPClientRequest(url: server.api.absoluteString + Endpoint.imageUpload.path.template)
            upload.method = .POST
            upload.headers.add(name: "Content-Type", value: "multipart/form-data; boundary=\(boundary)")
            upload.headers.add(name: "X-auth-token", value: patient.token)
            upload.body = .bytes(body)
            let url = try await server.send(upload).payload(FileURL.self).url

            var get = HTTPClientRequest(url: url)
            get.headers.add(name: "Accept-Encoding", value: "gzip, deflate")
            let served = try await server.send(get)
            #expect(served.status == 200 && served.header("Content-Type") == "image/png")
            #expect(served.header("Content-Encoding") == nil)
            #expect(Array(served.body.readableBytesView) == bytes)
        }
    }

    @Test("a request that cannot be parsed gets its 400 and the server goes on compressing")
    func unparsableRequest() async throws {
        try await TestServer.withRunning { server in
            try await Self.insertHospitals(server)
            let port = try #require(server.api.port)
            let reply = try Self.exchangeRaw("NOT HTTP AT ALL\r\n\r\n", port: port)
            #expect(reply.hasPrefix("HTTP/1.1 400"), "got \(reply.prefix(40))")
            let answer = try await server.call(.hospitals, [:], ["page_size": 100], headers: Self.gzip)
            #expect(answer.status == 200 && answer.header("Content-Encoding") == "gzip")
        }
    }

    /// Sends `text` on a new loopback connection and reads until the server closes it.
    private static func exchangeRaw(_ text: String, port: Int) throws -> String {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(connected == 0)
        let bytes = Array(text.utf8)
        try #require(send(descriptor, bytes, bytes.count, 0) == bytes.count)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            guard count > 0 else { break }
            received += buffer[0..<count]
        }
        return String(decoding: received, as: UTF8.self)
    }
}
