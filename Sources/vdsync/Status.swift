import ArgumentParser
import LocalRPC
import SocketClient

/// `vdsync status`: connectivity, session, last pulls, outbox counts, last errors, the link today, versions.
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show connectivity, session, last pulls, outbox counts, last errors, the link today (status).")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await Invocation.run(global, "status")
    }
}
