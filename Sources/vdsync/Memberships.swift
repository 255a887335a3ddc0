import ArgumentParser
import LocalRPC
import SocketClient

/// `vdsync memberships`: read organisation memberships from the mirror.
struct Memberships: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Read organisation memberships.", subcommands: [List.self])

    struct List: SimpleList {
        static let configuration = CommandConfiguration(abstract: "The doctor's organisation memberships (memberships.list).")
        static let method = "memberships.list"
        @OptionGroup var global: GlobalOptions
        @OptionGroup var paging: Paging
    }
}
