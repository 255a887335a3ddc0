/// The `SyncEngine` module: pull plans per role, the outbox replayer and its mutation kinds, scheduling, connectivity, backoff and reconciliation.
///
/// It arrives with issue #4; until then this namespace only marks its place in the
/// layout of `docs/ARCHITECTURE.md`.
public enum SyncEngine {}
