/// The composite answers the mirror keeps whole, in ``MirrorCollection/pages``: one record per
/// page, its id the page's. A role has one home page (the doctor's `/doctor/index`, the
/// patient's and the assistant's homepages) and, for patients and assistants, one personal
/// centre; an account change resets the mirror, so the ids never mix accounts.
public enum MirrorPage: Int, Sendable, Hashable, CaseIterable {
    /// `/doctor/index`, `/custom/homepage` or `/assistant/homepage`.
    case home = 1
    /// `/custom/center` or `/assistant/center`: the profile and the unread message count.
    case center = 2
}
