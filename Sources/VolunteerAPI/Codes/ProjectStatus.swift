/// A project's `status`: present in the document's example, not described. vdapi decides
/// (docs/reference-server.md): 1 while the project stands, 0 once its doctor cancelled it.
public enum ProjectStatus: Int, Sendable, Hashable, CaseIterable, Codable {
    /// Cancelled by its doctor; its bookings were cancelled with it.
    case cancelled = 0
    /// Published and not cancelled.
    case active = 1
}
