import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A fault-injection hook for the reliability suite: when `VDSYNCD_CRASH_AT` is set to
/// `<step>:<n>` (`before-state`, `after-state`, `before-send` or `after-send`), the process ends
/// abruptly (`_exit(137)`, no cleanup, as a power cut or SIGKILL would) right at the n-th such
/// step. Without the variable every call is a no-op (one branch on a constant).
///
/// State steps are the outbox's durable state changes (enqueue, in flight, applied, rejected,
/// requeued, unknown, parked); send steps are upstream requests made for outbox entries.
public enum CrashPoint {
    public enum Step: String, Sendable {
        case beforeStateChange = "before-state"
        case afterStateChange = "after-state"
        case beforeSend = "before-send"
        case afterSend = "after-send"
    }

    private static let plan: (step: Step, count: Int)? = parse(ProcessInfo.processInfo.environment["VDSYNCD_CRASH_AT"])
    private static let reached = Mutex<[Step: Int]>([:])

    /// Counts `step` and ends the process if this is the planned one.
    public static func reach(_ step: Step) {
        guard let plan, plan.step == step else { return }
        let count = reached.withLock { counts -> Int in
            counts[step, default: 0] += 1
            return counts[step]!
        }
        if count == plan.count {
            FileHandle.standardError.write(Data("vdsyncd: VDSYNCD_CRASH_AT reached (\(step.rawValue):\(count)): exiting abruptly\n".utf8))
            _exit(137)
        }
    }

    static func parse(_ text: String?) -> (step: Step, count: Int)? {
        guard let text, let colon = text.lastIndex(of: ":"), let step = Step(rawValue: String(text[..<colon])),
            let count = Int(text[text.index(after: colon)...]), count > 0
        else { return nil }
        return (step, count)
    }
}
