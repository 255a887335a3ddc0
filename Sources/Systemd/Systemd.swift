/// The `Systemd` module: sd_notify (READY, STATUS, WATCHDOG, STOPPING) and socket activation (LISTEN_FDS), without linking libsystemd.
///
/// It arrives with issue #7; until then this namespace only marks its place in the
/// layout of `docs/ARCHITECTURE.md`.
public enum Systemd {}
