import ArgumentParser
import LocalRPC
import SocketClient

/// `vdsync messages`: read system messages from the mirror.
struct Messages: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Read system messages.", subcommands: [List.self])

    struct List: SimpleList {
        static let configuration = CommandConfiguration(abstract: "System messages, newest first (messages.list).")
        static let method = "messages.list"
        @OptionGroup var global: GlobalOptions
        @OptionGroup var paging: Paging
    }
}
