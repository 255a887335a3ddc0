import Foundation
import Logging
import ServiceLifecycle

/// Gives the memory malloc holds free back to the system every ``interval``, until the daemon
/// stops.
///
/// A pull or a drain allocates in bursts that grow with the mirror (a long dialog is read whole);
/// once freed, that memory stays with malloc, scattered between live allocations where it cannot
/// shrink the heap, so RSS followed the largest burst so far. In the soak a trim released 7.5 of
/// 18 MB of anonymous memory (docs/reliability.md, "Memory").
struct HeapTrimmer: Service {
    var interval: Duration = .seconds(15)
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: interval)
                } catch {
                    return
                }
                // /proc is read only when the figures will be logged.
                let measuring = logger.logLevel <= .debug
                let before = measuring ? Self.residentAnonymousKB() : nil
                guard Malloc.trim() else { return }
                guard measuring else { continue }
                let after = Self.residentAnonymousKB()
                logger.debug("heap trimmed", metadata: ["released_kb": "\(max((before ?? 0) - (after ?? 0), 0))", "anonymous_kb": "\(after ?? 0)"])
            }
        }
        // Where malloc cannot be trimmed, stay until the daemon stops: a service that returns
        // early ends the group.
        try? await gracefulShutdown()
    }

    /// `RssAnon` of `/proc/self/status`: the heap and the stacks, in kB.
    static func residentAnonymousKB() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("RssAnon:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        }
        return nil
    }
}
