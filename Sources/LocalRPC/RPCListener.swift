/// Where the server listens: a socket file it creates, or a descriptor it is handed already
/// listening (systemd socket activation, `LISTEN_FDS`).
public struct RPCListener: Sendable, Hashable {
    enum Source: Sendable, Hashable {
        case socketFile(path: String, groupID: UInt32?, mode: UInt32)
        case descriptor(Int32)
    }

    let source: Source

    /// A socket file at `path`, mode 0660 by default, owned by `groupID` when given. Its directory
    /// is created if missing; a stale file is replaced; a live one makes `start` fail.
    public init(socketPath: String, groupID: UInt32? = nil, mode: UInt32 = SocketFile.defaultMode) {
        source = .socketFile(path: socketPath, groupID: groupID, mode: mode)
    }

    /// A bound (and usually listening) Unix stream socket; the server takes ownership and closes it.
    public init(listeningDescriptor: Int32) {
        source = .descriptor(listeningDescriptor)
    }

    /// The socket file's path, when the server creates it.
    public var socketPath: String? {
        if case .socketFile(let path, _, _) = source { return path }
        return nil
    }
}
