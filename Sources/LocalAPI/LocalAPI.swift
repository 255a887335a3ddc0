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
    /// Whether `session.logout` wipes the account's data when the call does not say
    /// (`VDSYNC_LOGOUT_WIPE`: on at a shared kiosk, off on a doctor's own laptop).
    public let logoutWipes: Bool
    /// The daemon's metrics and masked configuration, for `metrics.get` and `support.report`.
    public let operatorHooks: OperatorHooks
    /// Where list and get reads that nothing changed since are answered from memory; nil when
    /// off (`VDSYNC_READ_CACHE`, on by default; off shows what every read costs the database).
    /// A reply stays good until the next commit, and while no one is logged in nothing is
    /// served (the same rule as ``requireSession()``).
    let replyCache: RPCReplyCache?

    public init(agent: SyncAgent, logoutWipes: Bool = false, operatorHooks: OperatorHooks = .none, cachesReads: Bool = true) {
        self.agent = agent
        self.store = agent.store
        self.logoutWipes = logoutWipes
        self.operatorHooks = operatorHooks
        let store = agent.store
        self.replyCache = cachesReads ? RPCReplyCache { [agent] in agent.hasSession ? store.generation : nil } : nil
    }

    /// Refuses a read while no one is logged in: the mirror is the last account's, and the next
    /// person at a shared kiosk must not read it.
    func requireSession() throws(RPCError) {
        guard agent.hasSession else { throw RPCError.notLoggedIn() }
    }

    /// Every method, ready to serve.
    public func registry() throws -> RPCRegistry {
        try RPCRegistry(
            statusMethods() + accountMethods() + readMethods() + searchMethods() + imageMethods() + mutationMethods() + outboxMethods()
                + changeMethods()
                + operationMethods())
    }

    /// The dispatcher of the daemon's socket.
    public func dispatcher(logger: Logger) throws -> RPCDispatcher {
        RPCDispatcher(
            registry: try registry(),
            info: .init(title: "vdsyncd local API", version: Self.version, description: "JSON-RPC 2.0 over a Unix socket; see docs/local-api.md"),
            replyCache: replyCache,
            logger: logger)
    }
}
