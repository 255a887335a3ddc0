import ArgumentParser
import LocalRPC
import SocketClient
import VolunteerAPI

/// `vdsync profile`: the logged-in user's profile (the default), and completing it.
struct Profile: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the logged-in user's profile (profile.get), or complete it.", subcommands: [Show.self, Complete.self],
        defaultSubcommand: Show.self)

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The logged-in user's profile (profile.get).")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await Invocation.run(global, "profile.get")
        }
    }

    struct Complete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Complete the profile (profile.complete); fields by their documented names for the role.",
            discussion: "Fields: " + FieldAssignment.fields(of: .completeProfile).map(\.name).joined(separator: ", ")
                + ". Example: vdsync profile complete --set real_name=张三 --set idno=… --set team_name=…")

        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("set"), help: ArgumentHelp("A field, as name=value (repeat; arrays comma-separated).", valueName: "name=value"))
        var fields: [String] = []

        func validate() throws {
            if fields.isEmpty { throw ValidationError("give at least one --set name=value") }
            _ = try Mutations.fields(fields, .completeProfile)
        }

        func run() async throws {
            try await Invocation.run(global, "profile.complete", try Mutations.fields(fields, .completeProfile))
        }
    }
}
