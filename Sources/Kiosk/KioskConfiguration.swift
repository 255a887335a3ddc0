/// Everything vdkiosk needs to serve the clinic's screens: where vdsyncd's socket is, where to
/// listen, which Host names a browser may use, and the start-up token that opens a session.
///
/// A value: vdkiosk's command line builds it, tests build it directly.
public struct KioskConfiguration: Sendable {
    /// Where the screens are served: a loopback TCP port, or a Unix socket for a reverse proxy.
    public enum Listener: Sendable, Equatable {
        case tcp(host: String, port: Int)
        case unix(path: String)
    }

    /// The port vdkiosk listens on unless told otherwise.
    public static let defaultPort = 8780

    /// vdsyncd's socket, the only way vdkiosk reaches the daemon.
    public var socketPath: String
    public var listener: Listener
    /// Host names accepted besides the loopback ones (``LoopbackGuard/loopbackHosts``).
    public var extraAllowedHosts: [String]
    /// The secret a browser presents once (`?token=`) to get a session cookie.
    public var startupToken: StartupToken
    /// Sessions kept at once; the oldest is forgotten beyond this.
    public var maxSessions: Int
    /// How often the live-update stream re-reads `status` for the status strip.
    public var statusRefresh: Duration
    /// Where the kiosk stands, for the patient's clinics nearest first; nil: by date.
    public var location: KioskLocation?

    public init(
        socketPath: String,
        listener: Listener = .tcp(host: "127.0.0.1", port: KioskConfiguration.defaultPort),
        extraAllowedHosts: [String] = [],
        startupToken: StartupToken = .random(),
        maxSessions: Int = 32,
        statusRefresh: Duration = .seconds(2),
        location: KioskLocation? = nil
    ) {
        self.socketPath = socketPath
        self.listener = listener
        self.extraAllowedHosts = extraAllowedHosts
        self.startupToken = startupToken
        self.maxSessions = maxSessions
        self.statusRefresh = statusRefresh
        self.location = location
    }
}
