import ArgumentParser
import LocalRPC
import SocketClient

/// `vdsync organisations`: read organisations from the mirror.
struct Organisations: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Read organisations.", subcommands: [List.self])

    struct List: SimpleList {
        static let configuration = CommandConfiguration(abstract: "Organisations (organisations.list).")
        static let method = "organisations.list"
        @OptionGroup var global: GlobalOptions
        @OptionGroup var paging: Paging
    }
}
