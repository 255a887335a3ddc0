import ArgumentParser
import LocalRPC
import SocketClient
import VolunteerAPI

/// `vdsync login`: logs the daemon in to the upstream (session.login). The password never
/// appears on the command line: see ``PasswordSource``.
struct Login: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Log in to the upstream (session.login); the daemon keeps the session across restarts.",
        discussion: "The password is read from --password-file, --password-stdin, $VDSYNC_PASSWORD, or a prompt without echo.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "The mainland mobile number.")
    var phone: String

    @Option(help: "patient, doctor or assistant.")
    var role: Role

    @OptionGroup var password: PasswordSource

    enum Role: String, ExpressibleByArgument, CaseIterable {
        case patient, doctor, assistant
    }

    func run() async throws {
        let secret = try password.read()
        try await Invocation.run(global, "session.login", ["phone": .string(phone), "password": .string(secret), "role": .string(role.rawValue)])
    }
}
