import Foundation
import ReferenceServer
import VolunteerAPI

/// The endpoint catalogue as JSON, for tools outside Swift (scripts/openapi.py builds
/// docs/openapi.yaml from it, so the description cannot drift from the catalogue).
enum CatalogueExport {
    static func json() throws -> String {
        let endpoints: [JSONValue] = Endpoint.all.map { endpoint in
            [
                "section": .string(endpoint.section),
                "method": .string(endpoint.method.rawValue),
                "path": .string(endpoint.path.template),
                "kind": .string(endpoint.kind.rawValue),
                "public": .bool(RouteTable.publicEndpoints.contains(endpoint)),
                "roles": .array(endpoint.roles.sorted { $0.rawValue < $1.rawValue }.map { .integer($0.rawValue) }),
                "response": response(endpoint.response),
                "parameters": .array(endpoint.parameters.map(parameter)),
            ]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(JSONValue.array(endpoints)), as: UTF8.self)
    }

    private static func parameter(_ parameter: Parameter) -> JSONValue {
        [
            "name": .string(parameter.name),
            "in": .string(parameter.location.rawValue),
            "type": type(parameter.type),
            "required": .bool(parameter.isRequired),
            "summary": .string(parameter.summary),
            "roles": .array(parameter.roles.sorted { $0.rawValue < $1.rawValue }.map { .integer($0.rawValue) }),
        ]
    }

    private static func type(_ type: Parameter.ValueType) -> JSONValue {
        switch type {
        case .string: "string"
        case .integer: "integer"
        case .jsonString: "json-string"
        case .file: "file"
        case .array(let element): ["array": self.type(element)]
        }
    }

    private static func response(_ shape: ResponseShape) -> JSONValue {
        switch shape {
        case .empty: ["shape": "empty"]
        case .null: ["shape": "null"]
        case .image: ["shape": "image"]
        case .userByType: ["shape": "user"]
        case .userByTypeWithIsNew: ["shape": "phone-login"]
        case .record(let kind): ["shape": "record", "kind": .string(kind.rawValue)]
        case .optionalRecord(let kind): ["shape": "optional-record", "kind": .string(kind.rawValue)]
        case .list(let kind): ["shape": "list", "kind": .string(kind.rawValue)]
        case .page(let kind): ["shape": "page", "kind": .string(kind.rawValue)]
        case .bareArray(let kind): ["shape": "bare-array", "kind": .string(kind.rawValue)]
        }
    }
}
