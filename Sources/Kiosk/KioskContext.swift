import Hummingbird

/// The request context of vdkiosk's routes: Hummingbird's core context, the browser's session
/// once ``KioskGuardMiddleware`` found it, and a state-changing request's form, read and
/// checked for its CSRF token before any handler runs.
public struct KioskContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var session: KioskSessions.Session?
    public var form: FormInput

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        session = nil
        form = FormInput()
    }

    /// Large enough for a result with nine photos; a bigger body is refused with 413.
    public var maxUploadSize: Int { 48 << 20 }
}
