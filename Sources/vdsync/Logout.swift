import ArgumentParser
import LocalRPC
import SocketClient
import VolunteerAPI

/// `vdsync logout [--wipe | --keep]`: ends the session; queued mutations wait for the account's
/// next login. Without either flag the daemon's configured default (`VDSYNC_LOGOUT_WIPE`) applies.
struct Logout: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Log out (session.logout); queued mutations stay queued for the account's next login.",
        discussion: "--wipe removes everything else the database holds of the account (a shared kiosk); --keep keeps the mirror for the next login.")

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Wipe the account's mirror, journal and finished outbox entries.") var wipe = false
    @Flag(help: "Keep the account's mirror, even where the daemon wipes by default.") var keep = false

    func validate() throws {
        if wipe, keep { throw ValidationError("--wipe and --keep cannot be given together") }
    }

    func run() async throws {
        let params: [String: JSONValue] = wipe ? ["wipe": true] : keep ? ["wipe": false] : [:]
        try await Invocation.run(global, "session.logout", params)
    }
}
