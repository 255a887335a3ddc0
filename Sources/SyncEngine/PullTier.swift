import MirrorStore

/// How often a collection is refreshed: what a clinic works from changes by the minute, reference
/// data by the day. Each step of a pull plan belongs to the tier of its collection.
public enum PullTier: String, Sendable, Hashable, CaseIterable, Comparable {
    /// Chat, system messages, diagnoses.
    case hot
    /// Projects, people, memberships, visits, casebooks, home pages.
    case warm
    /// Hospitals, organisations, cities, news, special projects, banners, reviews.
    case cold

    /// The collection's usual tier; a step of a plan may say otherwise (``PullStep/tier``).
    public init(_ collection: MirrorCollection) {
        switch collection {
        case .chatDialogs, .chatMessages, .systemMessages, .diagnoses: self = .hot
        case .projects, .users, .memberships, .visits, .casebooks, .pages: self = .warm
        case .hospitals, .organisations, .cities, .news, .specialProjects, .banners, .reviews: self = .cold
        }
    }

    /// Hot before warm before cold.
    private var rank: Int {
        switch self {
        case .hot: 0
        case .warm: 1
        case .cold: 2
        }
    }

    public static func < (lhs: PullTier, rhs: PullTier) -> Bool {
        lhs.rank < rhs.rank
    }
}
