import ArgumentParser
import LocalRPC
import SocketClient
import VolunteerAPI

/// `vdsync chat send` (patient, doctor).
struct Chat: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Send chat messages.", subcommands: [Send.self])

    struct Send: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send a chat message, with photos (chat.send; patient, doctor).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The other person's user id.") var to: Int
        @Option(help: "The text, at most 256 characters.") var content: String
        @OptionGroup var photos: PhotoOptions

        func run() async throws {
            var params: [String: JSONValue] = ["to_user_id": .integer(to), "content": .string(content)]
            try photos.add(to: &params)
            try await Invocation.run(global, "chat.send", params)
        }
    }
}
