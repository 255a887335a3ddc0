/// The `Systemd` module: what `vdsyncd` needs from systemd, without linking libsystemd.
///
/// - ``SystemdNotifier``: `sd_notify` datagrams (READY, STATUS, RELOADING, STOPPING, WATCHDOG).
/// - ``WatchdogSettings``, ``WatchdogSchedule``, ``SystemdWatchdog``: watchdog pings that stop
///   when any of the daemon's loops stops reporting, so systemd restarts a wedged daemon.
/// - ``SocketActivation``: the listening socket systemd passed in (`LISTEN_FDS`).
/// - ``JournalLogHandler``: one line per log record on stderr, with journald priorities when
///   stderr is the journal, each passed through the `Redaction` module's `LogRedaction`, so
///   never a token, password, ID-card number or phone number.
///
/// Everything here talks to the kernel through Glibc directly: the protocols are a few
/// environment variables and datagrams, documented by systemd as stable interfaces.
public enum Systemd {}
