import ArgumentParser
import Foundation
import LocalRPC
import SocketClient
import VolunteerAPI

/// `vdsync report [--out FILE]`: the support bundle (support.report) as JSON, to send to support:
/// versions, masked configuration, status, the outbox without payloads, last errors, the
/// integrity check and the metrics; no token, password, phone, ID-card number, name or message.
struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a support bundle (support.report) without personal data; JSON, to stdout or --out.")

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("Write the bundle to this file (0600) instead of stdout.", valueName: "path"), completion: .file())
    var out: String?

    func run() async throws {
        let report = try await Invocation.call(global, "support.report", nil)
        let text = JSONText.pretty(report) + "\n"
        guard let out else {
            Output.write(text)
            return
        }
        guard FileManager.default.createFile(atPath: out, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ValidationError("cannot write \(out)")
        }
        Output.write("support bundle written to \(out)\n")
    }
}
