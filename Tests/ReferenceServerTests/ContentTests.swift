import AsyncHTTPClient
import Foundation
import GRDB
import NIOCore
import Testing
import VolunteerAPI

@testable import ReferenceServer

/// Content and reference data over real HTTP: system messages, news, hospitals, cities and
/// districts, the doctor directory, image uploads and the WeChat media stand-in.
@Suite("Content")
struct ContentTests {
    // MARK: - System messages and news

    @Test("system messages: the caller's own and the broadcasts, newest first, paged")
    func systemMessages() async throws {
        try await TestServer.withRunning { server in
            let patient = try await server.account(.patient, phone: "13700000001")
            let other = try await server.account(.patient, phone: "13700000002")
            let doctor = try await server.account(.doctor, phone: "13700000003")
            try await server.database.write { db in
                let insert = "INSERT INTO message (type, to_user_id, title, content, publish_time, username) VALUES (?, ?, ?, ?, ?, '系统')"
                try db.execute(sql: insert, arguments: [0, nil, "旧公告", "全体", "2023-12-31 09:00:00"])
                try db.execute(sql: insert, arguments: [0, nil, "新公告", "全体", "2024-01-01 09:00:00"])
                try db.execute(sql: insert, arguments: [1, patient.id, "给患者", "单发", "2024-01-02 09:00:00"])
                try db.execute(sql: insert, arguments: [1, other.id, "给别人", "单发", "2024-01-03 09:00:00"])
            }
            let mine = try await server.call(.systemMessages, token: patient.token).payload(RecordList<SystemMessage>.self)
            #expect(mine.records.map(\.title) == ["给患者", "新公告", "旧公告"])
            #expect(mine.records.map(\.type) == [1, 0, 0] && mine.records.first?.senderName == "系统")
            #expect(mine.page == Page(current: 1, totalPages: 1, totalCount: 3, size: 10))

            let second = try await server.call(.systemMessages, [:], ["page_size": 2, "current_page": 2], token: patient.token)
                .payload(RecordList<SystemMessage>.self)
            #expect(second.records.map(\.title) == ["旧公告"])
            #expect(second.page == Page(current: 2, totalPages: 2, totalCount: 3, size: 2))

            let others = try await server.call(.systemMessages, token: other.token).payload(RecordList<SystemMessage>.self)
            #expect(others.records.map(\.title) == ["给别人", "新公告", "旧公告"])
            let doctors = try await server.call(.systemMessages, token: doctor.token).payload(RecordList<SystemMessage>.self)
            #expect(doctors.records.map(\.title) == ["新公告", "旧公告"])

            try await server.call(.systemMessages).expectFailure(.notLoggedIn)
            try await server.call(.systemMessages, [:], ["current_page": 0], token: patient.token).expectFailure(.invalidParameter)
        }
    }

    @Test("news: one audience's announcements newest first, paged, and one by id; public")
    func news() async throws {
        try await TestServer.withRunning { server in
            let ids = try await server.database.write { db in
                let insert = "INSERT INTO news (type, title, photo, content, publish_time) VALUES (?, ?, 'http://img.example/n.jpg', '<div>正文</div>', ?)"
                var ids: [Int] = []
                for (type, title, time) in [
                    (1, "患者一", "2024-01-01 08:00:00"), (1, "患者三", "2024-01-03 08:00:00"), (1, "患者二", "2024-01-02 08:00:00"),
                    (2, "医生一", "2024-01-04 08:00:00"), (3, "医助一", "2024-01-05 08:00:00"),
                ] {
                    try db.execute(sql: insert, arguments: [type, title, time])
                    ids.append(Int(db.lastInsertedRowID))
                }
                return ids
            }
            let patients = try await server.call(.newsList, ["type": "1"]).payload(RecordList<News>.self)
            #expect(patients.records.map(\.title) == ["患者三", "患者二", "患者一"])
            #expect(patients.page?.totalCount == 3)
            let paged = try await server.call(.newsList, ["type": "1"], ["page_size": 2]).payload(RecordList<News>.self)
            #expect(paged.records.map(\.title) == ["患者三", "患者二"] && paged.page == Page(current: 1, totalPages: 2, totalCount: 3, size: 2))
            #expect(try await server.call(.newsList, ["type": "2"]).payload(RecordList<News>.self).records.map(\.title) == ["医生一"])
            #expect(try await server.call(.newsList, ["type": "3"]).payload(RecordList<News>.self).records.map(\.title) == ["医助一"])
            for bad in ["0", "4", "x"] {
                try await server.call(.newsList, ["type": bad]).expectFailure(.invalidParameter)
            }

            let one = try await server.call(.news, ["id": String(ids[1])]).payload(News.self)
            #expect(one.title == "患者三" && one.content == "<div>正文</div>" && one.publishTime == "2024-01-03 08:00:00")
            #expect(one.photo == "http://img.example/n.jpg")
            try await server.call(.news, ["id": "999"]).expectFailure(.notFound)
            try await server.call(.news, ["id": "abc"]).expectFailure(.notFound)
        }
    }

