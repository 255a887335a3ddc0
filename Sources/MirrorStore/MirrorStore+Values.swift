import Foundation
import VolunteerAPI

/// What writing one page changed: the journal entries of inserted and updated records, and
/// how many were already up to date.
public struct PageWrite: Sendable, Hashable {
    public var entries: [JournalEntry] = []
    public var unchanged = 0

    public var inserted: Int { entries.filter { $0.operation == .insert }.count }
    public var updated: Int { entries.filter { $0.operation == .update }.count }
}

/// One change that landed in the mirror or the outbox, in the order of its monotonic `seq`;
/// subscribers resume from the last `seq` they saw.
public struct JournalEntry: Sendable, Hashable {
    public enum Operation: String, Sendable, Hashable {
        case insert, update, delete
    }

    /// What changed: a mirrored collection, or the outbox (its entries' states).
    public enum Topic: Sendable, Hashable, CustomStringConvertible {
        case collection(MirrorCollection)
        case outbox

        /// The stored name: the collection's raw value, or `outbox`.
        public var name: String {
            switch self {
            case .collection(let collection): collection.rawValue
            case .outbox: "outbox"
            }
        }

        public init?(name: String) {
            if name == "outbox" {
                self = .outbox
            } else if let collection = MirrorCollection(rawValue: name) {
                self = .collection(collection)
            } else {
                return nil
            }
        }

        public var description: String { name }
    }

    public let seq: Int
    public let topic: Topic
    /// The record's id (negative for a record created offline), or the outbox entry's id.
    public let recordID: Int
    public let operation: Operation
    public let at: Date

    /// The mirrored collection that changed; nil for an outbox change.
    public var collection: MirrorCollection? {
        if case .collection(let collection) = topic { return collection }
        return nil
    }
}

/// The outcome of reporting a completely fetched list.
public enum ListReconciliation: Sendable, Hashable {
    /// The list came back empty while it held records: fetch it again before believing it.
    case needsConfirmation
    /// Members that left the list, and records deleted because no list holds them any more.
    case applied(removedFromList: Int, deleted: [JournalEntry])
}

/// When a collection or list was last pulled completely, and where its paging stopped.
public struct SyncState: Sendable, Hashable {
    public let key: String
    public let lastSuccess: Date?
    public let cursor: String?
}

/// The logged-in session, kept so that a restarted daemon resumes without a new login.
/// Its description never shows the token.
public struct StoredSession: Sendable, Hashable, CustomStringConvertible {
    /// Who opened the session: the daemon's configured account, or a login over the socket.
    public enum Origin: String, Sendable, Hashable {
        case configured
        case socket
    }

    public let token: String
    public let role: UserRole
    public let userID: Int
    public let savedAt: Date
    /// nil for a session saved before origins were kept (schema v5).
    public let origin: Origin?

    public init(token: String, role: UserRole, userID: Int, savedAt: Date, origin: Origin? = nil) {
        self.token = token
        self.role = role
        self.userID = userID
        self.savedAt = savedAt
        self.origin = origin
    }

    public var description: String { "\(role) #\(userID) session" }
}

/// Why the mirror database could not be opened.
public enum MirrorStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The database has migrations this build does not know: a newer vdsync wrote it.
    case newerSchema(unknown: [String])
    case cannotCreate(path: String)

    public var description: String {
        switch self {
        case .newerSchema(let unknown):
            "the mirror database was written by a newer vdsync (schema \(unknown.joined(separator: ", "))); upgrade vdsync or move the database aside"
        case .cannotCreate(let path):
            "cannot create the mirror database at \(path)"
        }
    }
}
