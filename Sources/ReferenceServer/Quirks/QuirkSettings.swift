import Foundation

/// The settings of `vdapi`'s quirks mode, which rewrites the JSON of API answers the way legacy
/// PHP servers of this kind vary it (numbers as text, `[]` for `{}`, flags as booleans...).
///
/// Every choice is a function of ``seed``, the record and the field, so the same record reads the
/// same on every call; with ``perAnswer`` the answer's number is mixed in too, and the same record
/// may read differently from one answer to the next (always with the same values).
public struct QuirkSettings: Sendable, Hashable, CustomStringConvertible {
    /// Drives every choice; two servers with the same seed vary the same records the same way.
    public var seed: UInt64
    /// Varies the choices per answer as well, to prove that change detection does not flip
    /// between representations of one value.
    public var perAnswer: Bool

    public init(seed: UInt64, perAnswer: Bool = false) {
        self.seed = seed
        self.perAnswer = perAnswer
    }

    /// The name of the environment variable that `RunningReferenceServer` reads: `SEED`, or
    /// `SEED/answer` for per-answer choices.
    public static let environmentVariable = "VDAPI_QUIRKS"

    /// Parses `SEED` or `SEED/answer`; nil for anything else (an empty text included).
    public init?(text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "/", omittingEmptySubsequences: false)
        guard let first = parts.first, let seed = UInt64(first) else { return nil }
        switch parts.count {
        case 1: self.init(seed: seed)
        case 2 where parts[1] == "answer": self.init(seed: seed, perAnswer: true)
        default: return nil
        }
    }

    /// The settings named by ``environmentVariable`` in `environment`; nil when it is unset or empty.
    /// A value that does not parse is a programming error of the test run, reported by a trap
    /// rather than silently running without quirks.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> QuirkSettings? {
        guard let text = environment[environmentVariable], !text.isEmpty else { return nil }
        guard let settings = QuirkSettings(text: text) else {
            preconditionFailure("\(environmentVariable)=\(text): expected SEED or SEED/answer")
        }
        return settings
    }

    /// `SEED` or `SEED/answer`, as ``init(text:)`` reads it.
    public var description: String { perAnswer ? "\(seed)/answer" : "\(seed)" }
}
