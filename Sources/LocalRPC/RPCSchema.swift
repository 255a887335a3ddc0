import VolunteerAPI

/// Small builders of JSON Schema values for method descriptions, so that registrations read as
/// `RPCSchema.object(["phone": RPCSchema.string()], required: ["phone"])` rather than nested literals.
public enum RPCSchema {
    public static func string(description: String? = nil) -> JSONValue { typed("string", description) }
    public static func integer(description: String? = nil) -> JSONValue { typed("integer", description) }
    public static func number(description: String? = nil) -> JSONValue { typed("number", description) }
    public static func boolean(description: String? = nil) -> JSONValue { typed("boolean", description) }
    public static let null: JSONValue = ["type": "null"]
    /// Any JSON value.
    public static let any: JSONValue = [:]

    public static func array(of items: JSONValue, description: String? = nil) -> JSONValue {
        with(["type": "array", "items": items], description)
    }

    public static func object(
        _ properties: [String: JSONValue] = [:], required: [String] = [], description: String? = nil
    ) -> JSONValue {
        var schema: [String: JSONValue] = ["type": "object", "properties": .object(properties)]
        if !required.isEmpty { schema["required"] = .array(required.map(JSONValue.string)) }
        return with(.object(schema), description)
    }

    public static func oneOf(_ schemas: [JSONValue]) -> JSONValue { ["oneOf": .array(schemas)] }

    public static func enumeration(_ values: [String], description: String? = nil) -> JSONValue {
        with(["type": "string", "enum": .array(values.map(JSONValue.string))], description)
    }

    private static func typed(_ type: String, _ description: String?) -> JSONValue {
        with(["type": .string(type)], description)
    }

    private static func with(_ schema: JSONValue, _ description: String?) -> JSONValue {
        guard let description, case .object(var members) = schema else { return schema }
        members["description"] = .string(description)
        return .object(members)
    }
}
