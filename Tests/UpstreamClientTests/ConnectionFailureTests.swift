import Foundation
import NIOCore
import NIOPosix
import Testing
import UpstreamClient
import VolunteerAPI

/// Failures before the request can leave: they are retryable, and come back at once.
@Suite("Connection failures")
struct ConnectionFailureTests {
    private func withClient<T: Sendable>(_ baseURL: String, _ body: (UpstreamClient) async throws -> T) async throws -> T {
        let configuration = UpstreamConfiguration(
            baseURL: try #require(URL(string: baseURL)), connectTimeout: .seconds(2), requestTimeout: .seconds(10))
        let client = UpstreamClient(configuration: configuration, logger: LogRecorder().logger)
        let result: Result<T, any Error>
        do {
            result = .success(try await body(client))
        } catch {
            result = .failure(error)
        }
        try await client.shutdown()
        return try result.get()
    }

    @Test("a refused connection (nothing listens on the port) is retryable: the request never left")
    func refused() async throws {
        let port = try await closedLoopbackPort()
        let started = ContinuousClock.now
        try await withClient("http://127.0.0.1:\(port)") { client in
            let outcome = await client.call(.projects, as: RecordList<Project>.self)
            #expect(outcome.retry == UpstreamRetry(.notSent(.connectionRefused)), "\(outcome)")
            // A write is just as safe to resend.
            let write = await client.call(.sendVerifyCode, parameters: ["phone": "13900000001"], as: EmptyPayload.self)
            #expect(write.kind == .retryable)
        }
        #expect(ContinuousClock.now - started < .seconds(5), "failed connections are not retried until the deadline")
    }

    @Test("a host that does not resolve is retryable")
    func unresolvable() async throws {
        try await withClient("http://vdsync-upstream-test.invalid") { client in
            let outcome = await client.call(.projects, as: RecordList<Project>.self)
            #expect(outcome.retry == UpstreamRetry(.notSent(.hostNotFound)), "\(outcome)")
        }
    }

    @Test("a failed TLS handshake (https to a plain-HTTP port) is retryable")
    func tlsHandshake() async throws {
        try await TestUpstream.withRunning(seeded: false) { upstream in
            let port = try #require(upstream.running.api.port)
            try await withClient("https://127.0.0.1:\(port)") { client in
                let outcome = await client.call(.projects, as: RecordList<Project>.self)
                // The handshake fails, or (on a loaded machine) outlasts the connect timeout that
                // bounds it: either way the request never left, so it is retryable.
                let reasons = [UpstreamRetry(.notSent(.tlsHandshakeFailed)), UpstreamRetry(.notSent(.connectTimeout))]
                #expect(outcome.retry.map(reasons.contains) == true, "\(outcome)")
            }
        }
    }

    @Test("a configured proxy is used (for a host only it could resolve), and its refusal is retryable")
    func throughProxy() async throws {
        try await TestUpstream.withRunning(seeded: false) { upstream in
            // vdapi stands in for the proxy. AsyncHTTPClient always asks an HTTP proxy for a
            // `CONNECT upstream.invalid:80` tunnel, which vdapi refuses: the request never left.
            // Without the proxy, the client would have failed to resolve the name instead.
            let port = try #require(upstream.running.api.port)
            var configuration = UpstreamConfiguration(baseURL: try #require(URL(string: "http://upstream.invalid")))
            configuration.proxy = UpstreamConfiguration.Proxy(host: "127.0.0.1", port: port)
            let client = UpstreamClient(configuration: configuration, logger: LogRecorder().logger)
            let outcome = await client.call(.projects, as: RecordList<Project>.self)
            try await client.shutdown()
            #expect(outcome.retry == UpstreamRetry(.notSent(.proxyFailed)), "\(outcome)")
        }
    }
}
