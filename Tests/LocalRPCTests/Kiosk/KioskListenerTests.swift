import AsyncHTTPClient
import Foundation
import Logging
import ServiceLifecycle
import Testing

@testable import Kiosk

/// vdkiosk as a lifecycle service on a Unix socket, for a reverse proxy (read by
/// AsyncHTTPClient's `http+unix` URLs). The TCP listener is what every other kiosk test uses.
@Suite("vdkiosk listeners")
struct KioskListenerTests {
    @Test("on a Unix socket the screens answer as on TCP, the token and the guard included, and shutdown stops it")
    func unixSocket() async throws {
        try await AgentWorld.with { world in
            let directory = try makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let path = directory + "/kiosk.sock"
            let token = StartupToken.random()
            let (addresses, reported) = AsyncStream.makeStream(of: String.self)
            var logger = Logger(label: "kiosk-listener-test")
            logger.logLevel = .warning
            let server = KioskServer(
                configuration: KioskConfiguration(socketPath: world.path, listener: .unix(path: path), startupToken: token), logger: logger
            ) { address in reported.yield(address) }
            let group = ServiceGroup(configuration: .init(services: [.init(service: server)], logger: logger))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                var iterator = addresses.makeAsyncIterator()
                #expect(await iterator.next() == "unix:\(path)")
                let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
                let base = "http+unix://" + path.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                // The proxy passes the browser's Host; AsyncHTTPClient sends the socket path as
                // Host, which the guard does not know: refused until allowed.
                let foreign = try await client.execute(HTTPClientRequest(url: base + "/?token=\(token.value)"), timeout: .seconds(10))
                #expect(foreign.status == .forbidden)
                var request = HTTPClientRequest(url: base + "/?token=\(token.value)")
                request.headers.replaceOrAdd(name: "Host", value: "localhost")
                let exchange = try await client.execute(request, timeout: .seconds(10))
                #expect(exchange.status == .seeOther)
                #expect(exchange.headers.first(name: "Set-Cookie")?.contains("HttpOnly") == true)
                try await client.shutdown()
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
    }
}
