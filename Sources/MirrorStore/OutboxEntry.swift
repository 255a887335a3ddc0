import Foundation
import VolunteerAPI

/// Where a mutation stands. Only `queued` and `unknown` entries are ever picked up; `in flight`
/// is made durable before the request leaves, so a crash mid-send is found as such at start-up.
public enum OutboxState: String, Sendable, Hashable, CaseIterable, Codable {
    /// Waiting to be sent (first time, or again after a retryable outcome or a confirmed absence).
    case queued
    /// The request may be on its way: the outcome is being awaited.
    case inFlight = "in_flight"
    /// Sent with no readable answer (or found in flight at start-up): the server must be read
    /// to tell whether the mutation took effect before anything is sent again.
    case unknown
    /// The server has the effect. Terminal.
    case applied
    /// The server refused it for good; its effect was rolled back and its message kept. It holds
    /// back its chain until an operator retries or discards it.
    case rejected
    /// Gave up after the bounded number of attempts; holds back its chain until retried or
    /// discarded.
    case parked
    /// Dropped by an operator; its effect rolled back. Terminal.
    case discarded

    /// States that hold back later entries of the same chain.
    public var holdsChain: Bool { self != .applied && self != .discarded }
}

/// One durable mutation of the outbox, as stored.
public struct OutboxEntry: Sendable, Hashable, Identifiable {
    /// The local mutation id, increasing in the order mutations were accepted.
    public let id: Int
    /// The mutation kind's name (e.g. `diagnosis.done`).
    public let kind: String
    /// The mutation's arguments, as its kind encodes them (rewritten when temporary ids resolve).
    public let arguments: JSONValue
    /// The dependency chains it belongs to: it waits for every earlier entry of each.
    public let chains: [String]
    public let state: OutboxState
    /// Requests sent so far.
    public let attempts: Int
    /// Read-back checks made so far.
    public let checks: Int
    /// Whether the server is known to have applied it (answered success) even if a follow-up
    /// step (finding the new record's id) is still pending.
    public let committed: Bool
    /// Not picked up before this time (backoff).
    public let nextAttemptAt: Date
    /// When the last request left (made durable with `in flight`); nil before the first send.
    public let sentAt: Date?
    /// Whether the server's own answer to the last request showed it was done with it (a 500,
    /// say): then nothing of that request can take effect later.
    public let sendAnswered: Bool
    /// Set while a read-back did not find the effect but the last send may still take effect
    /// upstream: the entry is read again, and not sent again before this time.
    public let settlesAt: Date?
    /// What the server looked like before the first send, for the read-back check.
    public let baseline: JSONValue?
    /// What the server answered or the read-back found: the new record's id, an upload's URL.
    public let result: JSONValue?
    /// The last failure, for operators (never a token or personal data).
    public let lastError: String?
    /// A rejection's `error_code` and `error_message`, kept for the user.
    public let errorCode: Int?
    public let errorMessage: String?
    public let createdAt: Date
    public let updatedAt: Date
    /// The account it was accepted for (`<role>:<user id>`): only that account's session sends it.
    public let account: String
}

/// A mutation accepted from a front end, about to become an ``OutboxEntry``.
public struct NewOutboxEntry: Sendable, Hashable {
    public var kind: String
    public var arguments: JSONValue
    public var chains: [String]
    /// Its optimistic effect, shown at once and marked pending.
    public var effects: [RecordEffect]
    /// A photo taken offline, for an upload entry.
    public var blob: OutboxBlob?
    /// The account it is accepted for (`<role>:<user id>`).
    public var account: String

    public init(account: String, kind: String, arguments: JSONValue, chains: [String], effects: [RecordEffect] = [], blob: OutboxBlob? = nil) {
        self.account = account
        self.kind = kind
        self.arguments = arguments
        self.chains = chains
        self.effects = effects
        self.blob = blob
    }
}

/// A photo kept in the database until `/imgupload` answers its URL. Its description never
/// shows the bytes.
public struct OutboxBlob: Sendable, Hashable, CustomStringConvertible {
    public let data: Data
    public let contentType: String
    public let filename: String

    public init(data: Data, contentType: String, filename: String) {
        self.data = data
        self.contentType = contentType
        self.filename = filename
    }

    public var description: String { "\(contentType) photo, \(data.count) bytes" }
}

/// A record created offline whose server id is now known.
public struct TempIDMapping: Sendable, Hashable {
    public let collection: MirrorCollection
    public let tempID: Int
    public let realID: Int

    public init(_ collection: MirrorCollection, tempID: Int, realID: Int) {
        self.collection = collection
        self.tempID = tempID
        self.realID = realID
    }
}

/// A server record that a mutation's read-back identified as its own effect, so that no other
/// entry can take it for its own (two identical chat messages, two identical projects).
public struct RecordClaim: Sendable, Hashable {
    public let collection: MirrorCollection
    public let recordID: Int

    public init(_ collection: MirrorCollection, _ recordID: Int) {
        self.collection = collection
        self.recordID = recordID
    }
}
