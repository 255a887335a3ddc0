import MirrorStore
import VolunteerAPI

/// One documented read that fills one mirrored collection: which endpoint with which values,
/// how it pages, and what its result means for deletions.
public struct PullStep: Sendable, Hashable, CustomStringConvertible {
    /// How the step walks its pages.
    public enum Paging: Sendable, Hashable {
        /// One answer holds the whole list (`{list}` without `page`, or a single record).
        case single
        /// Every page, so the list is known completely and what left it can be deleted.
        case complete
        /// Newest first: stop at the first page that brings nothing new or changed. The list
        /// is then not complete, so nothing is deleted from it.
        case newestFirst
        /// The first `pages` pages only: the part of a long list a kiosk can serve (the open
        /// projects nearest first). What the window held and left is deleted as from a complete
        /// list; what lies beyond it is not mirrored.
        case window(pages: Int)
        /// Oldest first, and nothing leaves it (a dialog's messages): read from the last page
        /// the mirror holds onwards. When that page does not begin where the mirror says, the
        /// list is read whole instead.
        case appendOnly

        /// Whether the page after `page` is read: there is `more`, and the paging wants it (a
        /// list newest first only while its pages bring something new).
        public func readsOn(after page: Int, more: Bool, broughtNew: Bool) -> Bool {
            switch self {
            case .single: false
            case .complete, .appendOnly: more
            case .window(let pages): more && page < pages
            case .newestFirst: more && broughtNew
            }
        }

        /// Whether a pull reads what the list holds (its window) whole, so that what left it can
        /// be deleted.
        public var isWhole: Bool {
            switch self {
            case .single, .complete, .window: true
            case .newestFirst, .appendOnly: false
            }
        }
    }

    public let endpoint: Endpoint
    public let path: [String: String]
    public let parameters: [String: JSONValue]
    public let collection: MirrorCollection
    public let paging: Paging
    /// How often the step is pulled: its collection's tier unless the plan says otherwise
    /// (docs/local-api.md, "Freshness").
    public let tier: PullTier
    /// Context the records lack, from the list they come from (a project's diagnoses).
    public let projectID: Int?
    public let doctorID: Int?
    public let dialogID: String?
    /// The region a list of cities is under (`/city?parent_id=`), for records that do not say.
    public let parentID: Int?
    /// The composite page a step keeps whole (``MirrorCollection/pages``).
    public let page: MirrorPage?
    /// How many follow-ups away from the plan's first round the step is: a region tree stops at
    /// counties, two levels below the provinces.
    public let generation: Int
    /// A second listing after follow-ups that change what the list shows (reading a dialog marks
    /// its messages read, which its `last_msg` then shows); it has no follow-ups of its own.
    public let isSettling: Bool

    public init(
        _ endpoint: Endpoint, path: [String: String] = [:], parameters: [String: JSONValue] = [:],
        into collection: MirrorCollection, paging: Paging, tier: PullTier? = nil,
        projectID: Int? = nil, doctorID: Int? = nil, dialogID: String? = nil, parentID: Int? = nil, page: MirrorPage? = nil,
        generation: Int = 0, isSettling: Bool = false
    ) {
        self.endpoint = endpoint
        self.path = path
        self.parameters = parameters
        self.collection = collection
        self.paging = paging
        self.tier = tier ?? PullTier(collection)
        self.projectID = projectID
        self.doctorID = doctorID
        self.dialogID = dialogID
        self.parentID = parentID
        self.page = page
        self.generation = generation
        self.isSettling = isSettling
    }

    /// The list this step fills in the mirror, e.g. `GET /project/12/patient`: the key of its
    /// memberships and of its sync state. The order asked for (`sort`) is not part of it: the
    /// same list read in another order is the same list.
    public var listKey: String {
        let concrete = (try? endpoint.path.render(path)) ?? endpoint.path.template
        let query = parameters.keys.filter { !Self.orderParameters.contains($0) }.sorted().map { "\($0)=\(parameters[$0].map(Self.text) ?? "")" }.joined(
            separator: "&")
        return "\(endpoint.method.rawValue) \(concrete)" + (query.isEmpty ? "" : "?\(query)")
    }

    public var description: String { listKey }

    /// The last page asked for ahead of the one being written, when pages are walked one after
    /// another to the end of the list or its window; nil when each page decides on the next.
    var aheadLimit: Int? {
        switch paging {
        case .complete: Int.max
        case .window(let pages): pages
        case .single, .newestFirst, .appendOnly: nil
        }
    }

    /// Parameters that order a list rather than choose it.
    static let orderParameters: Set<String> = ["sort"]

    private static func text(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): text
        case .integer(let number): String(number)
        default: "\(value)"
        }
    }
}
