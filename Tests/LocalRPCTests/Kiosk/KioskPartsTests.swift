import Foundation
import NIOCore
import Testing
import VolunteerAPI

@testable import Kiosk

/// vdkiosk's plain parts without a server: the status strip, form bodies, the start-up token,
/// and the templates' strings.
@Suite("vdkiosk parts")
struct KioskPartsTests {
    @Test("the status strip reads online, the outbox's waiting and failed entries, the login, and the last sync per area")
    func statusStrip() throws {
        let status = try JSONValue.parse(
            """
            {"connectivity":"offline","session":"expired","role":"doctor",
             "outbox":{"queued":2,"in_flight":1,"unknown":1,"rejected":1,"parked":2,"applied":9},
             "last_pulls":{"GET /doctor/project":"2026-12-07T07:15:03Z","GET /chat":"2026-12-07T07:16:00Z",
                           "GET /message":"2026-12-07T07:10:00Z","GET /hospital":"2026-12-06T01:00:00Z","GET /org":"2026-12-07T02:00:00Z"}}
            """)
        let strip = StatusStrip(status: status)
        #expect(strip.connectivity == .offline && strip.loginNeeded)
        #expect(strip.waiting == 4 && strip.failed == 3)
        #expect(strip.areas.map(\.label) == ["area_projects", "area_chats", "area_messages", "area_other"])
        #expect(strip.areas.last?.lastSync == "2026-12-07T02:00:00Z")
        #expect(StatusStrip.shortTime("2026-12-07T07:15:03Z", in: TimeZone(identifier: "UTC")!) == "12-07 07:15")
        #expect(StatusStrip.shortTime("2026-12-07T17:15:03Z", in: TimeZone(identifier: "Asia/Shanghai")!) == "12-08 01:15")
        #expect(StatusStrip.shortTime("not a time") == "not a time")
        let fresh = StatusStrip(status: ["connectivity": "online", "session": "active"])
        #expect(!fresh.loginNeeded && fresh.areas.isEmpty && fresh.viewData["never_synced"] as? Bool == true)
    }

