import Foundation
import LocalRPC
import Logging
import MirrorStore
import SyncEngine
import VolunteerAPI

/// The methods of vdsyncd's socket, over one ``SyncAgent``: status and session, reads of the
/// mirror with pending changes marked, one method per mutation kind, the outbox, sync control,
/// and change subscriptions. ``registry()`` is what the server dispatches and `rpc.discover`
/// describes.
///
/// Reads never wait on the network; mutations answer as soon as they are durable, with their
/// local ids and states.
public struct LocalAPI: Sendable {
    /// The version `status` and `rpc.discover` report.
    public static let version = "0.6.0"

    public let agent: SyncAgent
    public let store: MirrorStore

    public init(agent: SyncAgent) {
        self.agent = agent
        self.store = agent.store
    }

    /// Every method, ready to serve.
    public func registry() throws -> RPCRegistry {
        try RPCRegistry(statusMethods() + readMethods() + mutationMethods() + outboxMethods() + changeMethods())
    }

    /// The dispatcher of the daemon's socket.
    public func dispatcher(logger: Logger) throws -> RPCDispatcher {
        RPCDispatcher(
            registry: try registry(),
            info: .init(title: "vdsyncd local API", version: Self.version, description: "JSON-RPC 2.0 over a Unix socket; see docs/local-api.md"),
            logger: logger)
    }
}
