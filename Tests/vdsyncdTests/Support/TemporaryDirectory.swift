import Foundation
import Glibc

/// A temporary directory with a short path under /tmp (Unix socket paths are limited to 108
/// bytes), removed with everything in it when the last reference goes.
final class TemporaryDirectory: Sendable {
    let path: String

    init() throws {
        var template = Array("/tmp/vdsd-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        path = String(cString: made)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// `name` inside the directory.
    func file(_ name: String) -> String { path + "/" + name }
}

/// Waits until `condition` holds, checking it every `every` until `timeout` has passed; true if
/// it held in time. The waiting is for an event, with a deadline: never a fixed delay.
func eventually(
    timeout: Duration, every: Duration = .milliseconds(100), _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try await condition() { return true }
        if ContinuousClock.now >= deadline { return false }
        try? await Task.sleep(for: every)
    }
}

/// Runs blocking system calls on a Dispatch thread, so that they never hold one of the few
/// threads of the cooperative pool (the in-process vdapi needs them, on a 2-core machine too).
func offPool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(returning: body()) }
    }
}
