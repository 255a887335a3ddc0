import ArgumentParser
import Foundation
import LocalRPC
import SocketClient

/// The options every command takes: which socket, and whether to print raw JSON.
///
/// Declared on the root command and on every leaf, so both `vdsync --json status` and
/// `vdsync status --json` work.
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .long, help: ArgumentHelp("The daemon's socket (default: $VDSYNC_SOCKET, else \(LocalRPCClient.defaultSocketPath)).", valueName: "path"),
        completion: .file())
    var socket: String?

    @Flag(name: .long, help: "Print the raw result as JSON (pretty, keys sorted).")
    var json = false

    /// The socket path to use.
    var socketPath: String {
        if let socket { return socket }
        if let fromEnvironment = ProcessInfo.processInfo.environment["VDSYNC_SOCKET"], !fromEnvironment.isEmpty { return fromEnvironment }
        return LocalRPCClient.defaultSocketPath
    }
}
