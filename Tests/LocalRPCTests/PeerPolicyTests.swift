import Testing
import VolunteerAPI

@testable import LocalRPC

#if canImport(Glibc)
    import Glibc
#endif

/// Who may read and who may write: the policy as a value, then on the real socket.
@Suite("Peer credentials and policy")
struct PeerPolicyTests {
    let alice = PeerCredentials(uid: 1000, gid: 1000, pid: 10)
    let bob = PeerCredentials(uid: 1001, gid: 2000, pid: 11)
    let root = PeerCredentials(uid: 0, gid: 0, pid: 1)
    let daemon = PeerCredentials(uid: 990, gid: 990, pid: 12)

    @Test("by default the daemon's own uid and root write; anyone else is refused")
    func defaults() {
        let policy = PeerPolicy.default(daemonUID: 990)
        #expect(policy.access(for: daemon) == .readWrite)
        #expect(policy.access(for: root) == .readWrite)
        #expect(policy.access(for: alice) == .refused)
    }

    @Test("listed writers and readers; read-only wins over writer; uid rules win over gid rules")
    func lists() {
        let policy = PeerPolicy.default(daemonUID: 990, writers: [1000], readers: [1001, 990])
        #expect(policy.access(for: alice) == .readWrite)
        #expect(policy.access(for: bob) == .readOnly)
        #expect(policy.access(for: daemon) == .readOnly, "explicitly demoted")
        let groups = PeerPolicy(writerUIDs: [1001], readOnlyGIDs: [2000, 1000])
        #expect(groups.access(for: bob) == .readWrite)
        #expect(groups.access(for: alice) == .readOnly)
        #expect(PeerPolicy(writerUIDs: [], writerGIDs: [1000]).access(for: alice) == .readWrite)
    }

    @Test("access levels permit methods")
    func permits() {
        #expect(PeerAccess.readWrite.permits(.write) && PeerAccess.readWrite.permits(.read))
        #expect(PeerAccess.readOnly.permits(.read) && !PeerAccess.readOnly.permits(.write))
        #expect(!PeerAccess.refused.permits(.read))
    }

    @Test("a read-only peer on the socket reads, and is refused a write with -32001 kind forbidden")
    func readOnlyPeer() async throws {
        try await TestServer.with({ $0.peerPolicy = PeerPolicy(writerUIDs: [], readOnlyUIDs: [getuid()]) }) { server in
            let client = try await server.client()
            let write = try await client.call("test.write", ["phone": "1"])
            #expect(write.errorCode == RPCError.Code.forbidden)
            #expect(write["error"]?["data"]?["kind"] == "forbidden")
            #expect(try await client.call("subtract", [5, 3])["result"] == 2)
            // A write in a batch is refused alone; a write notification is silently refused.
            let batch = try await client.call(
                line:
                    #"[{"jsonrpc":"2.0","method":"update","params":[1]},{"jsonrpc":"2.0","method":"test.write","id":1},{"jsonrpc":"2.0","method":"get_data","id":2}]"#
            )
            #expect(batch.array?.map(\.errorCode) == [RPCError.Code.forbidden, nil])
            #expect(server.recorder.updates.received.isEmpty)
            await client.close()
        }
    }

    @Test("the handler sees the peer's uid, gid and pid as the kernel reports them")
    func peerInContext() async throws {
        try await TestServer.with { server in
            let client = try await server.client()
            let reply = try await client.call("test.peer")
            #expect(
                reply["result"]
                    == [
                        "uid": .integer(Int(getuid())), "gid": .integer(Int(getgid())), "pid": .integer(Int(getpid())),
                        "access": "read_write",
                    ])
            await client.close()
        }
    }

    @Test("a peer the policy refuses gets one forbidden error and the connection is closed")
    func refusedPeer() async throws {
        try await TestServer.with({ $0.peerPolicy = PeerPolicy(writerUIDs: []) }) { server in
            let client = try await server.client()
            let reply = try await client.nextJSON()
            #expect(reply["id"] == .null && reply.errorCode == RPCError.Code.forbidden)
            #expect(try await client.nextLine() == nil)
        }
    }

    @Test("SO_PEERCRED read with getsockopt on a plain socket")
    func getsockopt() async throws {
        try await TestServer.with { server in
            let fd = try SocketFile.connectedSocket(server.path)
            #expect(fd >= 0)
            defer { close(fd) }
            let peer = try PeerCredentials(socketDescriptor: fd)
            // The server is this process too.
            #expect(peer == .currentProcess)
        }
    }
}
