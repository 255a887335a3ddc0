import ArgumentParser
import LocalRPC
import SocketClient

/// `vdsync follows`: read followed doctors from the mirror.
struct Follows: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Read followed doctors.", subcommands: [List.self])

    struct List: SimpleList {
        static let configuration = CommandConfiguration(abstract: "The doctors the patient or assistant follows (follows.list).")
        static let method = "follows.list"
        @OptionGroup var global: GlobalOptions
        @OptionGroup var paging: Paging
    }
}
