import ArgumentParser
import LocalRPC
import SocketClient
import VolunteerAPI

/// `vdsync dialogs`: chat dialogs and their messages.
struct Dialogs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Read chat dialogs and their messages.", subcommands: [List.self, Messages.self])

    struct List: SimpleList {
        static let configuration = CommandConfiguration(abstract: "Chat dialogs, most recent first (dialogs.list).")
        static let method = "dialogs.list"
        @OptionGroup var global: GlobalOptions
        @OptionGroup var paging: Paging
    }

    struct Messages: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A dialog's latest messages, oldest first (dialogs.messages).")

        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("dialog-id"), help: "The dialog's id.") var dialogID: Int
        @Option(help: "At most this many (1-500, default 50).") var limit: Int?
        @Option(name: .customLong("before-id"), help: "Only messages older than this id (pages back).") var beforeID: Int?

        func run() async throws {
            var params: [String: JSONValue] = ["dialog_id": .integer(dialogID)]
            params.set("limit", limit)
            params.set("before_id", beforeID)
            try await Invocation.run(global, "dialogs.messages", params)
        }
    }
}
