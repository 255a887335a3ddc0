import ArgumentParser
import Foundation
import VolunteerAPI

/// A comma-separated list on the command line (`--tiers hot,warm`), empty items dropped.
struct CommaList: ExpressibleByArgument {
    let items: [String]

    init?(argument: String) {
        items = argument.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if items.isEmpty { return nil }
    }

    var json: JSONValue { .array(items.map(JSONValue.string)) }
}
