import ArgumentParser
import LocalRPC
import SocketClient
import VolunteerAPI

/// `vdsync doctor follow|unfollow` (patient, assistant).
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor", abstract: "Follow or stop following a doctor.", subcommands: [Follow.self, Unfollow.self])

    struct Follow: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Follow a doctor (doctor.follow).")
        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("doctor-id"), help: "The doctor's user id.") var doctorID: Int

        func run() async throws {
            try await Invocation.run(global, "doctor.follow", ["doctor_id": .integer(doctorID)])
        }
    }

    struct Unfollow: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop following a doctor (doctor.unfollow).")
        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("doctor-id"), help: "The doctor's user id.") var doctorID: Int

        func run() async throws {
            try await Invocation.run(global, "doctor.unfollow", ["doctor_id": .integer(doctorID)])
        }
    }
}
