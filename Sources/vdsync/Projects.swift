import ArgumentParser
import LocalRPC
import SocketClient
import VolunteerAPI

/// `vdsync projects`: reads of mirrored projects.
struct Projects: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Read projects from the mirror.", subcommands: [List.self, Get.self, Patients.self])

    enum Scope: String, ExpressibleByArgument, CaseIterable {
        case mine, open, booked, all
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Projects: the doctor's own, open for booking, booked by the assistant, or all (projects.list).")

        @OptionGroup var global: GlobalOptions
        @Option(help: "mine, open, booked or all (default all).") var scope: Scope?
        @Option(name: .customLong("from"), help: "From this date, yyyy-MM-dd, inclusive.") var fromDate: String?
        @Option(name: .customLong("to"), help: "Up to this date, yyyy-MM-dd, inclusive.") var toDate: String?
        @Option(help: "1 active, 0 cancelled.") var status: Int?
        @Flag(help: "Latest first.") var descending = false
        @OptionGroup var paging: Paging

        func run() async throws {
            var params = paging.params
            params.set("scope", scope?.rawValue)
            params.set("from_date", fromDate)
            params.set("to_date", toDate)
            params.set("status", status)
            if descending { params["descending"] = true }
            try await Invocation.run(global, "projects.list", params)
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One project (projects.get).")

        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("project-id"), help: "The project's id.") var projectID: Int

        func run() async throws {
            try await Invocation.run(global, "projects.get", ["project_id": .integer(projectID)])
        }
    }

    struct Patients: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A project's bookings, by visit time (projects.patients).")

        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("project-id"), help: "The project's id.") var projectID: Int
        @Option(help: "1 waiting, 2 not seen, 3 seen.") var status: Int?
        @Option(name: .customLong("verify-status"), help: "1 booked, 2 rejected, 3 cancelled.") var verifyStatus: Int?
        @OptionGroup var paging: Paging

        func run() async throws {
            var params = paging.params
            params["project_id"] = .integer(projectID)
            params.set("status", status)
            params.set("verify_status", verifyStatus)
            try await Invocation.run(global, "projects.patients", params)
        }
    }
}
