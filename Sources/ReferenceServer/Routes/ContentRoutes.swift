import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import NIOCore
import VolunteerAPI

/// Content and reference data: system messages (§3.1.13), news (§3.2.14-15), hospitals
/// (§3.3.1), cities and districts (§1.2.5-6), the doctor directory (§3.3.9), and files: image
/// uploads (§1.2.2) and the WeChat media stand-in (the second §3.1.14).
enum ContentRoutes {
    /// Every endpoint of the group and its handler.
    static let routes: [Endpoint: Handler] = [
        .systemMessages: systemMessages,
        .newsList: newsList,
        .news: news,
        .hospitals: hospitals,
        .cities: cities,
        .areasOfCity: areasOfCity,
        .doctors: doctors,
        .weixinMedia: weixinMedia,
        .imageUpload: imageUpload,
    ]

    static func systemMessages(_ call: Call) async throws -> any Encodable & Sendable {
        let caller = try call.requireCaller()
        let paging = try Paging(call.parameters)
        return try await call.database.read { db in
            let presenter = Presenter(db: db, caller: caller, now: call.now)
            // A message without a recipient is a broadcast (type 0 of §2.2.7): everyone's.
            return try paging.list(
                db, select: "SELECT * FROM message WHERE to_user_id = ? OR to_user_id IS NULL",
                orderBy: "publish_time DESC, id DESC", arguments: [caller.userID], present: presenter.message)
        }
    }

    static func newsList(_ call: Call) async throws -> any Encodable & Sendable {
        guard let audience = try call.parameters.int("type", in: 1...3) else { throw CallError.missing("type") }
        let paging = try Paging(call.parameters)
        return try await call.database.read { db in
            let presenter = Presenter(db: db, caller: call.caller, now: call.now)
            return try paging.list(
                db, select: "SELECT * FROM news WHERE type = ?", orderBy: "publish_time DESC, id DESC", arguments: [audience],
                present: presenter.news)
        }
    }

