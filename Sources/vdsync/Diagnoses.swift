import ArgumentParser
import LocalRPC
import SocketClient
import VolunteerAPI

/// `vdsync diagnoses`: reads of mirrored diagnoses (bookings).
struct Diagnoses: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Read diagnoses (bookings) from the mirror.", subcommands: [List.self, Get.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Diagnoses by status, latest first (diagnoses.list).")

        @OptionGroup var global: GlobalOptions
        @Option(help: "1 waiting, 2 not seen, 3 seen.") var status: Int?
        @Option(name: .customLong("verify-status"), help: "1 booked, 2 rejected, 3 cancelled.") var verifyStatus: Int?
        @Option(name: .customLong("patient-id"), help: "Only this patient's.") var patientID: Int?
        @OptionGroup var paging: Paging

        func run() async throws {
            var params = paging.params
            params.set("status", status)
            params.set("verify_status", verifyStatus)
            params.set("patient_id", patientID)
            try await Invocation.run(global, "diagnoses.list", params)
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One diagnosis (diagnoses.get).")

        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("diagnosis-id"), help: "The diagnosis's id.") var diagnosisID: Int

        func run() async throws {
            try await Invocation.run(global, "diagnoses.get", ["diagnosis_id": .integer(diagnosisID)])
        }
    }
}
