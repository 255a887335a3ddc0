import Hummingbird
import NIOCore

/// The request context of `vdapi`'s routes: Hummingbird's core context plus the connection,
/// which fault injection needs to reset a connection instead of answering.
public struct APIContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
