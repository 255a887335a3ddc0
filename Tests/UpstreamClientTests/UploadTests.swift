import AsyncHTTPClient
import Foundation
import NIOCore
import ReferenceServer
import Testing
import UpstreamClient
import VolunteerAPI

/// Uploads (`POST /imgupload`, §1.2.2): the file value, the multipart request, and uploads
/// against vdapi through every outcome.
@Suite("Uploads")
struct UploadTests {
    /// A valid 1x1 RGBA PNG (68 bytes). Its signature holds CR LF, which must arrive untouched.
    static let png: [UInt8] = [
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01,
        0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0B, 0x49, 0x44, 0x41,
        0x54, 0x78, 0x9C, 0x63, 0x60, 0x00, 0x02, 0x00, 0x00, 0x05, 0x00, 0x01, 0x7A, 0x5E, 0xAB, 0x3F, 0x00, 0x00, 0x00, 0x00,
        0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ]

    private let base = URL(string: "http://127.0.0.1:8080")!
    private var pixel: UpstreamFile { UpstreamFile(bytes: Self.png, filename: "pixel.png", contentType: "image/png") }

    // MARK: - The file and the request

    @Test("a file describes itself by name, type and size, never its bytes")
    func fileDescription() {
        let file = UpstreamFile(data: Data(Self.png), filename: "pixel.png", contentType: " image/png ")
        #expect(file.bytes == Self.png)
        #expect(file.contentType == "image/png")
        #expect(file.description == "pixel.png (image/png, 68 bytes)")
        #expect(String(reflecting: file) == "UpstreamFile(pixel.png (image/png, 68 bytes))")
        var dumped = ""
        dump(file, to: &dumped)
        #expect(!dumped.contains("137"), "dump shows the bytes: \(dumped)")  // 0x89, the first byte
        #expect(dumped.contains("pixel.png"))
    }

    @Test("file names are sanitised: last path component, no quotes, backslashes or line breaks")
    func filenameSanitising() {
        #expect(UpstreamFile.sanitizedFilename("photo.jpg") == "photo.jpg")
        #expect(UpstreamFile.sanitizedFilename("../../etc/pa\"ss\r\nwd.png") == "passwd.png")
        #expect(UpstreamFile.sanitizedFilename(#"C:\Users\李\体检 报告.jpg"#) == "体检 报告.jpg")
        #expect(UpstreamFile.sanitizedFilename("a\u{0}b\u{7F}c\u{85}d\u{2028}.gif") == "abcd.gif")
        #expect(UpstreamFile.sanitizedFilename("x\";name=\"evil.png") == "x;name=evil.png")
        for empty in ["", "  ", "/", "dir/", "..", ".", "\r\n", "\""] {
            #expect(UpstreamFile.sanitizedFilename(empty) == "upload", "\(empty.debugDescription)")
        }
        let long = String(repeating: "a", count: 300) + ".png"
        #expect(UpstreamFile.sanitizedFilename(long).count == UpstreamFile.maximumFilenameLength)
        #expect(UpstreamFile(bytes: [], filename: "/tmp/a\nb.png", contentType: "image/png").filename == "ab.png")
    }

    @Test("the upload request: one multipart part named file, with filename and type; token and X-location as usual")
    func requestBuilding() throws {
        let file = UpstreamFile(bytes: Self.png, filename: "../x/\"pixel\".png", contentType: "image/png")
        let request = try UpstreamRequest(
            endpoint: .imageUpload, file: file, baseURL: base, token: "t0k3n", location: "116.4-39.9", boundary: "b0undary")
        #expect(request.url == "http://127.0.0.1:8080/imgupload")
        #expect(request.method == .post)
        #expect(request.description == "POST /imgupload")
        #expect(request.headers.first(name: "Content-Type") == "multipart/form-data; boundary=b0undary")
        #expect(request.headers.first(name: "X-auth-token") == "t0k3n")
        #expect(request.headers.first(name: "X-location") == "116.4-39.9")
        #expect(request.headers.first(name: "Accept") == "application/json")

        let body = try #require(request.body)
        let expected: [UInt8] =
            Array("--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"pixel.png\"\r\nContent-Type: image/png\r\n\r\n".utf8)
            + Self.png + Array("\r\n--b0undary--\r\n".utf8)
        #expect(Array(body.readableBytesView) == expected)
        let text = String(decoding: body.readableBytesView, as: UTF8.self)
        #expect(text.components(separatedBy: "--b0undary").count == 3, "one part, then the closing boundary")
        #expect(text.components(separatedBy: "Content-Disposition:").count == 2)
        #expect(!request.description.contains("t0k3n") && !request.description.contains("pixel"))

        let anonymous = try UpstreamRequest(endpoint: .imageUpload, file: file, baseURL: base)
        #expect(!anonymous.headers.contains(name: "X-auth-token"))
        #expect(!anonymous.headers.contains(name: "X-location"))
    }

