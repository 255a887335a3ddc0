import VolunteerAPI

/// A handler of one endpoint: validated call in, payload out (the `data` of the envelope).
/// A refusal is an ``CallError``.
typealias Handler = @Sendable (Call) async throws -> any Encodable & Sendable

/// The handlers of every documented endpoint: the tables of the `Routes/` files, group by group,
/// merged with a check that no endpoint has two.
public struct RouteTable: Sendable {
    private(set) var handlers: [Endpoint: Handler] = [:]

    mutating func on(_ endpoint: Endpoint, _ handler: @escaping Handler) {
        precondition(handlers[endpoint] == nil, "two handlers for \(endpoint)")
        handlers[endpoint] = handler
    }

    /// Every route of the documented API.
    static var all: RouteTable {
        var table = RouteTable()
        let groups = [
            AccountRoutes.routes, ProjectRoutes.routes, DoctorRoutes.routes, PatientRoutes.routes, AssistantRoutes.routes,
            ChatRoutes.routes, ContentRoutes.routes,
        ]
        for group in groups {
            for (endpoint, handler) in group { table.on(endpoint, handler) }
        }
        return table
    }

    /// Endpoints that answer without a login. Everything else needs a valid `X-auth-token`.
    public static let publicEndpoints: Set<Endpoint> = [
        .captcha, .sendVerifyCodeWithCaptcha, .cities, .areasOfCity, .register, .login, .resetPassword,
        .sendVerifyCode, .loginByPhone, .weixinMedia, .hospitals, .organisations, .doctors,
        .newsList, .news, .specialProjects, .specialProjectProjects, .projects, .project,
        .doctorCommentsById,
    ]
}

/// A non-JSON answer (the captcha image, an uploaded file): returned by a handler instead of
/// a payload, sent as it is.
struct BinaryPayload: Encodable, Sendable {
    let contentType: String
    let bytes: [UInt8]
    var setCookie: String? = nil

    func encode(to encoder: any Encoder) throws {
        throw EncodingError.invalidValue(self, .init(codingPath: [], debugDescription: "binary payloads are sent as they are"))
    }
}
