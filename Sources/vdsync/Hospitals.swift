import ArgumentParser
import LocalRPC
import SocketClient

/// `vdsync hospitals`: read hospitals from the mirror.
struct Hospitals: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Read hospitals.", subcommands: [List.self])

    struct List: SimpleList {
        static let configuration = CommandConfiguration(abstract: "Hospitals (hospitals.list).")
        static let method = "hospitals.list"
        @OptionGroup var global: GlobalOptions
        @OptionGroup var paging: Paging
    }
}
