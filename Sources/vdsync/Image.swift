import ArgumentParser
import Foundation
import LocalRPC
import SocketClient
import VolunteerAPI

/// `vdsync image <url> --output FILE`: a picture from the daemon's image cache (images.get),
/// written to a file (0600: it may be a patient's photo). A picture not cached yet is asked for
/// (the daemon fetches it soon when online) and the command ends with status 4, naming nothing
/// but that; `--json` prints the answer without the bytes.
struct Image: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a cached picture (images.get) to a file; exit 4 when it is not cached yet (it is then fetched soon).")

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("The picture's URL, as a record names it.", valueName: "url"))
    var url: String
    @Option(name: [.short, .long], help: ArgumentHelp("Write the picture to this file (created 0600).", valueName: "path"), completion: .file())
    var output: String

    func run() async throws {
        let answer = try await Invocation.call(global, "images.get", ["url": .string(url)])
        guard answer["cached"] == true else {
            Output.error("vdsync: the picture is not cached yet; the daemon fetches it when it can")
            throw ExitCode(ClientExitStatus.upstream.rawValue)
        }
        guard case .string(let base64)? = answer["bytes_base64"], let bytes = Data(base64Encoded: base64) else {
            Output.error("vdsync: the daemon's answer holds no picture")
            throw ExitCode(ClientExitStatus.internalError.rawValue)
        }
        // Replace an existing file rather than write through it: its mode may be wider.
        try? FileManager.default.removeItem(atPath: output)
        guard FileManager.default.createFile(atPath: output, contents: bytes, attributes: [.posixPermissions: 0o600]) else {
            throw ValidationError("cannot write \(output)")
        }
        if global.json {
            var shown = answer
            if case .object(var fields) = shown {
                fields["bytes_base64"] = nil
                fields["output"] = .string(output)
                shown = .object(fields)
            }
            Output.write(JSONText.pretty(shown) + "\n")
        } else {
            var type = "?"
            if case .string(let given)? = answer["content_type"] { type = given }
            Output.write("\(bytes.count) bytes (\(type)) written to \(output)\n")
        }
    }
}
