import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A fault-injection hook for the reliability suite: once ``arm(_:)`` is given `<step>:<n>`
/// (`before-state`, `after-state`, `before-send` or `after-send`), the process ends abruptly
/// (`_exit(137)`, no cleanup, as a power cut or SIGKILL would) right at the n-th such step. The
/// daemon arms it from its own setting (`VDSYNCD_CRASH_AT`); unarmed, every call is a no-op.
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

    private struct Plan {
        let step: Step
        let count: Int
        var reached = 0
    }

    private static let plan = Mutex<Plan?>(nil)

    /// Plans the crash `text` names (`<step>:<n>`); nil or a text that names none disarms it.
    /// Returns whether a crash is planned.
    @discardableResult
    public static func arm(_ text: String?) -> Bool {
        let parsed = parse(text)
        plan.withLock { $0 = parsed.map { Plan(step: $0.step, count: $0.count) } }
        return parsed != nil
    }

    /// Counts `step` and ends the process if this is the planned one.
    public static func reach(_ step: Step) {
        let crash = plan.withLock { plan -> Int? in
            guard plan?.step == step else { return nil }
            plan?.reached += 1
            return plan?.reached == plan?.count ? plan?.reached : nil
        }
        if let count = crash {
            FileHandle.standardError.write(Data("vdsyncd: crash point reached (\(step.rawValue):\(count)): exiting abruptly\n".utf8))
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
