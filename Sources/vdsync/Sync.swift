import ArgumentParser
import LocalRPC
import SocketClient
import VolunteerAPI

/// `vdsync sync`: pulls now (sync.now), some tiers or all.
struct Sync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Pull now (sync.now): hot (chat, messages, diagnoses), warm (projects, people), cold (reference data), or all.")

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Comma-separated tiers: hot, warm, cold (default: all).", valueName: "tiers"))
    var tiers: CommaList?

    func run() async throws {
        var params: [String: JSONValue] = [:]
        if let tiers { params["tiers"] = tiers.json }
        try await Invocation.run(global, "sync.now", params)
    }
}
