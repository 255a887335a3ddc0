/// One documented request parameter of an endpoint: where it travels, what it holds,
/// and whether the document marks it required (【必填】).
public struct Parameter: Sendable, Hashable {
    /// Where a parameter travels in the request.
    public enum Location: String, Sendable, Hashable {
        /// A `{name}` placeholder of the path.
        case path
        /// The query string (all `GET` and `DELETE` parameters).
        case query
        /// The request body (`POST` and `PUT`), as JSON or form fields.
        case body
        /// A multipart file part (`/imgupload`).
        case file
    }

    /// The documented type of a parameter's value.
    public indirect enum ValueType: Sendable, Hashable {
        case string
        case integer
        /// A list of values, e.g. `photo[]` or `service_target[]`.
        case array(ValueType)
        /// A string that itself holds JSON (`work_time` of the doctor's `PUT /user`).
        case jsonString
        /// Uploaded file contents.
        case file
    }

    /// The wire name, exactly as documented (typos included: `phono`, `photo` for a phone).
    public let name: String
    public let location: Location
    public let type: ValueType
    public let isRequired: Bool
    /// What the document says the parameter means, in a few words.
    public let summary: String
    /// The roles the parameter belongs to. `PUT /user` takes different fields per role
    /// (§3.1.3-5); everywhere else a parameter belongs to every role that may call the endpoint.
    public let roles: Set<UserRole>

    public init(
        _ name: String,
        _ location: Location,
        _ type: ValueType,
        required: Bool,
        _ summary: String,
        roles: Set<UserRole> = Set(UserRole.allCases)
    ) {
        self.name = name
        self.location = location
        self.type = type
        self.isRequired = required
        self.summary = summary
        self.roles = roles
    }

    /// A path placeholder; always required.
    public static func path(_ name: String, _ summary: String) -> Parameter {
        Parameter(name, .path, .integer, required: true, summary)
    }

    /// The paging pair of §1.3.3 (`current_page`, `page_size`), both optional query parameters.
    public static let paging: [Parameter] = [
        Parameter("current_page", .query, .integer, required: false, "page number, default 1"),
        Parameter("page_size", .query, .integer, required: false, "page length, default 10"),
    ]
}
