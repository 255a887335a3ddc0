import ArgumentParser
import LocalRPC
import SocketClient

/// `vdsync logout`: ends the session; queued mutations wait for the next login.
struct Logout: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Log out (session.logout); queued mutations stay queued for the next login.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await Invocation.run(global, "session.logout")
    }
}
