import Foundation
import ReferenceServer
import VolunteerAPI

/// The endpoint catalogue and the documented structures' fields as JSON, for tools outside
/// Swift (scripts/openapi.py builds docs/openapi.yaml from it, so the description cannot drift
/// from the catalogue or the models): `{"endpoints": [...], "structures": {kind: [field]}}`.
enum CatalogueExport {
    /// The structures that appear only inside others, beside the record kinds.
    static let nestedStructures: [(name: String, model: any (Codable & Sendable).Type)] = [("userSummary", UserSummary.self)]

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
        var structures: [String: JSONValue] = [:]
        for kind in RecordKind.allCases {
            structures[kind.rawValue] = .array(try kind.documentedFields().map(field))
        }
        for (name, model) in nestedStructures {
            structures[name] = .array(try DocumentedField.fields(of: model).map(field))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let catalogue: JSONValue = ["endpoints": .array(endpoints), "structures": .object(structures)]
        return String(decoding: try encoder.encode(catalogue), as: UTF8.self)
    }

    private static func field(_ field: DocumentedField) -> JSONValue {
        ["name": .string(field.name), "nullable": .bool(field.isNullable)]
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
