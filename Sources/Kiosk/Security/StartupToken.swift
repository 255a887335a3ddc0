import Foundation

/// The random secret printed (or written to a 0600 file) when vdkiosk starts, as Jupyter's
/// start-up token: any local user can reach a loopback port, only the one who holds this can
/// open a session. Compared in constant time.
public struct StartupToken: Sendable, CustomStringConvertible {
    /// The token's text: 32 random bytes as lowercase hex.
    public let value: String

    public init(value: String) { self.value = value }

    /// A fresh token from the system's random source.
    public static func random() -> StartupToken { StartupToken(value: randomHex(bytes: 32)) }

    /// Whether `candidate` is this token, without leaking where they differ through timing.
    public func matches(_ candidate: String?) -> Bool {
        guard let candidate else { return false }
        return constantTimeEqual(Array(value.utf8), Array(candidate.utf8))
    }

    /// Never the token itself, so that it cannot slip into a log line by interpolation.
    public var description: String { "StartupToken(redacted)" }

    /// Writes the token to `path` with mode 0600, replacing what was there: created under a
    /// temporary name with the mode already set, then renamed, so it is never readable by others.
    public func write(to path: String) throws {
        let temporary = path + ".tmp-\(getpid())"
        let created = FileManager.default.createFile(
            atPath: temporary, contents: Data((value + "\n").utf8), attributes: [.posixPermissions: 0o600])
        guard created else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
        if rename(temporary, path) != 0 {
            let error = errno
            unlink(temporary)
            throw POSIXError(POSIXErrorCode(rawValue: error) ?? .EIO)
        }
    }
}

/// `count` random bytes as lowercase hex, from the system's cryptographic generator.
func randomHex(bytes count: Int) -> String {
    var generator = SystemRandomNumberGenerator()
    return (0..<count).map { _ in
        let byte = UInt8.random(in: .min ... .max, using: &generator)
        return String(byte, radix: 16).leftPadded(to: 2)
    }.joined()
}

/// Equality whose time depends only on the lengths, not on where the bytes differ.
func constantTimeEqual(_ left: [UInt8], _ right: [UInt8]) -> Bool {
    guard left.count == right.count else { return false }
    var difference: UInt8 = 0
    for index in left.indices { difference |= left[index] ^ right[index] }
    return difference == 0
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
