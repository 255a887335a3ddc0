import ArgumentParser
import LocalRPC
import SocketClient

/// `vdsync news`: read news from the mirror.
struct NewsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "news", abstract: "Read news.", subcommands: [List.self])

    struct List: SimpleList {
        static let configuration = CommandConfiguration(abstract: "News for the role, newest first (news.list).")
        static let method = "news.list"
        @OptionGroup var global: GlobalOptions
        @OptionGroup var paging: Paging
    }
}
