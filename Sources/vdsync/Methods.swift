import ArgumentParser
import LocalRPC
import SocketClient

/// `vdsync methods`: what the daemon serves, from rpc.discover.
struct Methods: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the daemon's methods (rpc.discover); --json prints the OpenRPC document.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await Invocation.run(global, "rpc.discover")
    }
}
