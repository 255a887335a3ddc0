#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Who is at the other end of a Unix socket, as the kernel saw it at `connect` (SO_PEERCRED):
/// not something the client claims, so it can decide who may read and who may write.
public struct PeerCredentials: Sendable, Hashable, CustomStringConvertible {
    public let uid: UInt32
    public let gid: UInt32
    public let pid: Int32

    public init(uid: UInt32, gid: UInt32, pid: Int32) {
        self.uid = uid
        self.gid = gid
        self.pid = pid
    }

    /// This process's own credentials, what a client in the same process would present.
    public static var currentProcess: PeerCredentials {
        PeerCredentials(uid: getuid(), gid: getgid(), pid: getpid())
    }

    /// Reads SO_PEERCRED from a connected Unix stream socket.
    public init(socketDescriptor: Int32) throws(SocketFile.Failure) {
        #if os(Linux)
            var credentials = LinuxUcred()
            var length = socklen_t(MemoryLayout<LinuxUcred>.size)
            guard getsockopt(socketDescriptor, SOL_SOCKET, SO_PEERCRED, &credentials, &length) == 0 else {
                throw SocketFile.Failure.system(call: "getsockopt(SO_PEERCRED)", errno: errno, path: nil)
            }
            self.init(credentials)
        #else
            throw SocketFile.Failure.system(call: "getsockopt(SO_PEERCRED)", errno: ENOTSUP, path: nil)
        #endif
    }

    init(_ credentials: LinuxUcred) {
        self.init(uid: credentials.uid, gid: credentials.gid, pid: credentials.pid)
    }

    public var description: String { "uid \(uid) gid \(gid) pid \(pid)" }
}

/// Linux's `struct ucred` (pid, uid, gid), which Glibc's module map leaves out (it needs
/// `_GNU_SOURCE`); the layout is fixed by the kernel ABI.
struct LinuxUcred: Sendable {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}
