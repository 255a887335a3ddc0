import ArgumentParser
import LocalRPC
import SocketClient
import VolunteerAPI

/// `vdsync call`: any method with any params, for what has no subcommand of its own.
struct Call: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Call any method with params given as JSON (the escape hatch).",
        discussion: "Example: vdsync call projects.list --params '{\"scope\":\"mine\",\"limit\":5}'")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The method, as `vdsync methods` lists it.")
    var method: String

    @Option(help: ArgumentHelp("The params: a JSON object (by name) or array (by position).", valueName: "json"))
    var params: String?

    func validate() throws {
        if let params {
            switch try? JSONText.parse(params) {
            case .object?, .array?: break
            default: throw ValidationError("--params must be a JSON object or array")
            }
        }
    }

    func run() async throws {
        let given = try params.map(JSONText.parse)
        let result = try await Invocation.call(global, method, given)
        Output.write(global.json ? JSONText.pretty(result) + "\n" : ResultFormatter.render(method: method, result: result))
    }
}
