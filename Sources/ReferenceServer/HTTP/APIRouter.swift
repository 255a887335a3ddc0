import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import VolunteerAPI

/// Turns the documented API into Hummingbird routes: one route per catalogue entry, each
/// answered in the envelope of §1.3.
///
/// Before a handler runs, the dispatcher applies what the catalogue says of the endpoint:
/// login (`X-auth-token`), the roles that may call it, required and integer parameters.
/// Refusals are envelopes with a non-zero `error_code` and the HTTP status of their class
/// (``ErrorCode/httpStatus``); only a server fault is an HTTP 5xx. Fault injection hooks in here, before and after the handler.
struct APIRouter {
    let state: ServerState
    let table: RouteTable

    func buildRouter() -> Router<APIContext> {
        let router = Router(context: APIContext.self)
        router.add(middleware: EnvelopeFallbackMiddleware())
        // Uploaded photos are served where /imgupload's URLs point; not an API endpoint.
        UploadFiles.register(on: router, state: state)
        for endpoint in Endpoint.all {
            guard let handler = table.handlers[endpoint] else { continue }
            let method = HTTPRequest.Method(rawValue: endpoint.method.rawValue) ?? .get
            router.on(RouterPath(Self.routerPath(endpoint.path)), method: method) { request, context in
                try await respond(to: request, context: context, endpoint: endpoint, handler: handler)
            }
        }
        return router
    }

    /// The template with placeholders named by position (`/news/{p1}/list`): Hummingbird's
    /// router refuses two names at one position (`/news/{type}/list` beside `/news/{id}`).
    static func routerPath(_ template: PathTemplate) -> String {
        "/"
            + template.segments.enumerated().map { index, segment in
                switch segment {
                case .literal(let text): text
                case .parameter: "{p\(index)}"
                }
            }.joined(separator: "/")
    }

    private func respond(to request: Request, context: APIContext, endpoint: Endpoint, handler: Handler) async throws -> Response {
        let faults = await state.faults.take(method: endpoint.method.rawValue, template: endpoint.path.template, path: request.uri.path)
        if let early = try await faults.applyBeforeHandler(context: context, state: state, token: request.headers[.authToken]) {
            return early.response
        }
        var request = request
        var answer: Answer
        do {
            try await state.noShows.runIfDue(state.database, now: state.now)
            let call = try await makeCall(&request, context: context, endpoint: endpoint)
            let payload = try await handler(call)
            answer = try Self.envelope(payload, for: endpoint)
        } catch let failure as CallError {
            answer = try Self.failure(failure)
        } catch {
            context.logger.error("handler failed", metadata: ["endpoint": "\(endpoint)", "error": "\(type(of: error))"])
            answer = try Self.failure(CallError(.internalError, "服务器错误"))
        }
        answer = answer.varied(by: state.quirks)
        return try await faults.applyAfterHandler(to: answer, context: context)
    }

    // MARK: - Building the call

    private func makeCall(_ request: inout Request, context: APIContext, endpoint: Endpoint) async throws -> Call {
        var parameters = Parameters()
        try parameters.addFormEncoded(request.uri.query ?? "")
        try await readBody(&request, context: context, into: &parameters)
        for (index, segment) in endpoint.path.segments.enumerated() {
            // The router hands captures over as sent, still percent-encoded.
            if case .parameter(let name) = segment, let value = context.parameters.get("p\(index)") {
                parameters.set(name, .text(value.removingPercentEncoding ?? value))
            }
        }

        let now = state.now
        let caller = try await authenticate(request.headers[.authToken], now: now)
        if caller == nil, !RouteTable.publicEndpoints.contains(endpoint) { throw CallError.notLoggedIn }
        if let caller, !endpoint.roles.contains(caller.role) {
            throw CallError(.forbidden, "\(Self.roleName(caller.role))无权访问此接口")
        }
        try validate(parameters, for: endpoint, role: caller?.role)
        return Call(
            endpoint: endpoint, parameters: parameters, caller: caller, now: now, state: state,
            captchaID: request.cookies["captcha_id"]?.value, location: Location(header: request.headers[.location]))
    }

