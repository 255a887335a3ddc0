/// One documented endpoint of the upstream API as a typed value: method, path,
/// parameters, what it answers, what kind of operation it is and who may call it.
///
/// The whole list is ``Endpoint/all``; each entry also has a static name
/// (``Endpoint/login``, ``Endpoint/projectJoin``, ...) so that code refers to routes by meaning.
public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
    /// What an endpoint does, from the agent's point of view (the `kind` column of ENDPOINTS.md).
    public enum Kind: String, Sendable, Hashable {
        /// Mirrored into the local store.
        case read
        /// A mutation: it goes through the durable outbox, whatever its HTTP method.
        case write
        /// Session and account flow (login, codes, logout).
        case auth
        /// Reference data (cities, hospitals, organisations, doctors).
        case ref
    }

    /// The document's section number (it repeats a few; the path tells them apart).
    public let section: String
    public let method: HTTPMethod
    public let path: PathTemplate
    public let parameters: [Parameter]
    public let response: ResponseShape
    public let kind: Kind
    /// The roles that may call it; all three for endpoints marked `*`.
    public let roles: Set<UserRole>

    public init(
        _ section: String,
        _ method: HTTPMethod,
        _ path: PathTemplate,
        parameters: [Parameter] = [],
        response: ResponseShape,
        kind: Kind,
        roles: Set<UserRole> = Set(UserRole.allCases)
    ) {
        self.section = section
        self.method = method
        self.path = path
        self.parameters = parameters
        self.response = response
        self.kind = kind
        self.roles = roles
    }

    /// `GET /project/{id}`.
    public var description: String { "\(method.rawValue) \(path)" }

    /// The parameters that travel at `location`.
    public func parameters(in location: Parameter.Location) -> [Parameter] {
        parameters.filter { $0.location == location }
    }

    /// Whether the endpoint takes the paging pair of §1.3.3.
    public var isPaged: Bool {
        parameters.contains { $0.name == "current_page" }
    }

    /// The endpoint for this method and concrete path, with its path values, if any is documented.
    public static func route(_ method: HTTPMethod, _ path: String) -> (Endpoint, [String: String])? {
        // Literal paths win over templates: `/doctor/list` is not `/doctor/{id}/...`, and
        // `/project` with GET is not `/project/{id}`.
        var best: (Endpoint, [String: String], Int)?
        for endpoint in all where endpoint.method == method {
            guard let values = endpoint.path.match(path) else { continue }
            let literals = endpoint.path.segments.count - values.count
            if let current = best, current.2 >= literals { continue }
            best = (endpoint, values, literals)
        }
        return best.map { ($0.0, $0.1) }
    }
}
