/// The `ReferenceServer` module: `vdapi`, a faithful implementation of the documented API on Hummingbird 2 over its own SQLite database, with seed data, fault injection and inspection.
///
/// It arrives with issue #3; until then this namespace only marks its place in the
/// layout of `docs/ARCHITECTURE.md`.
public enum ReferenceServer {}
