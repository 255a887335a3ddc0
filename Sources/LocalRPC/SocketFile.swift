#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The socket's file on disk: created 0660 (and given a group) before anyone can connect,
/// replacing a stale file left by a crash but never stealing a live daemon's socket.
///
/// The socket is bound, given its mode and group, and only then listened on, so no client can
/// connect while the file still has the umask's mode.
public enum SocketFile {
    /// Why the socket file could not be set up.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// Another process is listening on this path (a connect succeeded).
        case inUse(path: String)
        /// Something that is not a socket is at this path; it is never removed.
        case notASocket(path: String)
        /// Longer than a Unix socket address can hold.
        case pathTooLong(path: String)
        case system(call: String, errno: Int32, path: String?)

        public var description: String {
            switch self {
            case .inUse(let path): "\(path) is in use: another vdsyncd is listening on it"
            case .notASocket(let path): "\(path) exists and is not a socket; refusing to replace it"
            case .pathTooLong(let path): "\(path) is too long for a Unix socket address"
            case .system(let call, let code, let path):
                "\(call)\(path.map { " \($0)" } ?? ""): \(String(cString: strerror(code)))"
            }
        }
    }

    /// What is at a socket path.
    public enum State: Equatable, Sendable {
        case absent
        /// A socket nobody listens on (connect is refused): left by a crash, safe to remove.
        case stale
        case live
        case notASocket
    }

    /// The identity of a file we created, so that we remove only our own on shutdown.
    struct Identity: Equatable, Sendable {
        let device: UInt64
        let inode: UInt64
    }

    public static let defaultMode: UInt32 = 0o660

    /// What is at `path` now.
    public static func probe(_ path: String) throws(Failure) -> State {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return .absent }
            throw .system(call: "lstat", errno: errno, path: path)
        }
        guard info.st_mode & S_IFMT == S_IFSOCK else { return .notASocket }
        let fd = try connectedSocket(path)
        if fd >= 0 {
            close(fd)
            return .live
        }
        let code = -fd
        if code == ECONNREFUSED { return .stale }
        if code == ENOENT { return .absent }
        throw .system(call: "connect", errno: code, path: path)
    }

    /// A listening socket at `path`, with `mode` and, if given, `groupID`; the directory is created
    /// (0750, with `groupID` too, so that the group can reach the socket) when missing. Returns
    /// the descriptor, to be handed to NIO.
    static func bindListening(path: String, mode: UInt32, groupID: UInt32?, backlog: Int32) throws(Failure) -> (
        descriptor: Int32, identity: Identity
    ) {
        try makeDirectory(containing: path, groupID: groupID)
        switch try probe(path) {
        case .absent: break
        case .live: throw .inUse(path: path)
        case .notASocket: throw .notASocket(path: path)
        case .stale:
            guard unlink(path) == 0 || errno == ENOENT else { throw .system(call: "unlink", errno: errno, path: path) }
        }
        var address = try address(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .system(call: "socket", errno: errno, path: nil) }
        func fail(_ call: String) -> Failure {
            let code = errno
            close(fd)
            return .system(call: call, errno: code, path: path)
        }
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0 else {
            if errno == EADDRINUSE {
                // Another process bound it between our probe and our bind.
                close(fd)
                throw .inUse(path: path)
            }
            throw fail("bind")
        }
        guard chmod(path, mode_t(mode)) == 0 else {
            let failure = fail("chmod")
            unlink(path)
            throw failure
        }
        if let groupID {
            guard chown(path, uid_t.max, gid_t(groupID)) == 0 else {
                let failure = fail("chown")
                unlink(path)
                throw failure
            }
        }
        var info = stat()
        guard stat(path, &info) == 0 else {
            let failure = fail("stat")
            unlink(path)
            throw failure
        }
        guard listen(fd, backlog) == 0 else {
            let failure = fail("listen")
            unlink(path)
            throw failure
        }
        return (fd, Identity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino)))
    }

    /// Removes the file at `path` only if it is still the one we created.
    static func remove(_ path: String, ifIdentity identity: Identity) {
        var info = stat()
        guard lstat(path, &info) == 0, UInt64(info.st_dev) == identity.device, UInt64(info.st_ino) == identity.inode
        else { return }
        unlink(path)
    }

    /// Creates the directories missing above `path`, each 0750 whatever the umask (systemd's
    /// `UMask=0077` would leave 0700) and, when `groupID` is given, in that group: its members
    /// must pass through them to reach the socket. Existing directories are left as they are.
    static func makeDirectory(containing path: String, groupID: UInt32? = nil) throws(Failure) {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return }
        let directory = String(path[..<slash])
        var info = stat()
        if stat(directory, &info) == 0 { return }
        guard errno == ENOENT else { throw .system(call: "stat", errno: errno, path: directory) }
        try makeDirectory(containing: directory, groupID: groupID)
        guard mkdir(directory, 0o700) == 0 else {
            if errno == EEXIST { return }
            throw .system(call: "mkdir", errno: errno, path: directory)
        }
        // The group first, then the mode: the directory opens to the group only once it is the right one.
        if let groupID {
            guard chown(directory, uid_t.max, gid_t(groupID)) == 0 else { throw .system(call: "chown", errno: errno, path: directory) }
        }
        guard chmod(directory, 0o750) == 0 else { throw .system(call: "chmod", errno: errno, path: directory) }
    }

    static func address(_ path: String) throws(Failure) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity, !bytes.contains(0) else { throw .pathTooLong(path: path) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return address
    }

    /// A socket connected to `path` (the caller closes it), or minus the errno of the failed connect.
    static func connectedSocket(_ path: String) throws(Failure) -> Int32 {
        var address = try address(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .system(call: "socket", errno: errno, path: nil) }
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        if result == 0 { return fd }
        let code = errno
        close(fd)
        return -code
    }
}