    static func news(_ call: Call) async throws -> any Encodable & Sendable {
        let id = try call.pathID()
        return try await call.database.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM news WHERE id = ?", arguments: [id]) else {
                throw CallError.notFound("公告")
            }
            return Presenter(db: db, caller: call.caller, now: call.now).news(row)
        }
    }

    static func hospitals(_ call: Call) async throws -> any Encodable & Sendable {
        let keyword = try KeywordSearch(call.parameters)
        let paging = try Paging(call.parameters)
        return try await call.database.read { db in
            var select = "SELECT * FROM hospital"
            var arguments: StatementArguments = []
            if let keyword {
                let pattern = keyword.likePattern
                select += " WHERE name LIKE ? ESCAPE '\\' OR tag LIKE ? ESCAPE '\\' OR addr LIKE ? ESCAPE '\\'"
                arguments += [pattern, pattern, pattern]
            }
            let presenter = Presenter(db: db, caller: call.caller, now: call.now)
            return try paging.list(db, select: select, orderBy: "id", arguments: arguments, present: presenter.hospital)
        }
    }

    static func cities(_ call: Call) async throws -> any Encodable & Sendable {
        let parentID = try call.parameters.int("parent_id", in: 0...Int.max) ?? 0
        return try await call.database.read { db in
            let presenter = Presenter(db: db, caller: call.caller, now: call.now)
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM city WHERE parent_id = ? ORDER BY sort, id", arguments: [parentID])
            return RecordList(rows.map(presenter.city))
        }
    }

    static func areasOfCity(_ call: Call) async throws -> any Encodable & Sendable {
        // The catalogue leaves `name` optional, as the document does, but without it the call means nothing.
        let name = try call.parameters.requiredString("name", maxLength: KeywordSearch.maxLength)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        // A blank name names no city: an empty list, like an unknown one.
        guard !name.isEmpty else { return RecordList<City>([]) }
        return try await call.database.read { db in
            // Region tables often hold a municipality twice (province 北京市 and city 北京市):
            // the exact name wins over the short name, and a city over a top-level region.
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM city WHERE parent_id = (
                        SELECT id FROM city WHERE name = ? OR short_name = ?
                        ORDER BY name = ? DESC, parent_id = 0, id LIMIT 1)
                    ORDER BY sort, id
                    """,
                arguments: [name, name, name])
            let presenter = Presenter(db: db, caller: call.caller, now: call.now)
            return RecordList(rows.map(presenter.city))
        }
    }

    static func doctors(_ call: Call) async throws -> any Encodable & Sendable {
        let search = try DoctorSearch(call.parameters)
        let paging = try Paging(call.parameters)
        return try await call.database.read { db in
            let presenter = Presenter(db: db, caller: call.caller, now: call.now)
            return try paging.list(
                db, select: search.select, orderBy: search.orderBy, arguments: search.arguments,
                present: { try presenter.doctor($0) })
        }
    }

    static func weixinMedia(_ call: Call) async throws -> any Encodable & Sendable {
        // vdapi has no WeChat: a media id names one of its own uploads.
        let mediaID = try call.parameters.requiredString("media_id", maxLength: 128)
        let exists = try await call.database.read { db in
            try Int.fetchOne(db, sql: "SELECT id FROM upload WHERE name = ?", arguments: [mediaID]) != nil
        }
        guard exists else { throw CallError.notFound("素材") }
        return FileURL(url: UploadFiles.url(of: mediaID, state: call.state))
    }

    static func imageUpload(_ call: Call) async throws -> any Encodable & Sendable {
        guard let file = call.parameters.file("file") else { throw CallError.missing("file") }
        let image = try ContentRules.acceptedImage(file)
        let name = Tokens.random(bytes: 16) + "." + image.fileExtension
        try await call.database.write { db in
            try db.execute(
                sql: "INSERT INTO upload (name, content_type, bytes, created_at) VALUES (?, ?, ?, ?)",
                arguments: [name, image.contentType, image.bytes, call.timestamp])
        }
        return FileURL(url: UploadFiles.url(of: name, state: call.state))
    }
}

/// Serves the files `/imgupload` stored, at the URLs it answered: `GET /uploads/{name}`.
/// Not an endpoint of the document, so it lives outside the route table; `APIRouter`
/// registers it beside the API's routes.
enum UploadFiles {
    static let pathPrefix = "/uploads/"

    static func url(of name: String, state: ServerState) -> String {
        state.baseURL.value + pathPrefix + name
    }

    static func register(on router: Router<APIContext>, state: ServerState) {
        router.get(RouterPath("/uploads/{name}")) { _, context -> Response in
            let name = context.parameters.get("name") ?? ""
            let stored: StoredFile?
            do {
                stored = try await state.database.read { db in
                    try Row.fetchOne(db, sql: "SELECT content_type, bytes FROM upload WHERE name = ?", arguments: [name])
                        .map { StoredFile(contentType: $0["content_type"], bytes: $0["bytes"]) }
                }
            } catch {
                context.logger.error("upload read failed", metadata: ["error": "\(type(of: error))"])
                return try APIRouter.failure(CallError(.internalError, "服务器错误")).response
            }
            guard let stored else { return try APIRouter.failure(CallError.notFound("文件")).response }
            // Uploads are checked by their declared type only: nosniff keeps a browser from
            // reading anything else into them.
            let headers: HTTPFields = [.contentType: stored.contentType, .xContentTypeOptions: "nosniff"]
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: stored.bytes)))
        }
    }

    private struct StoredFile: Sendable {
        let contentType: String
        let bytes: Data
    }
}

extension HTTPField.Name {
    fileprivate static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
}

/// The doctor directory's query (§3.3.9): profiles that are complete, searched, filtered and sorted.
private struct DoctorSearch {
    private(set) var select: String
    private(set) var arguments: StatementArguments = []
    let orderBy: String

    init(_ parameters: Parameters) throws(CallError) {
        // Scores and popularity are computed from diagnoses, as the presented doctor's are.
        select = """
            SELECT user.*,
                   (SELECT AVG(NULLIF(doctor_score, 0)) FROM diagnosis WHERE doctor_user_id = user.id) AS rating,
                   (SELECT COUNT(*) FROM diagnosis WHERE doctor_user_id = user.id AND status = \(VisitStatus.seen.rawValue)) AS done_count
            FROM user LEFT JOIN hospital ON hospital.id = user.hospital_id
            WHERE user.type = \(UserRole.doctor.rawValue) AND user.real_name IS NOT NULL AND user.real_name <> ''
            """
        if let keyword = try KeywordSearch(parameters) {
            let pattern = keyword.likePattern
            select += """
                 AND (user.real_name LIKE ? ESCAPE '\\' OR user.departments LIKE ? ESCAPE '\\'
                      OR user.good_at LIKE ? ESCAPE '\\' OR hospital.name LIKE ? ESCAPE '\\')
                """
            arguments += [pattern, pattern, pattern, pattern]
        }
        // Departments and job titles are chosen from lists, so they match exactly.
        if let departments = try parameters.string("departments", maxLength: KeywordSearch.maxLength) {
            select += " AND user.departments = ?"
            arguments += [departments]
        }
        if let position = try parameters.string("job_position", maxLength: KeywordSearch.maxLength) {
            select += " AND user.job_position = ?"
            arguments += [position]
        }
        if let hospitalID = try parameters.int("hospital_id") {
            select += " AND user.hospital_id = ?"
            arguments += [hospitalID]
        }
        if let orgID = try parameters.int("org_id") {
            select +=
                " AND EXISTS (SELECT 1 FROM org_member WHERE org_member.doctor_id = user.id AND org_member.org_id = ? AND org_member.verify_status = \(MembershipStatus.approved.rawValue))"
            arguments += [orgID]
        }
        switch try parameters.int("sort", in: 1...2) {
        case 1?: orderBy = "rating IS NULL, rating DESC, user.id"
        case 2?: orderBy = "done_count DESC, user.id"
        default: orderBy = "user.id"
        }
    }
}

/// Rules for searches and uploads.
private enum ContentRules {

    static let maxUploadBytes = 5 << 20

    struct Image {
        let contentType: String
        let fileExtension: String
        let bytes: Data
    }

    static func acceptedImage(_ file: Parameters.File) throws(CallError) -> Image {
        guard let type = ImageType(contentType: file.contentType) else { throw .invalid("file", "只支持 JPEG、PNG、GIF、WebP 图片") }
        guard file.bytes.readableBytes > 0 else { throw .invalid("file", "文件为空") }
        guard file.bytes.readableBytes <= maxUploadBytes else { throw .invalid("file", "图片不能超过 5 MB") }
        return Image(contentType: type.contentType, fileExtension: type.fileExtension, bytes: Data(file.bytes.readableBytesView))
    }
}
