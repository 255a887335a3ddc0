import ArgumentParser
import LocalRPC
import SocketClient
import VolunteerAPI

/// `vdsync booking …`: booking into projects (patient, and assistant on a patient's behalf).
struct Booking: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Book into projects, or cancel (patient; assistant for its patients).",
        subcommands: [Join.self, Cancel.self, JoinForPatient.self, CancelForPatient.self])

    struct Join: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Book into a project with a case description (booking.join; patient).")
        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("project-id"), help: "The project's id.") var projectID: Int
        @Option(help: "The case.") var description: String
        @Option(help: "A time slot, e.g. \"09:00:00 - 09:30:00\".") var slot: String?
        @OptionGroup var photos: PhotoOptions

        func run() async throws {
            var params: [String: JSONValue] = ["project_id": .integer(projectID), "description": .string(description)]
            params.set("slot", slot)
            try photos.add(to: &params)
            try await Invocation.run(global, "booking.join", params)
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel the patient's booking of a project (booking.cancel; patient).")
        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("project-id"), help: "The project's id.") var projectID: Int

        func run() async throws {
            try await Invocation.run(global, "booking.cancel", ["project_id": .integer(projectID)])
        }
    }

    struct JoinForPatient: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Book one of the assistant's patients into a project (booking.joinForPatient; assistant).")
        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("project-id"), help: "The project's id.") var projectID: Int
        @Option(name: .customLong("patient-id"), help: "The patient (a temporary negative id waits for its creation).") var patientID: Int
        @Option(help: "A time slot, e.g. \"09:00:00 - 09:30:00\".") var slot: String

        func run() async throws {
            try await Invocation.run(
                global, "booking.joinForPatient", ["project_id": .integer(projectID), "patient_id": .integer(patientID), "slot": .string(slot)])
        }
    }

    struct CancelForPatient: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a booking the assistant made (booking.cancelForPatient; assistant).")
        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("diagnosis-id"), help: "The booking's id.") var diagnosisID: Int

        func run() async throws {
            try await Invocation.run(global, "booking.cancelForPatient", ["diagnosis_id": .integer(diagnosisID)])
        }
    }
}
