/// Which mutations a browser session made on which screen, so that the screen can show what
/// became of them where the user acted: pending, applied, or the server's refusal. Bounded per
/// screen; forgotten with the session's process (the outbox screen keeps the full story).
actor ActionLog {
    private var entries: [String: [Int]] = [:]
    private let perScreen = 10

    func record(_ mutationID: Int, session: String, screen: String) {
        let key = session + " " + screen
        var ids = entries[key, default: []]
        ids.append(mutationID)
        entries[key] = Array(ids.suffix(perScreen))
    }

    func mutations(session: String, screen: String) -> [Int] { entries[session + " " + screen] ?? [] }
}
