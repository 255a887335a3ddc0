/// An organisation membership's `verify_status` (`/org/my`): the document's example shows 0 and
/// does not describe it. vdapi decides (docs/reference-server.md): a membership is approved
/// when applied for; 0 (pending) and 2 (refused) come only from seeds.
public enum MembershipStatus: Int, Sendable, Hashable, CaseIterable, Codable {
    case pending = 0
    case approved = 1
    case refused = 2
}
