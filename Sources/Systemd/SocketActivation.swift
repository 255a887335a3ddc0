import Foundation
import Glibc

/// The listening sockets systemd passed to this process (`sd_listen_fds(3)`): `LISTEN_FDS`
/// descriptors starting at 3, meant for the process `LISTEN_PID`, named by `LISTEN_FDNAMES`.
///
/// Guarantees:
/// - Descriptors are returned only when `LISTEN_PID` is this process: variables inherited by a
///   child are not the child's sockets.
/// - ``parse(environment:pid:firstDescriptor:)`` is pure: it reads a dictionary, touches no
///   descriptor, and is what tests exercise with any numbers.
/// - ``listeners(environment:pid:firstDescriptor:)`` additionally marks each descriptor
///   close-on-exec (systemd hands them over inheritable) and checks that each is a listening
///   `AF_UNIX` stream socket, the only kind `vdsyncd` serves, with an error that says what the
///   descriptor is instead.
/// - ``fromProcess(unsetEnvironment:)`` reads this process's variables and, like
///   `sd_listen_fds(1)`, removes them whatever the outcome, so children never see them.
public enum SocketActivation {
    /// The number of the first passed descriptor (`SD_LISTEN_FDS_START`).
    public static let firstDescriptor: Int32 = 3

    /// One passed descriptor and its name (`FileDescriptorName=` of the socket unit; systemd's
    /// default is the socket unit's name, and `unknown` when `LISTEN_FDNAMES` is absent).
    public struct Listener: Sendable, Equatable {
        public var descriptor: Int32
        public var name: String

        public init(descriptor: Int32, name: String) {
            self.descriptor = descriptor
            self.name = name
        }
    }

    /// Why the passed sockets cannot be used.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// `LISTEN_FDS` or `LISTEN_PID` is not a number systemd would write.
        case invalidVariable(name: String, value: String)
        /// `LISTEN_FDNAMES` names a different number of descriptors than `LISTEN_FDS` counts.
        case nameCountMismatch(descriptors: Int, names: Int)
        /// A descriptor is not open, or a call on it failed.
        case descriptorUnusable(descriptor: Int32, operation: String, errno: Int32)
        /// A descriptor is open but not a listening `AF_UNIX` stream socket.
        case notListeningUnixStream(descriptor: Int32, name: String, found: String)

