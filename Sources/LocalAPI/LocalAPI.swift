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

    // MARK: - Application errors (-32010 ... -32099)

    enum Failure {
        static func notLoggedIn() -> RPCError {
            .application(code: -32011, message: "no one is logged in", kind: "not_logged_in", retryable: false)
        }

        static func roleNotAllowed(_ message: String) -> RPCError {
            .application(code: -32012, message: message, kind: "role_not_allowed", retryable: false)
        }

        static func notFound(_ what: String) -> RPCError {
            .application(code: -32020, message: "\(what) not found in the mirror", kind: "not_found", retryable: false)
        }

        static func invalidState(_ message: String) -> RPCError {
            .application(code: -32021, message: message, kind: "invalid_state", retryable: false)
        }

        /// The disk refused the mutation's commit (docs/local-api.md, "Application errors"):
        /// -32030 when it is certainly not saved (retry when there is space again), -32031 when
        /// it may still be committed by the recovery at the daemon's next start.
        static func storage(_ failure: StorageFailure) -> RPCError {
            let what = failure.cause == .full ? "the disk is full" : "the disk failed (I/O error)"
            if failure.mayReappear {
                return .application(
                    code: -32031,
                    message: "\(what): the mutation may still be applied; check outbox.list after the daemon's next start before submitting it again",
                    kind: failure.cause.rawValue, retryable: false, extra: ["saved": "unknown"])
            }
            return .application(
                code: -32030, message: "\(what): the mutation was not saved", kind: failure.cause.rawValue, retryable: true,
                extra: ["saved": false])
        }
    }
}
