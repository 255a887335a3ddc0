import ArgumentParser
import LocalRPC
import SocketClient
import VolunteerAPI

/// What the mutation commands share: photo arguments read into params, and role-dependent
/// fields typed by the endpoint, both failing as usage errors before the daemon is asked.
enum Mutations {
    /// `--photo` arguments (URLs or local files) as the `photos` param.
    static func photos(_ arguments: [String]) throws -> JSONValue {
        do {
            return .array(try arguments.map { argument throws(PhotoArgument.Failure) in try PhotoArgument.value(for: argument) })
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// `--set name=value` arguments as params of `endpoint`.
    static func fields(_ assignments: [String], _ endpoint: Endpoint) throws -> [String: JSONValue] {
        do {
            return try FieldAssignment.params(assignments, for: endpoint)
        } catch {
            throw ValidationError(error.description)
        }
    }
}

/// `--photo`, repeatable, for the mutations that carry photos.
struct PhotoOptions: ParsableArguments {
    @Option(
        name: .customLong("photo"), help: ArgumentHelp("A photo: an http(s) URL, or a .jpg/.png/.gif/.webp file to upload (repeat).", valueName: "path-or-url"),
        completion: .file(extensions: ["jpg", "jpeg", "png", "gif", "webp"]))
    var photos: [String] = []

    /// Adds the `photos` param when any were given.
    func add(to params: inout [String: JSONValue]) throws {
        if !photos.isEmpty { params["photos"] = try Mutations.photos(photos) }
    }
}
