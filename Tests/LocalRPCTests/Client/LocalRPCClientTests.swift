import Foundation
import Testing
import VolunteerAPI

@testable import LocalAPI
@testable import LocalRPC
@testable import SocketClient
@testable import vdsync

/// LocalRPCClient through the real socket of the real local API (AgentWorld): results,
/// errors as typed values with their documented exit statuses, notifications, overlapping calls.
@Suite("LocalRPCClient")
struct LocalRPCClientTests {
    static let doctor: JSONValue = ["phone": "13800000001", "password": "demo123", "role": "doctor"]

    @Test("status, login, a read and a mutation return their results")
    func calls() async throws {
        try await AgentWorld.with { world in
            let client = try await LocalRPCClient.connect(socketPath: world.path)
            let before = try await client.call("status")
            #expect(before["session"] == "logged_out")
            let session = try await client.call("session.login", Self.doctor)
            #expect(session["role"] == "doctor")
            let after = try await client.call("status")
            #expect(after["session"] == "active" && after["role"] == "doctor")
            let page = try await client.call("projects.list", ["limit": 5])
            #expect(page["total"] != nil && page["items"] != nil)
            let patient = try #require(try await world.upstream("SELECT id FROM user WHERE phone = '13800000021' AND type = 1").first)
            let mutation = try await client.call("chat.send", ["to_user_id": .integer(patient), "content": "请按时复诊"])
            #expect(mutation["state"] == "queued")
            #expect(ResultFormatter.render(method: "chat.send", result: mutation).hasPrefix("mutation "))
            await client.close()
        }
    }

    @Test("JSON-RPC errors arrive typed, with code, message and data, and map to the documented exit statuses")
    func errors() async throws {
        try await AgentWorld.with { world in
            let client = try await LocalRPCClient.connect(socketPath: world.path)
            // Not logged in: refused (3).
            let notLoggedIn = await Self.failure { try await client.call("diagnosis.markDone", ["diagnosis_id": 1]) }
            guard case .rpc(let refused)? = notLoggedIn else {
                Issue.record("expected an rpc error, got \(String(describing: notLoggedIn))")
                return
            }
            #expect(refused.code == -32011 && refused.data?["kind"] == "not_logged_in")
            #expect(ClientExitStatus(for: .rpc(refused)) == .refused)
            // Invalid params name the field: refused (3).
            let invalid = await Self.failure { try await client.call("projects.get", ["project_id": "abc"]) }
            guard case .rpc(let bad)? = invalid else {
                Issue.record("expected an rpc error")
                return
            }
            #expect(bad.code == -32602 && bad.data?["field"] == "project_id")
            #expect(ClientExitStatus(for: .rpc(bad)) == .refused)
            // Unknown method: refused (3).
            let unknown = await Self.failure { try await client.call("no.such.method") }
            #expect(unknown.map(ClientExitStatus.init) == .refused)
            // A wrong password is refused by the upstream: upstream (4).
            let login = await Self.failure { try await client.call("session.login", ["phone": "13800000001", "password": "wrong-password", "role": "doctor"]) }
            guard case .rpc(let upstream)? = login else {
                Issue.record("expected an rpc error")
                return
            }
            #expect(upstream.code == -32010 && upstream.data?["upstream_error_code"] != nil)
            #expect(ClientExitStatus(for: .rpc(upstream)) == .upstream)
            // The connection still works after errors.
            #expect(try await client.call("status")["session"] == "logged_out")
            await client.close()
            // After close, calls fail at once as a broken conversation (5).
            let closed = await Self.failure { try await client.call("status") }
            #expect(closed == .connectionClosed && ClientExitStatus(for: .connectionClosed) == .internalError)
        }
    }

    @Test("a missing socket, a stale one and a non-socket each say why, and exit 2")
    func connectFailures() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let missing = await Self.failure { _ = try await LocalRPCClient.connect(socketPath: directory + "/missing.sock") }
        #expect(missing == .cannotConnect(path: directory + "/missing.sock", reason: .socketMissing))
        #expect("\(missing!)".contains("is vdsyncd running"))
        #expect(missing.map(ClientExitStatus.init) == .cannotConnect)

        let file = directory + "/file"
        _ = FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
        let notSocket = await Self.failure { _ = try await LocalRPCClient.connect(socketPath: file) }
        #expect(notSocket == .cannotConnect(path: file, reason: .notASocket))

        // A socket file nobody listens on (a daemon that crashed).
        let stale = directory + "/stale.sock"
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in stale.utf8.enumerated() { buffer[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        close(descriptor)
        let refused = await Self.failure { _ = try await LocalRPCClient.connect(socketPath: stale) }
        #expect(refused == .cannotConnect(path: stale, reason: .notListening))
        #expect("\(refused!)".contains("not running"))
    }

    @Test("overlapping calls on one connection each get their own reply; notifications arrive on the stream")
    func overlappingAndNotifications() async throws {
        try await AgentWorld.with { world in
            let client = try await LocalRPCClient.connect(socketPath: world.path)
            let subscription = try await client.call("changes.subscribe", ["collections": ["projects"]])
            #expect(subscription["subscription"] != nil)
            _ = try await client.call("session.login", Self.doctor)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 1...20 {
                    group.addTask {
                        let page = try await client.call("hospitals.list", ["limit": .integer(n)])
                        guard case .array(let items)? = page["items"] else { throw UnexpectedReply(reply: page) }
                        #expect(items.count <= n)
                    }
                }
                try await group.waitForAll()
            }
            var iterator = client.notifications.makeAsyncIterator()
            let first = await iterator.next()
            #expect(first?.method == "changes" && first?.params["collection"] == "projects")
            #expect(ResultFormatter.notificationLine(try #require(first)).hasPrefix("seq "))
            await client.close()
            // The stream finishes with the connection.
            while await iterator.next() != nil {}
        }
    }

    /// The client error `body` throws, or nil when it succeeds (or throws something else).
    static func failure<T>(_ body: () async throws -> T) async -> LocalRPCClientError? {
        do {
            _ = try await body()
            return nil
        } catch {
            return error as? LocalRPCClientError
        }
    }
}