    // MARK: - Reference data

    @Test("hospitals: keyword over name, tag and address, paged; public")
    func hospitals() async throws {
        try await TestServer.withRunning { server in
            try await server.database.write { db in
                let insert = "INSERT INTO hospital (name, tag, addr, level) VALUES (?, ?, ?, '三甲医院')"
                try db.execute(sql: insert, arguments: ["协和医院", "三甲", "北京市东城区"])
                try db.execute(sql: insert, arguments: ["人民医院", "综合", "杭州市西湖区"])
                try db.execute(sql: insert, arguments: ["儿童医院", "专科", "杭州市上城区"])
            }
            func names(_ query: [String: JSONValue]) async throws -> RecordList<Hospital> {
                try await server.call(.hospitals, [:], query).payload(RecordList<Hospital>.self)
            }
            let all = try await names([:])
            #expect(all.records.map(\.name) == ["协和医院", "人民医院", "儿童医院"] && all.page?.totalCount == 3)
            #expect(try await names(["keyword": "儿童"]).records.map(\.name) == ["儿童医院"])
            #expect(try await names(["keyword": " 儿童 "]).records.map(\.name) == ["儿童医院"], "blanks around the keyword do not count")
            #expect(try await names(["keyword": "  "]).page?.totalCount == 3, "a blank keyword searches nothing")
            #expect(try await names(["keyword": "三甲"]).records.map(\.name) == ["协和医院"])
            #expect(try await names(["keyword": "杭州"]).records.map(\.name) == ["人民医院", "儿童医院"])
            #expect(try await names(["keyword": "%"]).records.isEmpty, "LIKE wildcards are taken literally")
            #expect(try await names(["keyword": "_"]).page?.totalCount == 0)
            let page = try await names(["keyword": "医院", "page_size": 2, "current_page": 2])
            #expect(page.records.map(\.name) == ["儿童医院"] && page.page == Page(current: 2, totalPages: 2, totalCount: 3, size: 2))
            try await server.call(.hospitals, [:], ["page_size": 101]).expectFailure(.invalidParameter)
        }
    }

