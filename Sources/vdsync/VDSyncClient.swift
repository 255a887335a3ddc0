import ArgumentParser

/// `vdsync`: the command-line client of vdsyncd's socket.
@main
struct VDSyncClient: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vdsync",
        abstract: "Talk to a running vdsyncd over its Unix socket: status, reads, mutations, outbox control.",
        discussion: """
            Not yet implemented: the client arrives with issue #6. For now it only prints this help.
            """
    )

    mutating func run() throws {
        throw CleanExit.helpRequest(self)
    }
}