        public var description: String {
            switch self {
            case .invalidVariable(let name, let value):
                return "socket activation: \(name)='\(value)' is not a valid value"
            case .nameCountMismatch(let descriptors, let names):
                return "socket activation: LISTEN_FDS passes \(descriptors) descriptor(s) but LISTEN_FDNAMES names \(names)"
            case .descriptorUnusable(let descriptor, let operation, let code):
                return "socket activation: descriptor \(descriptor) is unusable (\(operation): \(String(cString: strerror(code))))"
            case .notListeningUnixStream(let descriptor, let name, let found):
                return "socket activation: descriptor \(descriptor) ('\(name)') is \(found), not a listening AF_UNIX stream socket; "
                    + "the socket unit must use ListenStream= with a path"
            }
        }
    }

    /// The descriptors passed to process `pid`, as numbers and names: no descriptor is touched.
    /// Empty when nothing was passed or the variables are meant for another process.
    public static func parse(
        environment: [String: String], pid: pid_t, firstDescriptor: Int32 = firstDescriptor
    ) throws(Failure) -> [Listener] {
        guard let pidText = environment["LISTEN_PID"], let countText = environment["LISTEN_FDS"] else { return [] }
        guard let owner = pid_t(pidText), owner > 0 else { throw .invalidVariable(name: "LISTEN_PID", value: pidText) }
        guard owner == pid else { return [] }
        guard let count = Int32(countText), count >= 0, count <= Int32.max - firstDescriptor else {
            throw .invalidVariable(name: "LISTEN_FDS", value: countText)
        }
        guard count > 0 else { return [] }
        var names = Array(repeating: "unknown", count: Int(count))
        if let nameText = environment["LISTEN_FDNAMES"] {
            // Colon-separated, empty fields kept: "a::c" names three descriptors.
            let given = nameText.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard given.count == names.count else {
                throw .nameCountMismatch(descriptors: Int(count), names: given.count)
            }
            names = given
        }
        return names.enumerated().map { Listener(descriptor: firstDescriptor + Int32($0.offset), name: $0.element) }
    }

    /// The descriptors passed to process `pid`, each marked close-on-exec and checked to be a
    /// listening `AF_UNIX` stream socket.
    public static func listeners(
        environment: [String: String], pid: pid_t = getpid(), firstDescriptor: Int32 = firstDescriptor
    ) throws(Failure) -> [Listener] {
        let listeners = try parse(environment: environment, pid: pid, firstDescriptor: firstDescriptor)
        for listener in listeners {
            let flags = fcntl(listener.descriptor, F_GETFD)
            guard flags >= 0 else {
                throw .descriptorUnusable(descriptor: listener.descriptor, operation: "fcntl(F_GETFD)", errno: errno)
            }
            guard fcntl(listener.descriptor, F_SETFD, flags | FD_CLOEXEC) == 0 else {
                throw .descriptorUnusable(descriptor: listener.descriptor, operation: "fcntl(F_SETFD)", errno: errno)
            }
            try validateListeningUnixStream(listener)
        }
        return listeners
    }

    /// The descriptors systemd passed to this process, from its own environment; with
    /// `unsetEnvironment`, the variables are removed afterwards whatever the outcome.
    public static func fromProcess(unsetEnvironment: Bool = true) throws(Failure) -> [Listener] {
        defer {
            if unsetEnvironment {
                Self.unsetEnvironment()
            }
        }
        return try listeners(environment: ProcessInfo.processInfo.environment)
    }

    /// Removes `LISTEN_PID`, `LISTEN_FDS` and `LISTEN_FDNAMES` from this process's environment.
    public static func unsetEnvironment() {
        unsetenv("LISTEN_PID")
        unsetenv("LISTEN_FDS")
        unsetenv("LISTEN_FDNAMES")
    }

    /// Throws unless `listener` is a socket, of type `SOCK_STREAM`, in family `AF_UNIX`, listening.
    public static func validateListeningUnixStream(_ listener: Listener) throws(Failure) {
        let fd = listener.descriptor
        func option(_ name: Int32) throws(Failure) -> Int32 {
            var value: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(fd, SOL_SOCKET, name, &value, &length) == 0 else {
                let code = errno
                if code == ENOTSOCK {
                    throw .notListeningUnixStream(descriptor: fd, name: listener.name, found: describeNonSocket(fd))
                }
                throw .descriptorUnusable(descriptor: fd, operation: "getsockopt", errno: code)
            }
            return value
        }
        let type = try option(SO_TYPE)
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw .descriptorUnusable(descriptor: fd, operation: "getsockname", errno: errno) }
        let family = Int32(address.ss_family)
        let listening = try option(SO_ACCEPTCONN) != 0
        guard family == AF_UNIX, type == Int32(SOCK_STREAM.rawValue), listening else {
            let what = "\(listening ? "a listening" : "a non-listening") \(familyName(family)) \(typeName(type)) socket"
            throw .notListeningUnixStream(descriptor: fd, name: listener.name, found: what)
        }
    }

    private static func familyName(_ family: Int32) -> String {
        switch family {
        case AF_UNIX: "AF_UNIX"
        case AF_INET: "AF_INET"
        case AF_INET6: "AF_INET6"
        case AF_NETLINK: "AF_NETLINK"
        default: "family \(family)"
        }
    }

    private static func typeName(_ type: Int32) -> String {
        switch type {
        case Int32(SOCK_STREAM.rawValue): "stream"
        case Int32(SOCK_DGRAM.rawValue): "datagram"
        case Int32(SOCK_SEQPACKET.rawValue): "seqpacket"
        default: "type \(type)"
        }
    }

    private static func describeNonSocket(_ fd: Int32) -> String {
        var status = stat()
        guard fstat(fd, &status) == 0 else { return "not a socket" }
        switch status.st_mode & S_IFMT {
        case S_IFIFO: return "a pipe"
        case S_IFREG: return "a regular file"
        case S_IFCHR: return "a character device"
        case S_IFDIR: return "a directory"
        default: return "not a socket"
        }
    }
}
