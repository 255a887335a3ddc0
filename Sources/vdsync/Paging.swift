import ArgumentParser
import VolunteerAPI

/// `--limit` and `--offset` of every list method.
struct Paging: ParsableArguments {
    @Option(help: "At most this many items (1-500, default 50).")
    var limit: Int?

    @Option(help: "Skip this many items first (default 0).")
    var offset: Int?

    /// The paging params that were given.
    var params: [String: JSONValue] {
        var params: [String: JSONValue] = [:]
        if let limit { params["limit"] = .integer(limit) }
        if let offset { params["offset"] = .integer(offset) }
        return params
    }
}

extension Dictionary where Key == String, Value == JSONValue {
    /// Sets `key` when `value` was given; the daemon's defaults apply to what is left out.
    mutating func set(_ key: String, _ value: Int?) {
        if let value { self[key] = .integer(value) }
    }

    mutating func set(_ key: String, _ value: String?) {
        if let value { self[key] = .string(value) }
    }
}
