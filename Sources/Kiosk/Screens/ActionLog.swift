/// Which mutations a browser session made on which screen, so that the screen can show what
/// became of them where the user acted: pending, applied, or the server's refusal. Bounded per
/// screen and in all (a kiosk runs for months); forgotten with the process (the outbox screen
/// keeps the full story).
actor ActionLog {
    private var entries: [String: [Int]] = [:]
    /// Keys, least recently written first, so the oldest screen is the one forgotten.
    private var order: [String] = []
    private let perScreen = 10
    private let screens = 1000

    func record(_ mutationID: Int, session: String, screen: String) {
        let key = session + " " + screen
        var ids = entries[key, default: []]
        ids.append(mutationID)
        entries[key] = Array(ids.suffix(perScreen))
        order.removeAll { $0 == key }
        order.append(key)
        while order.count > screens { entries[order.removeFirst()] = nil }
    }

    func mutations(session: String, screen: String) -> [Int] { entries[session + " " + screen] ?? [] }
}