    @Test("cities by parent in their order, districts by city name; public, without page")
    func citiesAndAreas() async throws {
        try await TestServer.withRunning { server in
            try await server.database.write { db in
                let insert = "INSERT INTO city (id, parent_id, name, short_name, pinyin, sort) VALUES (?, ?, ?, ?, ?, ?)"
                for row: [any DatabaseValueConvertible] in [
                    [1, 0, "北京市", "北京", "beijing", 2], [2, 0, "浙江省", "浙江", "zhejiang", 1], [3, 0, "上海市", "上海", "shanghai", 1],
                    [11, 1, "北京市", "北京", "beijing", 0], [111, 11, "东城区", "东城", "dongcheng", 0], [112, 11, "西城区", "西城", "xicheng", 0],
                    [21, 2, "杭州市", "杭州", "hangzhou", 0], [22, 2, "宁波市", "宁波", "ningbo", 0],
                    [211, 21, "西湖区", "西湖", "xihu", 2], [212, 21, "上城区", "上城", "shangcheng", 1],
                ] {
                    try db.execute(sql: insert, arguments: StatementArguments(row.map { $0 as (any DatabaseValueConvertible)? }))
                }
            }
            func ids(_ endpoint: Endpoint, _ query: [String: JSONValue]) async throws -> [Int] {
                let answer = try await server.call(endpoint, [:], query)
                #expect(try answer.json["data"]?["page"] == nil)
                return try answer.payload(RecordList<City>.self).records.map(\.id)
            }
            #expect(try await ids(.cities, [:]) == [2, 3, 1], "sort, then id")
            #expect(try await ids(.cities, ["parent_id": 0]) == [2, 3, 1])
            #expect(try await ids(.cities, ["parent_id": 2]) == [21, 22])
            #expect(try await ids(.cities, ["parent_id": 999]) == [])
            let city = try await server.call(.cities, [:], ["parent_id": 2]).payload(RecordList<City>.self).records.first
            #expect(city == City(id: 21, parentID: 2, name: "杭州市", shortName: "杭州", pinyin: "hangzhou", sort: 0))
            try await server.call(.cities, [:], ["parent_id": -1]).expectFailure(.invalidParameter)
            try await server.call(.cities, [:], ["parent_id": "x"]).expectFailure(.invalidParameter)

            #expect(try await ids(.areasOfCity, ["name": "杭州市"]) == [212, 211])
            #expect(try await ids(.areasOfCity, ["name": "杭州"]) == [212, 211], "the short name works too")
            #expect(try await ids(.areasOfCity, ["name": "北京市"]) == [111, 112], "the city, not the province of the same name")
            #expect(try await ids(.areasOfCity, ["name": "火星"]) == [])
            try await server.call(.areasOfCity).expectFailure(.invalidParameter)
            #expect(try await ids(.areasOfCity, ["name": "  "]) == [], "a blank name names no city")
        }
    }

