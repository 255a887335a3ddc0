import ArgumentParser
import LocalRPC
import SocketClient
import VolunteerAPI

/// `vdsync organisation join|leave` (doctor).
struct OrganisationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "organisation", abstract: "Apply to or leave an organisation (doctor).", subcommands: [Join.self, Leave.self])

    struct Join: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply to an organisation (organisation.join).")
        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("organisation-id"), help: "The organisation's id.") var organisationID: Int

        func run() async throws {
            try await Invocation.run(global, "organisation.join", ["organisation_id": .integer(organisationID)])
        }
    }

    struct Leave: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Leave an organisation, by membership id (organisation.leave).")
        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("membership-id"), help: "The membership, as `vdsync memberships list` shows it.") var membershipID: Int

        func run() async throws {
            try await Invocation.run(global, "organisation.leave", ["membership_id": .integer(membershipID)])
        }
    }
}
