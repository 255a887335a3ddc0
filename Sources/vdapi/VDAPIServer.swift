import ArgumentParser

/// `vdapi`: the reference implementation of the documented Volunteer Doctor API.
@main
struct VDAPIServer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vdapi",
        abstract: "A faithful reference server of the documented Volunteer Doctor API, for tests and demos.",
        discussion: """
            Not yet implemented: the server arrives with issue #3. For now it only prints this help.
            """
    )

    mutating func run() throws {
        throw CleanExit.helpRequest(self)
    }
}
