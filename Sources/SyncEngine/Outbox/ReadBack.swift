import MirrorStore
import VolunteerAPI

/// What reading the server says about a mutation's effect.
public enum ReadBack: Sendable {
    /// The effect is there: the entry is applied, with what the reads found.
    case present(Confirmation)
    /// The server was seen without the effect: it may be sent (again).
    case absent
    /// The reads failed (offline, server error): ask again later.
    case undecided(String)
    /// The session expired while reading.
    case authExpired
    /// No documented read shows this effect (an upload): a resend is the only way, and harmless.
    case uncheckable
}

/// What confirms a mutation: its result, the server's fresh records, the server id of a record
/// it created offline, and the server records it claims as its own.
public struct Confirmation: Sendable {
    public var result: JSONValue?
    public var refreshed: [MirroredRecord]
    public var mapping: TempIDMapping?
    public var claims: [RecordClaim]
    /// Further server records that match this mutation's effect beyond the one claimed, that no
    /// other entry claimed or may yet claim: copies of an earlier send that took effect after
    /// its settle time. Reported, and claimed by this entry.
    public var lateCopies: [RecordClaim]

    public init(
        result: JSONValue? = nil, refreshed: [MirroredRecord] = [], mapping: TempIDMapping? = nil, claims: [RecordClaim] = [],
        lateCopies: [RecordClaim] = []
    ) {
        self.result = result
        self.refreshed = refreshed
        self.mapping = mapping
        self.claims = claims
        self.lateCopies = lateCopies
    }
}
