import ArgumentParser
import Foundation
import LocalRPC
import SocketClient

/// `vdsync`: the command-line client of vdsyncd's socket, one subcommand per method of the local
/// API, tables for people and `--json` for scripts.
///
/// Its exit statuses are part of its interface (``ClientExitStatus``); `main` is ours rather than
/// the argument parser's only so that a usage error exits 1 as documented (the parser's own
/// convention is 64).
@main
struct VDSyncClient: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vdsync",
        abstract: "Talk to a running vdsyncd over its Unix socket: status, reads, mutations, outbox control.",
        discussion: """
            Every subcommand calls one method of the local API (docs/local-api.md). Output is a table \
            or a few lines for people; --json prints the method's raw result as JSON (pretty, keys \
            sorted), e.g. `vdsync projects list --scope mine --json | jq '.items[].id'`.

            The socket is --socket, else $VDSYNC_SOCKET, else /run/vdsyncd/vdsyncd.sock.

            EXIT STATUS
              0  success
              1  usage error: unknown option, missing or malformed argument
              2  cannot connect: no socket, daemon not running, permission
                 denied, or the daemon is at its connection limit
              3  the daemon refused the request: invalid params, unknown
                 method, not logged in, role not allowed, not found, invalid
                 state, forbidden for this user
              4  upstream-related failure: login refused (-32010), upstream
                 unreachable (-32013)
              5  internal or protocol error: the daemon failed (-32603) or
                 the connection broke

            Completion scripts: vdsync --generate-completion-script bash|zsh|fish
            """,
        subcommands: [
            Status.self, Report.self, Login.self, Logout.self, AccountCommand.self, Sync.self, Watch.self, Methods.self, Call.self,
            Projects.self, Diagnoses.self, Messages.self, Dialogs.self, Patients.self, Follows.self, Memberships.self,
            Profile.self, Hospitals.self, Organisations.self, NewsCommand.self, Search.self, Outbox.self,
            Photo.self, Image.self, DoctorCommand.self, ProjectCommand.self, DiagnosisCommand.self, OrganisationCommand.self, Booking.self, PatientCommand.self,
            Chat.self,
        ]
    )

    @OptionGroup var global: GlobalOptions

    static func main() async {
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            if exitCode(for: error) == .validationFailure {
                Output.error(fullMessage(for: error))
                Foundation.exit(ClientExitStatus.usage.rawValue)
            }
            exit(withError: error)
        }
        do {
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            // A bad argument found while running (an unreadable photo, no password source):
            // the message alone, since the root's usage line would name the wrong command.
            if exitCode(for: error) == .validationFailure {
                Output.error("vdsync: \(message(for: error))")
                Foundation.exit(ClientExitStatus.usage.rawValue)
            }
            exit(withError: error)
        }
    }

    mutating func run() async throws {
        throw CleanExit.helpRequest(self)
    }
}
