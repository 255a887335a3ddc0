import LocalRPC
import VolunteerAPI

/// `name=value` pairs from the command line, typed by the documented endpoint's parameters, for
/// the mutations whose fields depend on the role (`profile.complete`, `patient.create`).
///
/// The types come from the same ``Endpoint`` catalogue the daemon validates against, so the
/// command line cannot drift from the API: an integer field must be an integer, an array field
/// takes comma-separated values, a field the endpoint does not have is a usage error.
public enum FieldAssignment {
    /// Why an assignment cannot be used.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case malformed(String)
        case unknownField(String, known: [String])
        case notAnInteger(field: String)
        case reserved(String)

        public var description: String {
            switch self {
            case .malformed(let text): "'\(text)' is not name=value"
            case .unknownField(let name, let known): "no field '\(name)'; known: \(known.joined(separator: ", "))"
            case .notAnInteger(let field): "'\(field)' must be an integer"
            case .reserved(let name): "'\(name)' is not set with --set"
            }
        }
    }

    /// The body fields of `endpoint` that may be set this way (a password never is: it would
    /// stay in the shell's history).
    public static func fields(of endpoint: Endpoint) -> [Parameter] {
        endpoint.parameters.filter { $0.location == .body && $0.name != "pwd" }
    }

    /// The params object for `assignments` (each `name=value`) against `endpoint`.
    public static func params(_ assignments: [String], for endpoint: Endpoint) throws(Failure) -> [String: JSONValue] {
        let fields = fields(of: endpoint)
        var params: [String: JSONValue] = [:]
        for assignment in assignments {
            guard let equals = assignment.firstIndex(of: "="), equals != assignment.startIndex else { throw .malformed(assignment) }
            let name = String(assignment[..<equals])
            let value = String(assignment[assignment.index(after: equals)...])
            if name == "pwd" || name == "password" { throw .reserved(name) }
            guard let field = fields.first(where: { $0.name == name }) else { throw .unknownField(name, known: fields.map(\.name)) }
            switch field.type {
            case .integer:
                guard let number = Int(value) else { throw .notAnInteger(field: name) }
                params[name] = .integer(number)
            case .array:
                params[name] = .array(value.split(separator: ",").map { .string(String($0).trimmingSpaces) })
            default:
                params[name] = .string(value)
            }
        }
        return params
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
