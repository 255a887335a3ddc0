import ArgumentParser
import LocalRPC
import SocketClient
import VolunteerAPI

/// `vdsync photo upload`: uploads a photo taken offline (photo.upload).
struct Photo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Upload photos taken offline.", subcommands: [Upload.self])

    struct Upload: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Upload one photo file; its URL is the mutation's result (photo.upload).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "A .jpg, .png, .gif or .webp file.", completion: .file(extensions: ["jpg", "jpeg", "png", "gif", "webp"]))
        var path: String

        func run() async throws {
            try await Invocation.run(global, "photo.upload", ["photo": try Mutations.photos([path])])
        }
    }
}
