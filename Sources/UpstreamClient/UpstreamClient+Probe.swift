import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix

extension UpstreamClient {
    /// Where a probe connects: the proxy when one is configured (the only way out there), else
    /// the base URL's host and port (80 for http, 443 for https).
    public nonisolated var probeTarget: (host: String, port: Int)? {
        if let proxy = configuration.proxy { return (proxy.host, proxy.port) }
        guard let host = configuration.baseURL.host, !host.isEmpty else { return nil }
        return (host, configuration.baseURL.port ?? (configuration.baseURL.scheme == "https" ? 443 : 80))
    }

    /// Whether a TCP connection to the upstream can be opened now: how the agent learns, while
    /// offline, that the link is back. It costs a handshake and no HTTP (no bytes of the
    /// metered budget beyond TCP's own); a link that is down fails at once or after `timeout`.
    /// The connection is closed at once; no request is sent on it, so it proves nothing about
    /// the API, only the way to it: the next real request decides connectivity.
    public nonisolated func probe(timeout: Duration = .seconds(2)) async -> Bool {
        guard let target = probeTarget else { return false }
        let milliseconds = max(1, Int64(timeout / .milliseconds(1)))
        do {
            let channel = try await ClientBootstrap(group: HTTPClient.defaultEventLoopGroup)
                .connectTimeout(.milliseconds(milliseconds))
                .connect(host: target.host, port: target.port).get()
            try? await channel.close()
            return true
        } catch {
            return false
        }
    }
}
