import ArgumentParser
import LocalRPC
import SocketClient
import VolunteerAPI

/// `vdsync search <text>`: finds mirrored patients, doctors, bookings, projects, hospitals,
/// organisations and chat messages by their names and text, offline (`search`).
struct Search: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Search the mirror's names, phone digits and text (search).",
        discussion: """
            Terms separated by spaces must all occur. A term of 3 characters or more uses the index \
            (any 3 characters of a name find it); a query of only 2-character terms scans names and \
            phone digits; 1 character is refused. The last 4 digits of a phone find its record \
            where the record shows the phone.
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "What to find.") var text: [String]
    @Option(help: "Only these kinds, comma-separated: patients, doctors, assistants, diagnoses, projects, hospitals, organisations, messages.")
    var kinds: CommaList?
    @OptionGroup var paging: Paging

    func run() async throws {
        var params = paging.params
        params["query"] = .string(text.joined(separator: " "))
        if let kinds { params["kinds"] = kinds.json }
        try await Invocation.run(global, "search", params)
    }
}
