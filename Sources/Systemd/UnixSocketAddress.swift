import Glibc

/// An `AF_UNIX` socket address as systemd writes it in `NOTIFY_SOCKET`: an absolute filesystem
/// path, or a name in Linux's abstract namespace written with a leading `@`.
///
/// Guarantees: an address is only made when the name fits `sun_path` (108 bytes with its
/// terminator for a path; 107 bytes after the leading NUL for an abstract name) and holds no
/// NUL byte; an abstract address's length covers exactly its name, since trailing bytes would
/// be part of the name and make it a different socket.
struct UnixSocketAddress: Sendable {
    private var storage: sockaddr_un
    private let length: socklen_t

    init?(_ name: String) {
        var bytes = Array(name.utf8)
        // Like sd_notify(): an absolute path or an abstract name, nothing relative to a working
        // directory (and no `vsock:` address, which this module does not speak).
        guard let first = bytes.first, first == UInt8(ascii: "/") || first == UInt8(ascii: "@"), !bytes.contains(0)
        else { return nil }
        let abstract = first == UInt8(ascii: "@")
        if abstract {
            bytes[0] = 0
        }
        let capacity = MemoryLayout.size(ofValue: sockaddr_un().sun_path)
        // A path needs room for its terminating NUL; an abstract name has none.
        guard bytes.count + (abstract ? 0 : 1) <= capacity, abstract ? bytes.count > 1 : true else { return nil }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: bytes)
        }
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path)!
        storage = address
        length = socklen_t(pathOffset + bytes.count + (abstract ? 0 : 1))
    }

    /// Calls `body` with the address as the `sockaddr` pointer and length the socket calls take.
    func withSockAddr<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws -> Result) rethrows -> Result {
        try withUnsafePointer(to: storage) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { try body($0, length) }
        }
    }
}
