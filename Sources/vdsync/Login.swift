import ArgumentParser
import LocalRPC
import SocketClient
import VolunteerAPI

/// `vdsync login`: logs the daemon in to the upstream (session.login), or with `--code` by
/// phone and SMS code (session.login_by_code). The password never appears on the command line:
/// see ``PasswordSource``.
struct Login: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Log in to the upstream (session.login); the daemon keeps the session across restarts.",
        discussion:
            "The password is read from --password-file, --password-stdin, $VDSYNC_PASSWORD, or a prompt without echo. With --code (an SMS code from 'vdsync account send-code'), a patient logs in without a password (session.login_by_code)."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The mainland mobile number.")
    var phone: String

    @Option(help: "patient, doctor or assistant (not with --code: a code signs in a patient).")
    var role: Role?

    @Option(help: "An SMS code instead of a password.")
    var code: String?

    @OptionGroup var password: PasswordSource

    enum Role: String, ExpressibleByArgument, CaseIterable {
        case patient, doctor, assistant
    }

    func validate() throws {
        if code == nil, role == nil { throw ValidationError("--role is required with a password") }
        if code != nil, role != nil { throw ValidationError("--code signs in a patient: leave out --role") }
    }

    func run() async throws {
        if let code {
            try await Invocation.run(global, "session.login_by_code", ["phone": .string(phone), "verify_code": .string(code)])
            return
        }
        let secret = try password.read()
        try await Invocation.run(
            global, "session.login", ["phone": .string(phone), "password": .string(secret), "role": .string(role?.rawValue ?? "")])
    }
}
