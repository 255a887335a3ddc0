#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Who may read and who may write, from a peer's uid and gid: a pure value, tested without sockets.
///
/// The socket file's mode (0660) decides who can connect at all; this decides what a connected
/// peer may call. Read-only lists win over writer lists, so a writer can be demoted explicitly;
/// a uid rule wins over a gid rule; a peer matching nothing is refused.
public struct PeerPolicy: Sendable, Hashable {
    public var writerUIDs: Set<UInt32>
    public var readOnlyUIDs: Set<UInt32>
    /// Members (by primary gid, as SO_PEERCRED reports it) who may write.
    public var writerGIDs: Set<UInt32>
    public var readOnlyGIDs: Set<UInt32>

    public init(
        writerUIDs: Set<UInt32>, readOnlyUIDs: Set<UInt32> = [], writerGIDs: Set<UInt32> = [],
        readOnlyGIDs: Set<UInt32> = []
    ) {
        self.writerUIDs = writerUIDs
        self.readOnlyUIDs = readOnlyUIDs
        self.writerGIDs = writerGIDs
        self.readOnlyGIDs = readOnlyGIDs
    }

    /// The daemon's own uid and root may write; nobody else is admitted unless listed.
    public static func `default`(daemonUID: UInt32 = getuid()) -> PeerPolicy {
        PeerPolicy(writerUIDs: [daemonUID, 0])
    }

    /// The default, plus these uids as writers and these as readers.
    public static func `default`(
        daemonUID: UInt32 = getuid(), writers: Set<UInt32>, readers: Set<UInt32>
    ) -> PeerPolicy {
        PeerPolicy(writerUIDs: Set([daemonUID, 0]).union(writers), readOnlyUIDs: readers)
    }

    public func access(for peer: PeerCredentials) -> PeerAccess {
        if readOnlyUIDs.contains(peer.uid) { return .readOnly }
        if writerUIDs.contains(peer.uid) { return .readWrite }
        if readOnlyGIDs.contains(peer.gid) { return .readOnly }
        if writerGIDs.contains(peer.gid) { return .readWrite }
        return .refused
    }
}
