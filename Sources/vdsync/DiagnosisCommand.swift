import ArgumentParser
import LocalRPC
import SocketClient
import VolunteerAPI

/// `vdsync diagnosis …`: the mutations of one booking (doctor, and the patient's rating).
struct DiagnosisCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diagnosis",
        abstract: "Act on a booking: reject, mark done, record the result, rate.",
        subcommands: [Reject.self, MarkDone.self, RatePatient.self, RecordResult.self, RateDoctor.self])

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reject a booking, with a reason (diagnosis.reject; doctor).")
        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("diagnosis-id"), help: "The booking's id.") var diagnosisID: Int
        @Option(help: "Why.") var reason: String

        func run() async throws {
            try await Invocation.run(global, "diagnosis.reject", ["diagnosis_id": .integer(diagnosisID), "reason": .string(reason)])
        }
    }

    struct MarkDone: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Mark a booking seen (diagnosis.markDone; doctor).")
        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("diagnosis-id"), help: "The booking's id.") var diagnosisID: Int

        func run() async throws {
            try await Invocation.run(global, "diagnosis.markDone", ["diagnosis_id": .integer(diagnosisID)])
        }
    }

    struct RatePatient: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Rate the patient of a seen booking (diagnosis.ratePatient; doctor).")
        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("diagnosis-id"), help: "The booking's id.") var diagnosisID: Int
        @Option(help: "1-5.") var honesty: Int
        @Option(help: "1-5.") var punctuality: Int

        func run() async throws {
            try await Invocation.run(
                global, "diagnosis.ratePatient",
                ["diagnosis_id": .integer(diagnosisID), "honesty": .integer(honesty), "punctuality": .integer(punctuality)])
        }
    }

    struct RecordResult: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record the diagnosis result and photos (diagnosis.recordResult; doctor).")
        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("diagnosis-id"), help: "The booking's id.") var diagnosisID: Int
        @Option(help: "The result.") var result: String
        @OptionGroup var photos: PhotoOptions

        func run() async throws {
            var params: [String: JSONValue] = ["diagnosis_id": .integer(diagnosisID), "result": .string(result)]
            try photos.add(to: &params)
            try await Invocation.run(global, "diagnosis.recordResult", params)
        }
    }

    struct RateDoctor: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Rate the doctor of a seen booking (diagnosis.rateDoctor; patient).")
        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("diagnosis-id"), help: "The booking's id.") var diagnosisID: Int
        @Option(help: "1-5.") var score: Int
        @Option(help: "The comment.") var comment: String

        func run() async throws {
            try await Invocation.run(
                global, "diagnosis.rateDoctor", ["diagnosis_id": .integer(diagnosisID), "score": .integer(score), "comment": .string(comment)])
        }
    }
}
