import ArgumentParser
import LocalRPC
import SocketClient

/// `vdsync patients`: read the assistant's patients from the mirror.
struct Patients: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Read the assistant's patients.", subcommands: [List.self])

    struct List: SimpleList {
        static let configuration = CommandConfiguration(abstract: "The assistant's patients (patients.list).")
        static let method = "patients.list"
        @OptionGroup var global: GlobalOptions
        @OptionGroup var paging: Paging
    }
}