    @Test("doctors: complete profiles only, searched, filtered and sorted by rating or popularity; public")
    func doctors() async throws {
        try await TestServer.withRunning { server in
            let union = try await server.insertHospital(name: "协和医院")
            let people = try await server.insertHospital(name: "人民医院")
            let wang = try await server.account(.doctor, phone: "13700000011", name: "王一", hospitalID: union)
            let zhang = try await server.account(.doctor, phone: "13700000012", name: "张二", hospitalID: people)
            let li = try await server.account(.doctor, phone: "13700000013", name: "李三", hospitalID: people)
            _ = try await server.register(.doctor, phone: "13700000014")
            let patient = try await server.account(.patient, phone: "13700000015")
            let org = try await server.database.write { db in
                try db.execute(sql: "UPDATE user SET departments = '外科', job_position = '副主任医师', good_at = '骨折' WHERE id = ?", arguments: [zhang.id])
                try db.execute(sql: "UPDATE user SET job_position = '主治医师', good_at = '糖尿病' WHERE id = ?", arguments: [li.id])
                try db.execute(sql: "INSERT INTO org (name) VALUES ('志愿者协会')")
                let org = Int(db.lastInsertedRowID)
                let member = "INSERT INTO org_member (org_id, doctor_id, verify_status, created_at) VALUES (?, ?, ?, '2024-01-01 00:00:00')"
                try db.execute(sql: member, arguments: [org, zhang.id, 1])
                try db.execute(sql: member, arguments: [org, li.id, 0])
                // Ratings: 李三 5.0, 王一 3.0, 张二 none (a 0 is no rating). Done: 张二 2, 王一 1, 李三 0.
                for (doctor, status, score) in [(li.id, 1, 5), (li.id, 1, 5), (wang.id, 3, 3), (zhang.id, 3, 0), (zhang.id, 3, 0)] {
                    try db.execute(
                        sql: """
                            INSERT INTO project (doctor_id, date, begin, "end", people_count, lng, lat, addr, abstract, created_at)
                            VALUES (?, '2024-01-01', '09:00:00', '11:00:00', 10, '116.4', '39.9', '北京', '义诊', '2023-12-01 00:00:00')
                            """, arguments: [doctor])
                    try db.execute(
                        sql: """
                            INSERT INTO diagnosis (project_id, user_id, doctor_user_id, status, doctor_score, created_at, updated_at)
                            VALUES (?, ?, ?, ?, ?, '2023-12-01 00:00:00', '2023-12-01 00:00:00')
                            """, arguments: [db.lastInsertedRowID, patient.id, doctor, status, score])
                }
                return org
            }
            func names(_ query: [String: JSONValue]) async throws -> [String?] {
                try await server.call(.doctors, [:], query).payload(RecordList<Doctor>.self).records.map(\.realName)
            }
            let all = try await server.call(.doctors).payload(RecordList<Doctor>.self)
            #expect(all.records.map(\.realName) == ["王一", "张二", "李三"], "the doctor without a profile is not listed")
            #expect(all.page?.totalCount == 3 && all.records.first?.hospital == "协和医院")

            let rated = try await server.call(.doctors, [:], ["sort": 1]).payload(RecordList<Doctor>.self).records
            #expect(rated.map(\.realName) == ["李三", "王一", "张二"])
            #expect(rated.first?.score?.text == "5.0" && rated.last?.score == nil)
            #expect(try await names(["sort": 2]) == ["张二", "王一", "李三"])

            #expect(try await names(["keyword": "协和"]) == ["王一"], "hospital name")
            #expect(try await names(["keyword": "糖尿"]) == ["李三"], "good at")
            #expect(try await names(["keyword": "外科"]) == ["张二"], "departments")
            #expect(try await names(["keyword": "张"]) == ["张二"], "real name")
            #expect(try await names(["keyword": "%"]) == [])
            #expect(try await names(["departments": "内科"]) == ["王一", "李三"])
            #expect(try await names(["job_position": "主治医师"]) == ["李三"])
            #expect(try await names(["hospital_id": .integer(people)]) == ["张二", "李三"])
            #expect(try await names(["hospital_id": .integer(people), "departments": "内科"]) == ["李三"])
            #expect(try await names(["org_id": .integer(org)]) == ["张二"], "only verified members")
            #expect(try await names(["org_id": .integer(org), "sort": 1, "keyword": "医院"]) == ["张二"])

            let page = try await server.call(.doctors, [:], ["page_size": 2, "current_page": 2, "sort": 2]).payload(RecordList<Doctor>.self)
            #expect(page.records.map(\.realName) == ["李三"] && page.page == Page(current: 2, totalPages: 2, totalCount: 3, size: 2))

            for bad: [String: JSONValue] in [["sort": 3], ["sort": 0], ["sort": "best"], ["hospital_id": "x"], ["org_id": "x"]] {
                try await server.call(.doctors, [:], bad).expectFailure(.invalidParameter)
            }
        }
    }

    // MARK: - Uploads

