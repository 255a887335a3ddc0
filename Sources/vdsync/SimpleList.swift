import ArgumentParser
import LocalRPC
import SocketClient

/// A `list` subcommand over a method whose only params are paging; the namespaces below
/// (`vdsync news list`, …) are this with a method name.
protocol SimpleList: AsyncParsableCommand {
    static var method: String { get }
    var global: GlobalOptions { get }
    var paging: Paging { get }
}

extension SimpleList {
    func run() async throws {
        try await Invocation.run(global, Self.method, paging.params)
    }
}
