import ArgumentParser
import LocalRPC
import SocketClient
import VolunteerAPI

/// `vdsync project publish|cancel` (doctor).
struct ProjectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "project", abstract: "Publish or cancel a clinic project (doctor).", subcommands: [Publish.self, Cancel.self])

    struct Publish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Publish a clinic project (project.publish).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "yyyy-MM-dd.") var date: String
        @Option(help: "HH:mm:ss.") var begin: String
        @Option(help: "HH:mm:ss.") var end: String
        @Option(help: "How many patients.") var capacity: Int
        @Option(help: "Longitude, as text.") var longitude: String
        @Option(help: "Latitude, as text.") var latitude: String
        @Option(help: "The address.") var address: String
        @Option(name: .customLong("service-targets"), help: ArgumentHelp("Comma-separated service targets.", valueName: "targets"))
        var serviceTargets: CommaList
        @Option(help: "What the project offers.") var description: String
        @Option(help: "The registration deposit.") var price: Int

        func run() async throws {
            try await Invocation.run(
                global, "project.publish",
                [
                    "date": .string(date), "begin": .string(begin), "end": .string(end), "capacity": .integer(capacity),
                    "longitude": .string(longitude), "latitude": .string(latitude), "address": .string(address),
                    "service_targets": serviceTargets.json, "description": .string(description), "price": .integer(price),
                ])
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a project (project.cancel).")
        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("project-id"), help: "The project's id.") var projectID: Int

        func run() async throws {
            try await Invocation.run(global, "project.cancel", ["project_id": .integer(projectID)])
        }
    }
}
