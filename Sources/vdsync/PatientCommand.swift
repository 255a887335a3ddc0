import ArgumentParser
import LocalRPC
import SocketClient
import VolunteerAPI

/// `vdsync patient bind|create` (assistant).
struct PatientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "patient", abstract: "Bind or create patients (assistant).", subcommands: [Bind.self, Create.self])

    struct Bind: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Bind an existing patient by phone and SMS code (patient.bind).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The patient's mobile number.") var phone: String
        @Option(name: .customLong("verify-code"), help: "The SMS code the patient received.") var verifyCode: String

        func run() async throws {
            try await Invocation.run(global, "patient.bind", ["phone": .string(phone), "verify_code": .string(verifyCode)])
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a patient account (patient.create); it gets a temporary id at once.",
            discussion: "Fields: " + FieldAssignment.fields(of: .createPatient).map(\.name).joined(separator: ", ")
                + ". The new account's password is read like login's: --password-file, --password-stdin, $VDSYNC_PASSWORD or a prompt.")

        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("set"), help: ArgumentHelp("A field, as name=value (repeat).", valueName: "name=value"))
        var fields: [String] = []
        @OptionGroup var password: PasswordSource

        func validate() throws {
            _ = try Mutations.fields(fields, .createPatient)
        }

        func run() async throws {
            var params = try Mutations.fields(fields, .createPatient)
            params["password"] = .string(try password.read(prompt: "Password for the new patient: "))
            try await Invocation.run(global, "patient.create", params)
        }
    }
}