    @Test("a url-encoded form decodes +, percent escapes and repeated names")
    func urlEncodedForm() throws {
        let form = try FormInput.parse(
            ByteBuffer(string: "reason=%E5%90%8D%E9%A2%9D+%E5%B7%B2%E6%BB%A1&x=1&x=2&empty="), contentType: "application/x-www-form-urlencoded")
        #expect(form["reason"] == "名额 已满")
        #expect(form.fields["x"] == ["1", "2"])
        #expect(form["empty"] == nil)
        #expect(throws: FormInput.Failure.unsupportedType("application/json")) {
            try FormInput.parse(ByteBuffer(string: "{}"), contentType: "application/json")
        }
    }

    @Test("a multipart form keeps its files with their type and name, and drops an empty file input")
    func multipartForm() throws {
        let boundary = "XyZ"
        let body = [
            "--XyZ\r\nContent-Disposition: form-data; name=\"result\"\r\n\r\n血压正常\r\n",
            "--XyZ\r\nContent-Disposition: form-data; name=\"photos\"; filename=\"bp.png\"\r\nContent-Type: image/png\r\n\r\n\u{89}PNG\r\n",
            "--XyZ\r\nContent-Disposition: form-data; name=\"photos\"; filename=\"\"\r\nContent-Type: application/octet-stream\r\n\r\n\r\n",
            "--XyZ--\r\n",
        ].joined()
        let form = try FormInput.parse(ByteBuffer(string: body), contentType: "multipart/form-data; boundary=\(boundary)")
        #expect(form["result"] == "血压正常")
        let files = try #require(form.files["photos"])
        #expect(files.count == 1 && files[0].filename == "bp.png" && files[0].contentType == "image/png")
        #expect(files[0].bytes == Array("\u{89}PNG".utf8))
        let photos = try #require(Forms.photos(form, "photos"))
        #expect(photos.arrayValue?.first?["content_type"] == "image/png")
        #expect(photos.arrayValue?.first?["data"] == .string(Data(Array("\u{89}PNG".utf8)).base64EncodedString()))
        #expect(throws: FormInput.Failure.malformed) {
            try FormInput.parse(ByteBuffer(string: "--XyZ\r\nno headers end"), contentType: "multipart/form-data; boundary=XyZ")
        }
    }

    @Test("the start-up token is random, compared whole, never printed by interpolation, and written 0600")
    func startupToken() throws {
        let token = StartupToken.random()
        #expect(token.value.count == 64 && token.value != StartupToken.random().value)
        #expect(token.matches(token.value) && !token.matches(String(token.value.dropLast())) && !token.matches(nil) && !token.matches(""))
        #expect(!"\(token)".contains(token.value))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiosk-token-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/token"
        try StartupToken(value: "old").write(to: path)
        try token.write(to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == token.value + "\n")
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        #expect(mode == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["token"])
    }

    @Test("every template compiles, and every text a template or a screen names is in the zh-CN table")
    func strings() throws {
        _ = try PageRenderer()
        var keys = Set<String>()
        for template in KioskTemplates.all.values {
            var rest = Substring(template)
            while let start = rest.range(of: "{{t.") {
                let name = rest[start.upperBound...].prefix { $0 != "}" }
                keys.insert(String(name))
                rest = rest[start.upperBound...]
            }
        }
        let fromCode =
            Navigation.links(for: "doctor").map(\.label) + Navigation.links(for: "patient").map(\.label)
            + StatusStrip.areaMatchers.map(\.label) + ["area_other", "visit_seen", "booking_cancelled", "field_required"]
            + ["queued", "in_flight", "unknown", "applied", "rejected", "parked", "discarded"].map { "state_" + $0 }
        let missing = keys.union(fromCode).filter { KioskStrings.table[$0] == nil }
        #expect(missing.isEmpty, "missing: \(missing.sorted())")
        #expect(keys.count > 60)
    }

    @Test("clinics read nearest first from the kiosk's location, by date without it; long lists page")
    func clinicOrder() throws {
        #expect(KioskLocation("116.40-39.90") == KioskLocation(longitude: 116.40, latitude: 39.90))
        #expect(KioskLocation("-73.98-40.75") == KioskLocation(longitude: -73.98, latitude: 40.75))
        #expect(KioskLocation("116.40,39.90") == nil && KioskLocation("200-10") == nil)
        let kiosk = try #require(KioskLocation("116.40-39.90"))
        // Beijing to Shanghai: about 1,067 km.
        #expect(abs(kiosk.kilometres(toLongitude: 121.47, latitude: 31.23) - 1067) < 10)
        func clinic(_ id: Int, _ longitude: String?, _ latitude: String?) -> Item<Project> {
            Item(record: Project(id: id, longitude: longitude.flatMap(DecimalText.init), latitude: latitude.flatMap(DecimalText.init)), pending: false)
        }
        let byDate = [clinic(1, "121.47", "31.23"), clinic(2, nil, nil), clinic(3, "116.46", "39.93"), clinic(4, "116.41", "39.91")]
        #expect(Views.nearestFirst(byDate, from: kiosk).map(\.0.record.id) == [4, 3, 1, 2])
        #expect(Views.nearestFirst(byDate, from: nil).map(\.0.record.id) == [1, 2, 3, 4])
        // Today is the API's (China Standard Time), whatever the kiosk's zone: 17:18 UTC on the
        // 7th is already the 8th there, and a clinic of the 8th is today's.
        #expect(Views.today(Date(timeIntervalSince1970: 1_796_663_880)) == "2026-12-08")
        #expect(Views.pageLinks(path: "/patient", offset: 0, size: 40, total: 100)["next_page"] as? String == "/patient?offset=40")
        #expect(Views.pageLinks(path: "/patient", offset: 80, size: 40, total: 100)["next_page"] == nil)
        #expect(Views.pageLinks(path: "/patient", offset: 80, size: 40, total: 100)["previous_page"] as? String == "/patient?offset=40")
    }

    @Test("the log of what a session did where keeps the last ten per screen and forgets the oldest screens")
    func actionLog() async {
        let log = ActionLog()
        for id in 1...12 { await log.record(id, session: "s", screen: "diagnosis:15") }
        #expect(await log.mutations(session: "s", screen: "diagnosis:15") == Array(3...12))
        #expect(await log.mutations(session: "other", screen: "diagnosis:15").isEmpty)
        for screen in 0..<1000 { await log.record(screen, session: "s", screen: "project:\(screen)") }
        #expect(await log.mutations(session: "s", screen: "diagnosis:15").isEmpty, "the oldest screen is forgotten")
        #expect(await log.mutations(session: "s", screen: "project:999") == [999])
    }

    @Test("a refused field's message is said in Chinese, or kept whole behind a general one")
    func fieldMessages() {
        #expect(FieldMessage.text(for: "invalid params: 'reason' is required") == "此项必填")
        #expect(FieldMessage.text(for: "invalid params: 'reason' must be at most 500 characters") == "最多 500 个字")
        #expect(FieldMessage.text(for: "invalid params: 'photos' must hold at most 9 photos") == "最多 9 项")
        #expect(FieldMessage.text(for: "invalid params: 'phone' must be an 11-digit mainland mobile number") == "请输入 11 位手机号")
        #expect(FieldMessage.text(for: "invalid params: 'honesty' must be between 1 and 5") == "须在 1 到 5 之间")
        #expect(FieldMessage.text(for: "invalid params: 'photos[0].data' must be at most 5 MB") == "照片不能超过 5 MB")
        let other = "invalid params: 'idno' is not valid"
        #expect(FieldMessage.text(for: other) == "格式不正确（\(other)）")
    }

    @Test("a daemon failure becomes a page state by its kind, and a refused field keeps its name")
    func failures() {
        #expect(DaemonFailure.classify(.init(code: -32011, message: "x", data: ["kind": "not_logged_in"])) == .loginNeeded)
        #expect(DaemonFailure.classify(.init(code: -32011, message: "x", data: ["kind": "session_expired"])) == .loginNeeded)
        #expect(DaemonFailure.classify(.init(code: -32013, message: "down", data: ["kind": "unreachable"])) == .upstreamOffline("down"))
        #expect(DaemonFailure.classify(.init(code: -32001, message: "forbidden: read-only", data: ["kind": "forbidden"])) == .forbidden("forbidden: read-only"))
        #expect(
            DaemonFailure.classify(.init(code: -32602, message: "invalid params: 'reason' is required", data: ["field": "reason"]))
                == .invalidField(field: "reason", message: "invalid params: 'reason' is required"))
        #expect(
            DaemonFailure.classify(.init(code: -32010, message: "login refused", data: ["kind": "login_refused", "upstream_error_message": "手机号或密码错误"]))
                == .refused("手机号或密码错误"))
    }
}
