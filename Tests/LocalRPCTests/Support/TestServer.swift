import Foundation
import Logging
import VolunteerAPI

@testable import LocalRPC

#if canImport(Glibc)
    import Glibc
#endif

/// A server on a socket file in a fresh temporary directory, serving the sample methods.
struct TestServer: Sendable {
    let server: RPCServer
    let directory: String
    let path: String
    let recorder: Recorder

    static let info = OpenRPCDocument.Info(title: "vdsync test", version: "0.0.0")

    static func start(
        logger: Logger = Logger(label: "test.rpc"),
        _ configure: (inout RPCServerConfiguration) -> Void = { _ in }
    ) async throws -> TestServer {
        let recorder = Recorder()
        let directory = try makeTemporaryDirectory()
        let path = directory + "/vdsyncd.sock"
        var configuration = RPCServerConfiguration()
        configure(&configuration)
        let server = RPCServer(
            dispatcher: try SampleMethods.dispatcher(recorder: recorder, logger: logger),
            configuration: configuration, logger: logger)
        try await server.start(RPCListener(socketPath: path))
        return TestServer(server: server, directory: directory, path: path, recorder: recorder)
    }

    /// Runs `body` with a started server and always stops it and removes its directory.
    static func with<T>(
        logger: Logger = Logger(label: "test.rpc"),
        _ configure: (inout RPCServerConfiguration) -> Void = { _ in },
        _ body: (TestServer) async throws -> T
    ) async throws -> T {
        let server = try await start(logger: logger, configure)
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    func client(autoRead: Bool = true) async throws -> TestClient {
        try await TestClient.connect(path, autoRead: autoRead)
    }

    func stop() async {
        await server.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// A short, fresh directory (socket paths are limited to 107 bytes).
func makeTemporaryDirectory() throws -> String {
    var template = Array("/tmp/vdrpc-XXXXXX".utf8CString)
    guard let result = mkdtemp(&template) else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
    return String(cString: result)
}
