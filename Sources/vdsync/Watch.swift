import ArgumentParser
import Dispatch
import Foundation
import LocalRPC
import SocketClient
import VolunteerAPI

/// `vdsync watch`: prints change notifications as they arrive, one line each, until Ctrl-C
/// (exit 0) or the daemon goes away (exit 5).
///
/// A subscription the daemon drops because we fell behind (`resync_required`) is resumed from
/// the last seq printed, so the output has no gap.
struct Watch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print change notifications as they arrive (changes.subscribe), one line each; Ctrl-C ends it.",
        discussion: "Each line: seq, collection, record id, operation. With --json, one JSON object per line (jq -c friendly).")

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Comma-separated collections, e.g. projects,diagnoses,outbox (default: all).", valueName: "names"))
    var collections: CommaList?

    @Option(name: .customLong("since-seq"), help: "Send every change after this journal seq first.")
    var sinceSeq: Int?

    func run() async throws {
        Self.exitOnInterrupt()
        let client = try await Invocation.connect(global)
        var since = sinceSeq
        while true {
            var params: [String: JSONValue] = [:]
            if let collections { params["collections"] = collections.json }
            if let since { params["since_seq"] = .integer(since) }
            let subscribed: JSONValue
            do {
                subscribed = try await client.call("changes.subscribe", .object(params))
            } catch {
                throw Invocation.fail(error, global)
            }
            Output.error("watching from seq \(JSONText.cell(since.map(JSONValue.integer) ?? subscribed["seq"])) (Ctrl-C ends)")
            if since == nil, case .integer(let current)? = subscribed["seq"] { since = current }
            var resync = false
            for await notification in client.notifications {
                if notification.method == RPCNotification.resyncRequiredMethod {
                    Output.error("fell behind; resubscribing from seq \(since.map(String.init) ?? "now")")
                    resync = true
                    break
                }
                if case .integer(let seq)? = notification.params["seq"] { since = seq }
                Output.write((global.json ? JSONText.compact(.object(notification.params)) : ResultFormatter.notificationLine(notification)) + "\n")
            }
            if !resync { throw Invocation.fail(.connectionClosed, global) }
        }
    }

    /// Ctrl-C is how a watch normally ends, so it exits 0 rather than dying of SIGINT (130).
    static func exitOnInterrupt() {
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        for number in [SIGINT, SIGTERM] {
            // Not the main queue: the main thread is busy running the async command.
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { Foundation.exit(ClientExitStatus.success.rawValue) }
            source.resume()
            sources.append(source)
        }
    }

    /// Kept alive for the life of the process.
    nonisolated(unsafe) static var sources: [any DispatchSourceSignal] = []
}
