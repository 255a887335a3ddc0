import Logging
import SocketClient
import VolunteerAPI

/// vdkiosk's one way to vdsyncd: a connection to its socket, opened when first needed and opened
/// again after the daemon restarts. Calls from many page requests share it (the client matches
/// replies by id). Peer credentials apply to vdkiosk's own uid, so a read-only kiosk user gets
/// `forbidden` for every write, whatever the browser sends.
public actor DaemonLink {
    public let socketPath: String
    private var client: LocalRPCClient?
    private var connecting: Task<LocalRPCClient, any Error>?
    private let logger: Logger

    public init(socketPath: String, logger: Logger) {
        self.socketPath = socketPath
        self.logger = logger
    }

    /// Calls `method`; every failure is a ``DaemonFailure``. A closed connection is dropped, so
    /// the next call reconnects; the call itself is not repeated, since a write may have landed.
    public func call(_ method: String, _ params: JSONValue? = nil) async throws(DaemonFailure) -> JSONValue {
        let client = try await connected()
        do {
            return try await client.call(method, params)
        } catch {
            if case .rpc = error {} else { await drop(client) }
            throw DaemonFailure(error)
        }
    }

    /// A new connection of its own, for a subscription (each browser's live stream has one).
    public func openSubscriptionConnection() async throws(DaemonFailure) -> LocalRPCClient {
        do {
            return try await LocalRPCClient.connect(socketPath: socketPath)
        } catch {
            throw DaemonFailure(error)
        }
    }

    /// Closes the shared connection.
    public func close() async {
        if let client { await client.close() }
        client = nil
    }

    private func connected() async throws(DaemonFailure) -> LocalRPCClient {
        if let client { return client }
        // One connect at a time: page requests that arrive together share it.
        let attempt: Task<LocalRPCClient, any Error>
        if let connecting {
            attempt = connecting
        } else {
            let path = socketPath
            attempt = Task { try await LocalRPCClient.connect(socketPath: path) }
            connecting = attempt
        }
        do {
            let fresh = try await attempt.value
            if connecting == attempt {
                connecting = nil
                client = fresh
                logger.debug("connected to vdsyncd", metadata: ["socket": "\(socketPath)"])
            }
            return fresh
        } catch let error as LocalRPCClientError {
            if connecting == attempt { connecting = nil }
            throw DaemonFailure(error)
        } catch {
            if connecting == attempt { connecting = nil }
            throw .unreachable("\(error)")
        }
    }

    private func drop(_ stale: LocalRPCClient) async {
        guard client === stale else { return }
        client = nil
        await stale.close()
    }
}