    private func readBody(_ request: inout Request, context: APIContext, into parameters: inout Parameters) async throws {
        guard request.method != .get, request.method != .head else { return }
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: state.configuration.maxBodyBytes)
        } catch {
            throw CallError(.invalidParameter, "请求体过大")
        }
        guard body.readableBytes > 0 else { return }
        let contentType = (request.headers[.contentType] ?? "").lowercased()
        if contentType.hasPrefix("multipart/form-data") {
            guard let boundary = Self.boundary(in: request.headers[.contentType] ?? "") else {
                throw CallError(.invalidParameter, "multipart 缺少 boundary")
            }
            try parameters.addMultipart(body, boundary: boundary)
        } else if contentType.hasPrefix("application/json") || body.readableBytesView.first == UInt8(ascii: "{") {
            try parameters.addJSON(body)
        } else {
            guard let text = body.getString(at: body.readerIndex, length: body.readableBytes) else {
                throw CallError(.invalidParameter, "请求体不是有效的 UTF-8")
            }
            try parameters.addFormEncoded(text)
        }
    }

    private static func boundary(in contentType: String) -> String? {
        guard let parameter = MediaType(from: contentType)?.parameter, parameter.name.lowercased() == "boundary" else { return nil }
        return parameter.value.isEmpty ? nil : parameter.value
    }

    /// The session behind `token`; nil without one. An unknown or logged-out token is
    /// "not logged in", an old one "expired", so clients can tell them apart.
    private func authenticate(_ token: String?, now: Date) async throws -> Caller? {
        guard let token = token?.trimmingCharacters(in: .whitespaces), !token.isEmpty else { return nil }
        struct Session: Sendable {
            let userID: Int
            let expiresAt: Double
            let revoked: Bool
            let type: Int
        }
        let session = try await state.database.read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT session.user_id, session.expires_at, session.revoked, user.type
                    FROM session JOIN user ON user.id = session.user_id WHERE session.token = ?
                    """,
                arguments: [token]
            ).map { Session(userID: $0["user_id"], expiresAt: $0["expires_at"], revoked: $0["revoked"] != 0, type: $0["type"]) }
        }
        guard let session, !session.revoked else { throw CallError.notLoggedIn }
        guard session.expiresAt > now.timeIntervalSince1970 else { throw CallError.tokenExpired }
        guard let role = UserRole(rawValue: session.type) else { throw CallError.notLoggedIn }
        return Caller(userID: session.userID, role: role, token: token)
    }

    /// The catalogue's rules for parameters: required ones present, integers whole numbers.
    private func validate(_ parameters: Parameters, for endpoint: Endpoint, role: UserRole?) throws(CallError) {
        for parameter in endpoint.parameters where parameter.location != .path {
            if let role, !parameter.roles.contains(role) { continue }
            switch parameter.type {
            case .integer:
                if parameter.isRequired { _ = try parameters.requiredInt(parameter.name) } else { _ = try parameters.int(parameter.name) }
            case .string, .jsonString:
                if parameter.isRequired { _ = try parameters.requiredString(parameter.name) }
            case .array:
                if parameter.isRequired, try parameters.strings(parameter.name).isEmpty, parameters[parameter.name] == nil {
                    throw .missing(parameter.name)
                }
            case .file:
                if parameter.isRequired, parameters.file(parameter.name) == nil { throw .missing(parameter.name) }
            }
        }
    }

    static func roleName(_ role: UserRole) -> String {
        switch role {
        case .patient: "患者"
        case .doctor: "医生"
        case .assistant: "医助"
        }
    }

    // MARK: - Answers

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()

    static func envelope(_ payload: any Encodable & Sendable, for endpoint: Endpoint) throws -> Answer {
        if let binary = payload as? BinaryPayload {
            var headers: HTTPFields = [.contentType: binary.contentType]
            if let cookie = binary.setCookie { headers[.setCookie] = cookie }
            return Answer(status: .ok, headers: headers, body: ByteBuffer(bytes: binary.bytes))
        }
        if endpoint.response == .null {
            return json(ByteBuffer(string: #"{"error_code":0,"data":null,"error_message":""}"#))
        }
        func encode<Payload: Encodable & Sendable>(_ payload: Payload) throws -> ByteBuffer {
            ByteBuffer(bytes: try encoder.encode(Envelope(data: payload)))
        }
        return json(try encode(payload))
    }

    static func failure(_ failure: CallError, status: HTTPResponse.Status? = nil) throws -> Answer {
        let envelope = Envelope<EmptyPayload>(error: EnvelopeError(code: failure.code.rawValue, message: failure.message))
        return json(ByteBuffer(bytes: try encoder.encode(envelope)), status: status ?? HTTPResponse.Status(code: failure.code.httpStatus))
    }

    static func json(_ body: ByteBuffer, status: HTTPResponse.Status = .ok) -> Answer {
        Answer(status: status, headers: [.contentType: "application/json; charset=utf-8"], body: body)
    }
}

/// A complete answer before it is sent: kept as bytes so that fault injection can cut it.
struct Answer: Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let body: ByteBuffer

    var response: Response {
        Response(status: status, headers: headers, body: ResponseBody(byteBuffer: body))
    }

    /// This answer as quirks mode sends it: JSON varied when the mode is on; images and
    /// other bodies as they are.
    func varied(by quirks: QuirkSwitch) -> Answer {
        guard headers[.contentType]?.hasPrefix("application/json") == true, let body = quirks.rewrite(body) else { return self }
        return Answer(status: status, headers: headers, body: body)
    }
}

extension HTTPField.Name {
    static let authToken = HTTPField.Name("X-auth-token")!
    static let location = HTTPField.Name("X-location")!
}

/// Answers unknown routes and wrong methods in the envelope too, so every answer of the
/// API port is an envelope: a documented path with another method is 405 with `Allow`
/// naming the documented methods, anything else 404.
struct EnvelopeFallbackMiddleware: RouterMiddleware {
    typealias Context = APIContext

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            guard error.status == .notFound || error.status == .methodNotAllowed else {
                return try APIRouter.failure(CallError(.invalidParameter, "请求无效"), status: error.status).response
            }
            let methods = Self.documentedMethods(for: request.uri.path)
            guard !methods.isEmpty else { return try APIRouter.failure(CallError(.notFound, "接口不存在")).response }
            var response = try APIRouter.failure(CallError(.notFound, "接口不支持此方法"), status: .methodNotAllowed).response
            response.headers[.allow] = methods.joined(separator: ", ")
            return response
        }
    }

    /// The methods the catalogue documents for a concrete path, in the catalogue's order.
    static func documentedMethods(for path: String) -> [String] {
        var methods: [String] = []
        for method in HTTPMethod.allCases {
            if let (_, _) = Endpoint.route(method, path), !methods.contains(method.rawValue) {
                methods.append(method.rawValue)
            }
        }
        return methods
    }
}