    @Test("a random boundary: different each time, announced in the header, absent from the file")
    func randomBoundary() throws {
        let first = try UpstreamRequest(endpoint: .imageUpload, file: pixel, baseURL: base)
        let second = try UpstreamRequest(endpoint: .imageUpload, file: pixel, baseURL: base)
        let boundaries = try [first, second].map { request in
            let header = try #require(request.headers.first(name: "Content-Type"))
            let boundary = String(try #require(header.split(separator: "boundary=").last))
            let body = String(decoding: try #require(request.body).readableBytesView, as: UTF8.self)
            #expect(body.hasPrefix("--\(boundary)\r\n") && body.hasSuffix("\r\n--\(boundary)--\r\n"))
            #expect(boundary.count == 39 && boundary.hasPrefix("vdsync-"))
            return boundary
        }
        #expect(boundaries[0] != boundaries[1])
    }

    @Test("uploads that cannot be built: no file part in the endpoint, an unsendable type, a bad boundary")
    func unbuildable() {
        #expect(throws: UpstreamRequestError.takesNoFile(endpoint: "GET /project")) {
            try UpstreamRequest(endpoint: .projects, file: pixel, baseURL: base)
        }
        #expect(throws: UpstreamRequestError.takesNoFile(endpoint: "POST /chat")) {
            try UpstreamRequest(endpoint: .sendChatMessage, file: pixel, baseURL: base)
        }
        for type in ["image/png\r\nX-Evil: 1", "", "png", "image/pngé"] {
            let file = UpstreamFile(bytes: Self.png, filename: "a.png", contentType: type)
            #expect(throws: UpstreamRequestError.invalidContentType, "\(type.debugDescription)") {
                try UpstreamRequest(endpoint: .imageUpload, file: file, baseURL: base)
            }
        }
        #expect(throws: UpstreamRequestError.invalidBoundary) {
            try UpstreamRequest(endpoint: .imageUpload, file: pixel, baseURL: base, boundary: "IHDR")  // in the PNG
        }
        #expect(throws: UpstreamRequestError.invalidBoundary) {
            try UpstreamRequest(endpoint: .imageUpload, file: pixel, baseURL: base, boundary: "a b")
        }
    }

    // MARK: - Against vdapi

    @Test("the demo doctor uploads a PNG: applied with its URL, which serves the same bytes")
    func upload() async throws {
        try await TestUpstream.withRunning { upstream in
            try await TestUpstream.login(upstream.client, TestUpstream.doctorPhone, .doctor)
            let outcome = await upstream.client.upload(pixel)
            guard case .applied(let answer) = outcome else {
                Issue.record("expected applied, got \(outcome)")
                return
            }
            let name = try #require(answer.url.split(separator: "/").last.map(String.init))
            #expect(answer.url.hasPrefix(upstream.running.api.absoluteString + "/uploads/"))
            #expect(name.hasSuffix(".png"))
            #expect(try await upstream.database.count("upload", where: "name = ? AND content_type = ?", [name, "image/png"]) == 1)

            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: answer.url), timeout: .seconds(10))
            #expect(response.status == .ok)
            #expect(response.headers.first(name: "Content-Type") == "image/png")
            let served = try await response.body.collect(upTo: 1 << 20)
            #expect(Array(served.readableBytesView) == Self.png)

            // One quiet log line: method and path, never the file's name or bytes.
            let lines = upstream.logs.all.filter { $0.contains("path=/imgupload") }
            #expect(lines.count == 1)
            #expect(lines.allSatisfy { $0.contains("method=POST") && $0.contains("outcome=applied") && !$0.contains("pixel") })
        }
    }

    @Test("a type the server does not take (text/plain) is rejected with its error, and nothing is stored")
    func wrongType() async throws {
        try await TestUpstream.withRunning { upstream in
            try await TestUpstream.login(upstream.client, TestUpstream.doctorPhone, .doctor)
            let outcome = await upstream.client.upload(UpstreamFile(bytes: Array("hello".utf8), filename: "note.txt", contentType: "text/plain"))
            let rejection = try #require(outcome.rejection, "\(outcome)")
            #expect(rejection.errorCode == 1001)
            #expect(rejection.httpStatus == 400)
            #expect(rejection.message?.contains("只支持 JPEG、PNG、GIF、WebP 图片") == true, "\(rejection)")
            #expect(try await upstream.database.count("upload") == 0)
        }
    }

    @Test("an upload without a session: authExpired, and nothing is stored")
    func notLoggedIn() async throws {
        try await TestUpstream.withRunning { upstream in
            let outcome = await upstream.client.upload(pixel)
            let stored = try await upstream.database.count("upload")
            #expect(outcome == .authExpired)
            #expect(stored == 0)
        }
    }

    @Test("a content type that cannot be a header is refused locally, before anything is sent")
    func localRejection() async throws {
        try await TestUpstream.withRunning { upstream in
            try await TestUpstream.login(upstream.client, TestUpstream.doctorPhone, .doctor)
            let outcome = await upstream.client.upload(UpstreamFile(bytes: Self.png, filename: "a.png", contentType: "image/png\r\nX-Evil: 1"))
            #expect(outcome.rejection?.isLocal == true)
            #expect(outcome.rejection?.message == "the file's content type cannot be sent")
            #expect(try await upstream.database.count("upload") == 0)
        }
    }

    @Test("reset after commit on /imgupload: unknown, and the upload stands")
    func resetAfterCommit() async throws {
        try await TestUpstream.withRunning { upstream in
            try await TestUpstream.login(upstream.client, TestUpstream.doctorPhone, .doctor)
            await upstream.server.faults.add(FaultRule(.resetAfterCommit, method: "POST", path: "/imgupload", times: 1))
            let outcome = await upstream.client.upload(pixel)
            #expect(outcome.uncertainty?.reason == .noAnswer(.connectionReset), "\(outcome)")
            #expect(try await upstream.database.count("upload") == 1)
            let after = await upstream.client.upload(pixel)
            #expect(after.isSuccess, "after the fault: \(after)")
        }
    }

    @Test("an upload after shutdown is retryable")
    func afterShutdown() async throws {
        try await TestUpstream.withRunning(seeded: false) { upstream in
            try await upstream.client.shutdown()
            #expect(await upstream.client.upload(pixel).retry == UpstreamRetry(.notSent(.clientShutDown)))
        }
    }
}
