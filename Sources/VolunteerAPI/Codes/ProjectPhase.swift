/// A project's `project_status` (§2.2): where it stands in time.
public enum ProjectPhase: Int, Sendable, Hashable, CaseIterable, Codable {
    /// Not started.
    case upcoming = 1
    /// Started and not over.
    case inProgress = 2
    /// Over (or cancelled).
    case finished = 3
}
