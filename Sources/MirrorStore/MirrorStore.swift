/// The `MirrorStore` module: the one SQLite database (GRDB, WAL): mirrored records with their raw JSON, the outbox, blobs, the temporary-id map, sync cursors and the change journal.
///
/// It arrives with issue #4; until then this namespace only marks its place in the
/// layout of `docs/ARCHITECTURE.md`.
public enum MirrorStore {}
