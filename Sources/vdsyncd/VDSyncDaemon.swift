import ArgumentParser

/// `vdsyncd`: the sync agent daemon. Mirrors the logged-in user's data into SQLite, queues
/// offline mutations in a durable outbox, and serves front ends over a JSON-RPC Unix socket.
@main
struct VDSyncDaemon: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vdsyncd",
        abstract: "The vdsync daemon: an offline-first mirror and outbox for the Volunteer Doctor API.",
        discussion: """
            vdsyncd runs in the foreground under systemd (Type=notify). It keeps the logged-in \
            user's projects, diagnoses, messages and chat dialogs in a local SQLite database, \
            applies mutations made offline exactly once when the link returns, and serves local \
            front ends over a JSON-RPC 2.0 Unix socket.

            Not yet implemented: the daemon arrives with issue #7. For now it only prints this help.
            """
    )

    mutating func run() throws {
        throw CleanExit.helpRequest(self)
    }
}
