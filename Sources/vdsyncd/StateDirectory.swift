import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The state directory holds the medical database: it is the daemon's user's alone (0700).
/// Created so when missing; an existing one its group or others may enter is made 0700 again,
/// with a notice, when the daemon owns it, and refused when it does not (another user's
/// directory is not the daemon's to change, and that user could swap the files in it).
enum StateDirectory {
    /// The state directory cannot be made the daemon's alone.
    struct Failure: Error, CustomStringConvertible {
        let path: String
        let problem: String
        var description: String { "the state directory \(path) \(problem)" }
    }

    /// Creates `path` (0700) or checks the existing directory, tightening it to 0700.
    static func prepare(_ path: String, logger: Logger) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var info = stat()
        guard stat(path, &info) == 0 else { throw Failure(path: path, problem: "cannot be read: \(String(cString: strerror(errno)))") }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw Failure(path: path, problem: "is not a directory") }
        let mode = UInt32(info.st_mode) & 0o7777
        guard mode & 0o077 != 0 else { return }
        let octal = "0" + String(mode, radix: 8)
        guard info.st_uid == geteuid() else {
            throw Failure(
                path: path,
                problem:
                    "is open to its group or others (mode \(octal)) and belongs to uid \(info.st_uid), not to this daemon's uid \(geteuid()): make it the daemon's user's, mode 0700"
            )
        }
        guard chmod(path, 0o700) == 0 else {
            throw Failure(path: path, problem: "is open to its group or others (mode \(octal)) and cannot be made 0700: \(String(cString: strerror(errno)))")
        }
        logger.notice("the state directory was open to its group or others: made 0700", metadata: ["path": "\(path)", "was": "\(octal)"])
    }
}
