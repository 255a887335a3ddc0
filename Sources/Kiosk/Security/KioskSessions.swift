import Foundation

/// The browser sessions opened with the start-up token: a random id kept in an HttpOnly,
/// SameSite=Strict cookie, each with its own CSRF token for forms. Bounded: past
/// ``KioskConfiguration/maxSessions`` the oldest is forgotten (its browser needs the token again).
public actor KioskSessions {
    /// One open session.
    public struct Session: Sendable, Equatable {
        public let id: String
        /// The token every state-changing form carries back (`_csrf`).
        public let csrfToken: String
    }

    /// The cookie's name.
    public static let cookieName = "vdkiosk_session"

    private var sessions: [String: Session] = [:]
    private var order: [String] = []
    private let capacity: Int

    public init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Opens a new session, forgetting the oldest beyond capacity.
    public func open() -> Session {
        let session = Session(id: randomHex(bytes: 32), csrfToken: randomHex(bytes: 32))
        sessions[session.id] = session
        order.append(session.id)
        while order.count > capacity { sessions[order.removeFirst()] = nil }
        return session
    }

    /// The session with this cookie value, if it is open.
    public func session(id: String?) -> Session? {
        guard let id else { return nil }
        return sessions[id]
    }
}