    /// A PNG's signature and the start of its header: enough bytes to look like one.
    private static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52]

    /// Posts `bytes` to `/imgupload` as a multipart file part, as a browser's form would.
    private func upload(
        _ server: TestServer, _ bytes: [UInt8], contentType: String = "image/png", field: String = "file", token: String?
    ) async throws -> APIAnswer {
        let boundary = "vdapi-upload-boundary-7MA4YWxk"
        var body = ByteBuffer()
        body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field)\"; filename=\"photo.png\"\r\n")
        body.writeString("Content-Type: \(contentType)\r\n\r\n")
        body.writeBytes(bytes)
        body.writeString("\r\n--\(boundary)--\r\n")
        var request = HTTPClientRequest(url: server.api.absoluteString + Endpoint.imageUpload.path.template)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "multipart/form-data; boundary=\(boundary)")
        if let token { request.headers.add(name: "X-auth-token", value: token) }
        request.body = .bytes(body)
        return try await server.send(request)
    }

    @Test("an image upload is stored under a new unique name and answered as a URL of the server")
    func imageUpload() async throws {
        try await TestServer.withRunning { server in
            let patient = try await server.account(.patient, phone: "13700000021")
            let url = try await upload(server, Self.png, token: patient.token).payload(FileURL.self).url
            let prefix = server.api.absoluteString + "/uploads/"
            #expect(url.hasPrefix(prefix) && url.hasSuffix(".png"))
            let name = String(url.dropFirst(prefix.count))
            let storedType = try await server.database.read { db in
                try String.fetchOne(db, sql: "SELECT content_type FROM upload WHERE name = ?", arguments: [name])
            }
            let storedBytes = try await server.database.read { db in
                try Data.fetchOne(db, sql: "SELECT bytes FROM upload WHERE name = ?", arguments: [name])
            }
            #expect(storedType == "image/png")
            #expect(storedBytes.map(Array.init) == Self.png)

            let again = try await upload(server, Self.png, token: patient.token).payload(FileURL.self).url
            #expect(again != url, "every upload gets its own name")
            let jpeg = try await upload(server, [0xFF, 0xD8, 0xFF, 0xE0], contentType: "image/jpeg", token: patient.token)
            #expect(try jpeg.payload(FileURL.self).url.hasSuffix(".jpg"))
            let webp = try await upload(server, Array("RIFF0000WEBP".utf8), contentType: "image/webp", token: patient.token)
            #expect(try webp.payload(FileURL.self).url.hasSuffix(".webp"))
            #expect(try await server.database.count("upload") == 4)

            // The largest accepted image: exactly 5 MB.
            let largest = Self.png + [UInt8](repeating: 0x41, count: (5 << 20) - Self.png.count)
            _ = try await upload(server, largest, token: patient.token).payload(FileURL.self)
            #expect(try await server.database.count("upload") == 5)
        }
    }

    @Test("uploads that are not images, empty, over 5 MB, missing or anonymous are refused and store nothing")
    func imageUploadRefusals() async throws {
        try await TestServer.withRunning { server in
            let doctor = try await server.account(.doctor, phone: "13700000031")
            try await upload(server, Array("<html></html>".utf8), contentType: "text/html", token: doctor.token).expectFailure(.invalidParameter)
            try await upload(server, Self.png, contentType: "application/octet-stream", token: doctor.token).expectFailure(.invalidParameter)
            try await upload(server, Array("<svg/>".utf8), contentType: "image/svg+xml", token: doctor.token).expectFailure(.invalidParameter)
            try await upload(server, [], token: doctor.token).expectFailure(.invalidParameter)
            let tooLarge = Self.png + [UInt8](repeating: 0x41, count: (5 << 20) + 1 - Self.png.count)
            try await upload(server, tooLarge, token: doctor.token).expectFailure(.invalidParameter)
            try await upload(server, Self.png, field: "image", token: doctor.token).expectFailure(.invalidParameter)
            try await server.call(.imageUpload, [:], ["file": "not a file"], token: doctor.token, encoding: .multipart).expectFailure(.invalidParameter)
            try await upload(server, Self.png, token: nil).expectFailure(.notLoggedIn)
            #expect(try await server.database.count("upload") == 0)
        }
    }

    @Test("weixin media: a media id names an upload; unknown ids are not found; public")
    func weixinMedia() async throws {
        try await TestServer.withRunning { server in
            let patient = try await server.account(.patient, phone: "13700000041")
            let url = try await upload(server, Self.png, token: patient.token).payload(FileURL.self).url
            let name = try #require(url.split(separator: "/").last.map(String.init))
            #expect(try await server.call(.weixinMedia, [:], ["media_id": .string(name)]).payload(FileURL.self).url == url)
            try await server.call(.weixinMedia, [:], ["media_id": "wx-media-unknown"]).expectFailure(.notFound)
            try await server.call(.weixinMedia).expectFailure(.invalidParameter)
        }
    }

    @Test("an uploaded file is served at its URL with its type; an unknown one is a 404 envelope")
    func servingUploads() async throws {
        try await TestServer.withRunning { server in
            let patient = try await server.account(.patient, phone: "13700000051")
            let url = try await upload(server, Self.png, token: patient.token).payload(FileURL.self).url
            let served = try await server.send(HTTPClientRequest(url: url))
            #expect(served.status == 200 && served.header("Content-Type") == "image/png")
            #expect(Array(served.body.readableBytesView) == Self.png)
            #expect(served.header("X-Content-Type-Options") == "nosniff")

            let missing = try await server.send(HTTPClientRequest(url: server.api.absoluteString + "/uploads/0123456789abcdef.png"))
            #expect(missing.status == 404)
            #expect(try missing.errorCode == ErrorCode.notFound.rawValue)
        }
    }
}
